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

package verify

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	testingclock "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// TestJoinTrustsOnlyTheOperatorsWrites: a Secret's value verifies only for
// the ApiToken whose status names that Secret and that digest, and whose UID
// the Secret's controller reference carries.
func TestJoinTrustsOnlyTheOperatorsWrites(t *testing.T) {
	real, chosen := token.NewValue([]byte("the-real-token-value-0123456789")), token.NewValue([]byte("a-value-the-attacker-chose-0000"))
	victim := &authv1alpha1.ApiToken{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "victim", UID: "uid-victim"},
		Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "billing"},
		Status: authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, SecretName: "victim",
			TokenHash: real.Fingerprint(), Revision: 1},
	}
	ref := func(uid string) []metav1.OwnerReference {
		return []metav1.OwnerReference{{APIVersion: authv1alpha1.GroupVersion.String(), Kind: "ApiToken", Name: "victim", UID: types.UID("uid-" + uid), Controller: ptr.To(true)}}
	}
	secret := func(name string, v token.Value, refs []metav1.OwnerReference) *corev1.Secret {
		s := managedSecret(name, "victim", v)
		s.OwnerReferences = refs
		return s
	}
	cases := map[string]struct {
		secrets   []*corev1.Secret
		presented token.Value
		want      bool
	}{
		"the operator's Secret": {secrets: []*corev1.Secret{secret("victim", real, ref("victim"))}, presented: real, want: true},
		"a planted Secret with the marks and a chosen value": {
			secrets: []*corev1.Secret{secret("planted", chosen, nil)}, presented: chosen,
		},
		"a planted Secret with a forged controller reference": {
			secrets: []*corev1.Secret{secret("planted", chosen, ref("victim"))}, presented: chosen,
		},
		"the target Secret replaced by one holding a chosen value": {
			secrets: []*corev1.Secret{secret("victim", chosen, ref("victim"))}, presented: chosen,
		},
		"the real value in a Secret status does not name (a former target)": {
			secrets: []*corev1.Secret{secret("old-target", real, ref("victim"))}, presented: real,
		},
		"the real value under the victim's name, controlled by another ApiToken": {
			secrets: []*corev1.Secret{secret("victim", real, ref("someone-else"))}, presented: real,
		},
		"a planted copy beside the real Secret: the real one still verifies": {
			secrets: []*corev1.Secret{secret("planted", real, nil), secret("victim", real, ref("victim"))}, presented: real, want: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			idx, model := NewIndex(nil), readmodel.NewModel()
			for _, s := range tc.secrets {
				idx.Update(s)
			}
			model.Upsert(readmodel.RowFor(victim))
			v := &Verifier{Index: idx, Model: model, Clock: testingclock.NewFakeClock(time.Now())}
			if _, ok := v.Check(tc.presented); ok != tc.want {
				t.Fatalf("valid = %v, want %v", ok, tc.want)
			}
			if _, _, ok := v.Holder(tc.presented); ok != tc.want {
				t.Fatalf("Holder found = %v, want %v: revocation by value must trust what verification trusts", ok, tc.want)
			}
		})
	}
}

// TestCopiedFingerprintLeavesTheFirstHolder: a hash-only ApiToken whose
// status (somehow) holds another's digest does not take it over, and its
// removal does not remove the first holder's entry.
func TestCopiedFingerprintLeavesTheFirstHolder(t *testing.T) {
	v := token.NewValue([]byte("shared-token-value-0123456789ab"))
	first, copyTok := hashedToken("first", v, v), hashedToken("copy", v, v)
	first.UID, copyTok.UID = "uid-first", "uid-copy"
	for _, tok := range []*authv1alpha1.ApiToken{first, copyTok} {
		tok.Status.TokenStatus = authv1alpha1.TokenStatusActive
	}
	idx, model := NewIndex(nil), readmodel.NewModel()
	idx.UpdateToken(first)
	idx.UpdateToken(copyTok)
	model.Upsert(readmodel.RowFor(first))
	model.Upsert(readmodel.RowFor(copyTok))
	ver := &Verifier{Index: idx, Model: model, Clock: testingclock.NewFakeClock(time.Now())}
	if id, ok := ver.Check(v); !ok || id.Name != "first" {
		t.Fatalf("verifies as %q (%v), want the first holder", id.Name, ok)
	}
	idx.RemoveToken("team-a", "copy")
	model.Delete("team-a", "copy")
	if id, ok := ver.Check(v); !ok || id.Name != "first" {
		t.Fatalf("after the copy was deleted: %q (%v), want the first holder still", id.Name, ok)
	}
}

// TestPreviousRevisionWhileStatusLags: the Secret is written before the
// status patch lands, so for a moment the Secret's previous value is the one
// status still names current. Presented then, it carries the revision status
// names (its own), not the one before; once status catches up, the one
// before.
func TestPreviousRevisionWhileStatusLags(t *testing.T) {
	old, fresh := token.NewValue([]byte("the-old-token-value-0123456789a")), token.NewValue([]byte("the-new-token-value-0123456789a"))
	now := time.Now()
	tok := &authv1alpha1.ApiToken{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "victim", UID: "uid-victim"},
		Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "billing"},
		Status: authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, SecretName: "victim",
			TokenHash: old.Fingerprint(), Revision: 1},
	}
	s := managedSecret("victim", "victim", fresh)
	s.OwnerReferences = []metav1.OwnerReference{{APIVersion: authv1alpha1.GroupVersion.String(), Kind: "ApiToken", Name: "victim", UID: "uid-victim", Controller: ptr.To(true)}}
	s.Annotations[authv1alpha1.PreviousExpiresAtAnnotation] = now.Add(time.Minute).Format(time.RFC3339)
	s.Data["token"+authv1alpha1.PreviousKeySuffix] = old.Reveal()
	idx, model := NewIndex(nil), readmodel.NewModel()
	idx.Update(s)
	v := &Verifier{Index: idx, Model: model, Clock: testingclock.NewFakeClock(now)}

	model.Upsert(readmodel.RowFor(tok))
	if id, ok := v.Check(old); !ok || id.Revision != 1 {
		t.Fatalf("status lagging: old value verifies %v with revision %d, want revision 1", ok, id.Revision)
	}
	caughtUp := tok.DeepCopy()
	caughtUp.Status.TokenHash, caughtUp.Status.PreviousTokenHash, caughtUp.Status.Revision = fresh.Fingerprint(), old.Fingerprint(), 2
	model.Upsert(readmodel.RowFor(caughtUp))
	for _, c := range []struct {
		v    token.Value
		want int64
	}{{old, 1}, {fresh, 2}} {
		if id, ok := v.Check(c.v); !ok || id.Revision != c.want {
			t.Fatalf("status caught up: verifies %v with revision %d, want %d", ok, id.Revision, c.want)
		}
	}
}

// TestRememberedRowFollowsTheModel: an entry remembers where its ApiToken's
// row is, and what it finds there is always the current row: a revocation
// bites at the next verification, a deleted ApiToken verifies nothing, and
// one created again under the same name verifies again.
func TestRememberedRowFollowsTheModel(t *testing.T) {
	v := token.NewValue([]byte("a-hash-only-token-value-0123456"))
	tok := hashedToken("t", v, v)
	tok.UID, tok.Status.TokenStatus = "uid-1", authv1alpha1.TokenStatusActive
	idx, model := NewIndex(nil), readmodel.NewModel()
	idx.UpdateToken(tok)
	model.Upsert(readmodel.RowFor(tok))
	ver := &Verifier{Index: idx, Model: model, Clock: testingclock.NewFakeClock(time.Now())}
	check := func(when string, want bool) {
		t.Helper()
		if _, ok := ver.Check(v); ok != want {
			t.Fatalf("%s: valid = %v, want %v", when, ok, want)
		}
	}
	check("active", true)
	revoked := tok.DeepCopy()
	revoked.Spec.Revoked = true
	model.Upsert(readmodel.RowFor(revoked))
	check("revoked in spec", false)
	model.Upsert(readmodel.RowFor(tok))
	check("revocation undone", true)
	model.Delete("team-a", "t")
	check("ApiToken deleted, index not yet", false)
	model.Upsert(readmodel.RowFor(tok))
	check("created again under the same name", true)
}

// TestMarkedSecretOfAnotherIncarnation: the operator's mark covers a
// Secret's state for its owner's name, not its UID. A marked Secret whose
// controller reference names an ApiToken of the same name that was deleted
// (an earlier incarnation) is not the new one's: its value does not verify
// for it, even while its status names that Secret, as tokensecret.Owned
// decides. The mark alone still verifies a rotation whose status has not
// landed, and a Secret left without a controller reference (Retain).
func TestMarkedSecretOfAnotherIncarnation(t *testing.T) {
	marker, err := tokensecret.NewMarker(make([]byte, tokensecret.MarkKeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	old, fresh := token.NewValue([]byte("the-old-incarnations-value-0123")), token.NewValue([]byte("the-new-incarnations-value-0123"))
	incarnation := func(uid types.UID, v token.Value) *authv1alpha1.ApiToken {
		return &authv1alpha1.ApiToken{
			ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "victim", UID: uid},
			Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "billing"},
			Status: authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, SecretName: "victim",
				TokenHash: v.Fingerprint(), Revision: 1},
		}
	}
	marked := func(owner *authv1alpha1.ApiToken, v token.Value) *corev1.Secret {
		now := time.Now().UTC().Truncate(time.Second)
		return tokensecret.Apply(owner, nil, tokensecret.State{Current: v, Hash: v.Fingerprint(), IssuedAt: now, Revision: 1}, marker)
	}
	current := incarnation("uid-new", fresh)
	cases := map[string]struct {
		secret *corev1.Secret
		want   bool
	}{
		"controlled by the deleted incarnation":                {secret: marked(incarnation("uid-old", old), old)},
		"controlled by the current one, status not landed yet": {secret: marked(current, old), want: true},
		"no controller reference (Retain)": {secret: func() *corev1.Secret {
			s := marked(current, old)
			s.OwnerReferences = nil
			return s
		}(), want: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if !marker.Valid(tc.secret) {
				t.Fatal("the fixture's mark is not valid")
			}
			idx, model := NewIndex(marker), readmodel.NewModel()
			idx.Update(tc.secret)
			model.Upsert(readmodel.RowFor(current))
			v := &Verifier{Index: idx, Model: model, Clock: testingclock.NewFakeClock(time.Now())}
			if _, ok := v.Check(old); ok != tc.want {
				t.Fatalf("valid = %v, want %v", ok, tc.want)
			}
		})
	}
}
