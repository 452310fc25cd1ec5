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
	testingclock "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

func TestVerifyValidity(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	current, previous := token.NewValue([]byte("current-token-value-0123456789")), token.NewValue([]byte("previous-token-value-012345678"))
	graceEnd := now.Add(time.Minute)

	cases := []struct {
		name      string
		status    authv1alpha1.TokenStatus
		expires   time.Time // zero: never expires
		presented token.Value
		at        time.Time
		// revoked is spec.revoked, before the controller writes status.
		revoked bool
		want    bool
	}{
		{name: "active, current token", status: authv1alpha1.TokenStatusActive, expires: now.Add(time.Hour), presented: current, at: now, want: true},
		{name: "active, never expires", status: authv1alpha1.TokenStatusActive, presented: current, at: now, want: true},
		{name: "unknown token", status: authv1alpha1.TokenStatusActive, presented: token.NewValue([]byte("not-a-token-anyone-issued-000")), at: now},
		{name: "empty token", status: authv1alpha1.TokenStatusActive, presented: token.Value{}, at: now},
		{name: "one nanosecond before expiry", status: authv1alpha1.TokenStatusActive, expires: now.Add(time.Hour), presented: current, at: now.Add(time.Hour - time.Nanosecond), want: true},
		{name: "at the instant of expiry, before the controller writes Expired", status: authv1alpha1.TokenStatusActive, expires: now.Add(time.Hour), presented: current, at: now.Add(time.Hour)},
		{name: "expired", status: authv1alpha1.TokenStatusExpired, expires: now.Add(-time.Hour), presented: current, at: now},
		{name: "revoked", status: authv1alpha1.TokenStatusRevoked, expires: now.Add(time.Hour), presented: current, at: now},
		{name: "failed", status: authv1alpha1.TokenStatusFailed, expires: now.Add(time.Hour), presented: current, at: now},
		{name: "pending", status: authv1alpha1.TokenStatusPending, presented: current, at: now},
		{name: "previous token inside the grace period", status: authv1alpha1.TokenStatusActive, expires: now.Add(time.Hour), presented: previous, at: graceEnd.Add(-time.Nanosecond), want: true},
		{name: "previous token at the end of the grace period", status: authv1alpha1.TokenStatusActive, expires: now.Add(time.Hour), presented: previous, at: graceEnd},
		{name: "previous token of a revoked resource", status: authv1alpha1.TokenStatusRevoked, expires: now.Add(time.Hour), presented: previous, at: now},
		{name: "revoked in spec, status still Active", status: authv1alpha1.TokenStatusActive, revoked: true, expires: now.Add(time.Hour), presented: current, at: now},
		{name: "previous token, revoked in spec", status: authv1alpha1.TokenStatusActive, revoked: true, expires: now.Add(time.Hour), presented: previous, at: now},
	}
	// The same rules hold wherever the token is held: in a managed Secret, or
	// hash-only (the fingerprints in the ApiToken's status).
	holders := map[string]func(idx *Index, tok *authv1alpha1.ApiToken){
		"secret": func(idx *Index, tok *authv1alpha1.ApiToken) {
			// The status the operator wrote names the Secret and both digests.
			tok.Status.SecretName, tok.Status.TokenHash, tok.Status.PreviousTokenHash = "svc-token", current.Fingerprint(), previous.Fingerprint()
			idx.Update(&corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "svc-token",
					OwnerReferences: []metav1.OwnerReference{{APIVersion: authv1alpha1.GroupVersion.String(), Kind: "ApiToken", Name: "svc", UID: tok.UID, Controller: ptr.To(true)}},
					Labels:          map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue},
					Annotations: map[string]string{
						authv1alpha1.OwnerAnnotation:             "svc",
						authv1alpha1.TokenHashAnnotation:         current.Fingerprint(),
						authv1alpha1.PreviousExpiresAtAnnotation: graceEnd.Format(time.RFC3339),
					}},
				Data: map[string][]byte{"token": current.Reveal(), "token" + authv1alpha1.PreviousKeySuffix: previous.Reveal()},
			})
		},
		"hashed": func(idx *Index, tok *authv1alpha1.ApiToken) {
			tok.Spec.Source = &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: current.Fingerprint()}}
			tok.Status.TokenHash, tok.Status.PreviousTokenHash = current.Fingerprint(), previous.Fingerprint()
			tok.Status.PreviousTokenExpirationDate = &metav1.Time{Time: graceEnd}
			idx.UpdateToken(tok)
		},
	}
	for holder, hold := range holders {
		for _, tc := range cases {
			t.Run(holder+"/"+tc.name, func(t *testing.T) {
				idx, model := NewIndex(nil), readmodel.NewModel()
				tok := &authv1alpha1.ApiToken{
					ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "svc", UID: "uid-1"},
					Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "billing", Revoked: tc.revoked},
					Status:     authv1alpha1.ApiTokenStatus{TokenStatus: tc.status},
				}
				if !tc.expires.IsZero() {
					tok.Status.ExpirationDate = &metav1.Time{Time: tc.expires}
				}
				hold(idx, tok)
				model.Upsert(readmodel.RowFor(tok))
				v := &Verifier{Index: idx, Model: model, Clock: testingclock.NewFakeClock(tc.at)}

				id, ok := v.Verify(tc.presented)
				if ok != tc.want {
					t.Fatalf("valid = %v, want %v", ok, tc.want)
				}
				if !ok {
					if id.Name != "" || id.UID != "" {
						t.Errorf("an invalid token returned an identity: %+v", id)
					}
					return
				}
				if id.Namespace != "team-a" || id.Name != "svc" || id.Principal != "billing" || id.Type != authv1alpha1.TokenTypeApiClient || id.UID != "uid-1" {
					t.Errorf("identity = %+v", id)
				}
			})
		}
	}
}
