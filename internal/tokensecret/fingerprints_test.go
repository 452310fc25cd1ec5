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
	"crypto/sha256"
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

func TestReadFingerprints(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "svc").Obj()
	graceEnd := issuedAt.Add(time.Hour)
	rotated := active(valueB, 2)
	rotated.Previous, rotated.PreviousExpiresAt = v(valueA), graceEnd
	a, b := sha256.Sum256([]byte(valueA)), sha256.Sum256([]byte(valueB))
	edit := func(s *corev1.Secret, f func(*corev1.Secret)) *corev1.Secret {
		s = s.DeepCopy()
		f(s)
		return s
	}

	cases := map[string]struct {
		s      *corev1.Secret
		wantOK bool
		want   tokensecret.Fingerprints
	}{
		"current only": {s: tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker), wantOK: true,
			want: tokensecret.Fingerprints{Claim: tokensecret.Claim{Owner: "svc"}, Current: a, CurrentHeld: true}},
		"current and previous in grace": {s: tokensecret.Apply(tok, nil, rotated, testutil.Marker), wantOK: true,
			want: tokensecret.Fingerprints{Claim: tokensecret.Claim{Owner: "svc"}, Current: b, CurrentHeld: true, Previous: []tokensecret.Digest{a}, PreviousUntil: graceEnd}},
		"previous without its expiry is not valid": {
			s:      edit(tokensecret.Apply(tok, nil, rotated, testutil.Marker), func(s *corev1.Secret) { delete(s.Annotations, authv1alpha1.PreviousExpiresAtAnnotation) }),
			wantOK: true, want: tokensecret.Fingerprints{Claim: tokensecret.Claim{Owner: "svc"}, Current: b, CurrentHeld: true},
		},
		"previous with an unreadable expiry is not valid": {
			s:      edit(tokensecret.Apply(tok, nil, rotated, testutil.Marker), func(s *corev1.Secret) { s.Annotations[authv1alpha1.PreviousExpiresAtAnnotation] = "soon" }),
			wantOK: true, want: tokensecret.Fingerprints{Claim: tokensecret.Claim{Owner: "svc"}, Current: b, CurrentHeld: true},
		},
		"a previous equal to the current counts as current": {
			s:      edit(tokensecret.Apply(tok, nil, rotated, testutil.Marker), func(s *corev1.Secret) { s.Data["token.previous"] = []byte(valueB) }),
			wantOK: true, want: tokensecret.Fingerprints{Claim: tokensecret.Claim{Owner: "svc"}, Current: b, CurrentHeld: true, PreviousUntil: graceEnd},
		},
		"edited value: the hash names no value held": {
			s:      edit(tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker), func(s *corev1.Secret) { s.Data["token"] = []byte(valueB) }),
			wantOK: true, want: tokensecret.Fingerprints{Claim: tokensecret.Claim{Owner: "svc"}, Current: a},
		},
		"any key holding the current value": {
			s:      edit(tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker), func(s *corev1.Secret) { s.Data = map[string][]byte{"api-key": []byte(valueA)} }),
			wantOK: true, want: tokensecret.Fingerprints{Claim: tokensecret.Claim{Owner: "svc"}, Current: a, CurrentHeld: true},
		},
		"no managed label": {
			s: edit(tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker), func(s *corev1.Secret) { s.Labels = nil }),
		},
		"no owner annotation": {
			s: edit(tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker), func(s *corev1.Secret) { delete(s.Annotations, authv1alpha1.OwnerAnnotation) }),
		},
		"hash without its algorithm": {
			s: edit(tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker), func(s *corev1.Secret) {
				s.Annotations[authv1alpha1.TokenHashAnnotation] = strings.TrimPrefix(s.Annotations[authv1alpha1.TokenHashAnnotation], "sha256:")
			}),
		},
		"hash too short": {
			s: edit(tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker), func(s *corev1.Secret) { s.Annotations[authv1alpha1.TokenHashAnnotation] = "sha256:abcd" }),
		},
		"hash not hex": {
			s: edit(tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker), func(s *corev1.Secret) {
				s.Annotations[authv1alpha1.TokenHashAnnotation] = "sha256:" + strings.Repeat("zz", sha256.Size)
			}),
		},
		"revoked: no hash": {s: tokensecret.Apply(tok, nil, tokensecret.State{Revoked: true, RevokedAt: issuedAt, Revision: 1}, testutil.Marker)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := tokensecret.ReadFingerprints(tc.s, testutil.Marker)
			if ok != tc.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tc.wantOK)
			}
			if got.Claim.Owner != tc.want.Claim.Owner || got.Current != tc.want.Current || got.CurrentHeld != tc.want.CurrentHeld ||
				!got.PreviousUntil.Equal(tc.want.PreviousUntil) || len(got.Previous) != len(tc.want.Previous) {
				t.Fatalf("ReadFingerprints = %+v, want %+v", got, tc.want)
			}
			for i := range got.Previous {
				if got.Previous[i] != tc.want.Previous[i] {
					t.Fatalf("previous[%d] differs", i)
				}
			}
			// The cache's copy, sealed, reads the same.
			sealed := tc.s.DeepCopy()
			tokensecret.Seal(sealed)
			if fp, ok2 := tokensecret.ReadFingerprints(sealed, testutil.Marker); ok2 != ok || !reflect.DeepEqual(fp, got) {
				t.Errorf("sealed: ReadFingerprints = %+v, %v; want %+v, %v", fp, ok2, got, ok)
			}
		})
	}
}
