/*
Copyright 2026 The apitoken-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package tokensecret_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

func TestMarkCoversTheState(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").DeletionPolicy(authv1alpha1.DeletionPolicyRetain).Obj()
	written := tokensecret.Apply(tok, nil, active(valueA, 3), testutil.Marker)
	other, err := tokensecret.NewMarker([]byte("another key of thirty-two bytes!"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(s *corev1.Secret)) *corev1.Secret {
		s := written.DeepCopy()
		f(s)
		return s
	}
	cases := map[string]struct {
		s      *corev1.Secret
		marker *tokensecret.Marker
		want   bool
	}{
		"as written":                    {s: written, marker: testutil.Marker, want: true},
		"no marker":                     {s: written},
		"another key":                   {s: written, marker: other},
		"no mark":                       {s: edit(func(s *corev1.Secret) { delete(s.Annotations, authv1alpha1.MarkAnnotation) }), marker: testutil.Marker},
		"mark not base64":               {s: edit(func(s *corev1.Secret) { s.Annotations[authv1alpha1.MarkAnnotation] = "v1.!!!" }), marker: testutil.Marker},
		"hash replaced":                 {s: edit(func(s *corev1.Secret) { s.Annotations[authv1alpha1.TokenHashAnnotation] = v(valueB).Fingerprint() }), marker: testutil.Marker},
		"issue time changed":            {s: edit(func(s *corev1.Secret) { s.Annotations[authv1alpha1.IssuedAtAnnotation] = "2030-01-01T00:00:00Z" }), marker: testutil.Marker},
		"revision changed":              {s: edit(func(s *corev1.Secret) { s.Annotations[authv1alpha1.RevisionAnnotation] = "4" }), marker: testutil.Marker},
		"owner renamed":                 {s: edit(func(s *corev1.Secret) { s.Annotations[authv1alpha1.OwnerAnnotation] = "victim" }), marker: testutil.Marker},
		"copied to another Secret name": {s: edit(func(s *corev1.Secret) { s.Name = "elsewhere" }), marker: testutil.Marker},
		"copied to another namespace":   {s: edit(func(s *corev1.Secret) { s.Namespace = "team-b" }), marker: testutil.Marker},
		"previous expiry moved": {s: edit(func(s *corev1.Secret) {
			s.Annotations[authv1alpha1.PreviousExpiresAtAnnotation] = "2030-01-01T00:00:00Z"
		}),
			marker: testutil.Marker},
		"rotate request marked handled": {s: edit(func(s *corev1.Secret) { s.Annotations[authv1alpha1.RotateHandledAnnotation] = "2026-12-07" }),
			marker: testutil.Marker},
		"a mark of the v1 format": {s: edit(func(s *corev1.Secret) {
			s.Annotations[authv1alpha1.MarkAnnotation] = "v1." + s.Annotations[authv1alpha1.MarkAnnotation][len("v2."):]
		}), marker: testutil.Marker},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.marker.Valid(tc.s); got != tc.want {
				t.Fatalf("Valid = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestOwnedAndTrustedRefusePlantedSecrets(t *testing.T) {
	retain := testutil.MakeApiToken(ns, "ci").DeletionPolicy(authv1alpha1.DeletionPolicyRetain).Obj()
	del := testutil.MakeApiToken(ns, "ci").Obj()
	planted := func() *corev1.Secret {
		// Everything a user with create secrets can write: the label, the
		// owner annotation, a hash annotation and a value that matches it.
		return testutil.MakeSecret(ns, "ci").
			Label(authv1alpha1.ManagedByLabel, authv1alpha1.ManagedByValue).
			Annotation(authv1alpha1.OwnerAnnotation, "ci").
			Annotation(authv1alpha1.TokenHashAnnotation, token.Fingerprint([]byte(valueB))).
			Annotation(authv1alpha1.IssuedAtAnnotation, "2026-11-23T12:00:00Z").
			Annotation(authv1alpha1.RevisionAnnotation, "1").
			Data("token", valueB).Obj()
	}
	withStatus := func(tok *authv1alpha1.ApiToken, secret, hash string, rev int64) *authv1alpha1.ApiToken {
		t := tok.DeepCopy()
		t.Status.SecretName, t.Status.TokenHash, t.Status.Revision = secret, hash, rev
		return t
	}
	forgedRef := planted()
	forgedRef.OwnerReferences = tokensecret.Apply(del, nil, active(valueA, 1), testutil.Marker).OwnerReferences

	cases := map[string]struct {
		tok                    *authv1alpha1.ApiToken
		s                      *corev1.Secret
		wantOwned, wantTrusted bool
	}{
		"Retain, written by the operator":             {tok: retain, s: tokensecret.Apply(retain, nil, active(valueA, 1), testutil.Marker), wantOwned: true, wantTrusted: true},
		"Retain, planted before the ApiToken existed": {tok: retain, s: planted()},
		"Retain, planted where status names a Secret of that name": {
			// Owned (the operator may overwrite it), but not trusted: status
			// names another fingerprint.
			tok: withStatus(retain, "ci", token.Fingerprint([]byte(valueA)), 1), s: planted(), wantOwned: true,
		},
		"Retain, written before marks existed, status names it": {
			tok: withStatus(retain, "ci", token.Fingerprint([]byte(valueB)), 1), s: planted(), wantOwned: true, wantTrusted: true,
		},
		"Delete, a forged controller reference": {tok: del, s: forgedRef, wantOwned: true},
		"Delete, written by the operator":       {tok: del, s: tokensecret.Apply(del, nil, active(valueA, 1), testutil.Marker), wantOwned: true, wantTrusted: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tokensecret.Owned(tc.tok, tc.s, testutil.Marker); got != tc.wantOwned {
				t.Fatalf("Owned = %v, want %v", got, tc.wantOwned)
			}
			if got := tokensecret.Trusted(tc.tok, tc.s, tokensecret.Read(tc.tok, tc.s), testutil.Marker); got != tc.wantTrusted {
				t.Fatalf("Trusted = %v, want %v", got, tc.wantTrusted)
			}
		})
	}
}

func TestStrip(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").Obj()
	st := active(valueB, 2)
	st.Previous, st.PreviousExpiresAt = v(valueA), issuedAt
	s := tokensecret.Apply(tok, nil, st, testutil.Marker)
	s.Data["copy"] = []byte(valueB)
	s.Data["app.conf"] = []byte("keep")
	s.Labels["example.com/team"] = "a"
	s.Annotations["example.com/note"] = "keep"

	got := tokensecret.Strip(tok, s)
	if len(got.Data) != 1 || string(got.Data["app.conf"]) != "keep" {
		t.Fatalf("data keys left: %v", keys(got.Data))
	}
	if len(got.Annotations) != 1 || got.Annotations["example.com/note"] != "keep" {
		t.Fatalf("annotations left: %v", got.Annotations)
	}
	if len(got.Labels) != 1 || got.OwnerReferences != nil {
		t.Fatalf("labels %v, owner references %v", got.Labels, got.OwnerReferences)
	}
	if _, managed := tokensecret.ManagedBy(got); managed {
		t.Fatal("a stripped Secret still reads as managed")
	}
	if len(s.Data) != 4 {
		t.Fatal("Strip modified its input")
	}
}

// A copy the operator wrote at an earlier revision than status reports is
// marked, but no longer trusted: it was written back (round two, finding 7).
func TestAnEarlierRevisionWrittenBackIsNotTrusted(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").Obj()
	old := tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker)
	st := tokensecret.Read(tok, old)
	tok.Status.Revision = 1
	if !tokensecret.Trusted(tok, old, st, testutil.Marker) || tokensecret.Stale(tok, st) {
		t.Fatal("the current revision, marked, is trusted")
	}
	tok.Status.Revision, tok.Status.TokenHash, tok.Status.SecretName = 2, v(valueB).Fingerprint(), old.Name
	if tokensecret.Trusted(tok, old, st, testutil.Marker) || !tokensecret.Stale(tok, st) {
		t.Fatal("revision 1 written back under status revision 2 is trusted")
	}
	tok.Status.Revision = 0
	if !tokensecret.Trusted(tok, old, st, testutil.Marker) {
		t.Fatal("a state written before status caught up (a crash between the two writes) is trusted")
	}
}
