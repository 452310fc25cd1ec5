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

package controller

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

func equalSecrets(a, b *corev1.Secret) bool { return equality.Semantic.DeepEqual(a, b) }

func TestComputeStatus(t *testing.T) {
	tok := testutil.MakeApiToken(testNS, "ci").TTL(time.Hour).Rotation(10*time.Minute, 0).Obj()
	imp := testutil.MakeApiToken(testNS, "ci").Import("src", "", "").Obj()
	issuedAt := testNow.Add(-30 * time.Minute).Truncate(time.Second)
	secret := issued(tok, valueA, issuedAt)
	lastUsed := metav1.NewTime(testNow.Add(-time.Minute))
	withLastUsed := tok.DeepCopy()
	withLastUsed.Status.LastUsedDate = &lastUsed

	cases := map[string]struct {
		tok        *authv1alpha1.ApiToken
		secret     *corev1.Secret
		d          policy.Decision
		now        time.Time
		wantStatus authv1alpha1.TokenStatus
		wantReady  metav1.ConditionStatus
		wantReason string
		check      func(t *testing.T, s authv1alpha1.ApiTokenStatus)
	}{
		"active generated token": {
			tok: tok, secret: secret, now: testNow, wantStatus: authv1alpha1.TokenStatusActive, wantReady: metav1.ConditionTrue, wantReason: authv1alpha1.ReasonIssued,
			check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
				expect(t, s.CreationDate.UTC().Format(time.RFC3339), policy.FormatTime(issuedAt), "creationDate")
				expect(t, s.ExpirationDate.UTC().Format(time.RFC3339), policy.FormatTime(issuedAt.Add(time.Hour)), "expirationDate")
				expect(t, s.RenewalTime.UTC().Format(time.RFC3339), policy.FormatTime(issuedAt.Add(50*time.Minute-policy.RenewalJitter(tok.UID, 10*time.Minute))), "renewalTime")
				expect(t, s.TokenLastChars, "aaaaa", "tokenLastChars")
				expect(t, s.SecretName, "ci", "secretName")
				if s.Revision != 1 || s.ObservedGeneration != 1 || !strings.HasPrefix(s.TokenHash, "sha256:") {
					t.Fatalf("revision %d, observedGeneration %d, tokenHash %q", s.Revision, s.ObservedGeneration, s.TokenHash)
				}
			},
		},
		"active imported token": {
			tok: imp, secret: issued(imp, valueA, issuedAt), now: testNow, wantStatus: authv1alpha1.TokenStatusActive, wantReady: metav1.ConditionTrue, wantReason: authv1alpha1.ReasonImported,
		},
		"expired exactly at expirationDate": {
			tok: tok, secret: secret, now: issuedAt.Add(time.Hour), wantStatus: authv1alpha1.TokenStatusExpired, wantReady: metav1.ConditionFalse, wantReason: authv1alpha1.ReasonExpired,
		},
		"one second before expiry: active": {
			tok: tok, secret: secret, now: issuedAt.Add(time.Hour - time.Second), wantStatus: authv1alpha1.TokenStatusActive, wantReady: metav1.ConditionTrue, wantReason: authv1alpha1.ReasonIssued,
		},
		"revoked: no token fields": {
			tok: testutil.MakeApiToken(testNS, "ci").Revoked(true).Revision(2).Obj(), now: testNow, wantStatus: authv1alpha1.TokenStatusRevoked, wantReady: metav1.ConditionFalse, wantReason: authv1alpha1.ReasonRevoked,
			check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
				if s.TokenHash != "" || s.CreationDate != nil || s.Revision != 2 {
					t.Fatalf("revoked status keeps token fields: %+v", s)
				}
			},
		},
		"conflict: nothing from the foreign Secret": {
			tok: tok, secret: secret, now: testNow, d: policy.Decision{Action: policy.ActionFail, Reason: authv1alpha1.ReasonSecretConflict, Message: "conflict"},
			wantStatus: authv1alpha1.TokenStatusFailed, wantReady: metav1.ConditionFalse, wantReason: authv1alpha1.ReasonSecretConflict,
			check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
				if s.TokenHash != "" || s.SecretName != "" {
					t.Fatalf("conflict status describes a Secret that is not ours: %+v", s)
				}
			},
		},
		"lastUsedDate is kept": {
			tok: withLastUsed, secret: secret, now: testNow, wantStatus: authv1alpha1.TokenStatusActive, wantReady: metav1.ConditionTrue, wantReason: authv1alpha1.ReasonIssued,
			check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
				if s.LastUsedDate == nil || !s.LastUsedDate.Equal(&lastUsed) {
					t.Fatal("lastUsedDate lost")
				}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if tc.d.Action == "" {
				tc.d.Action = policy.ActionNone
			}
			s := computeStatus(tc.tok, tc.secret, tc.d, tc.now)
			ready := meta.FindStatusCondition(s.Conditions, authv1alpha1.ConditionReady)
			if s.TokenStatus != tc.wantStatus || ready == nil || ready.Status != tc.wantReady || ready.Reason != tc.wantReason {
				t.Fatalf("status %s, Ready %+v; want %s, %s/%s", s.TokenStatus, ready, tc.wantStatus, tc.wantReady, tc.wantReason)
			}
			if !ready.LastTransitionTime.Equal(&metav1.Time{Time: tc.now.Truncate(time.Second)}) {
				t.Fatalf("lastTransitionTime %v does not come from the given clock", ready.LastTransitionTime)
			}
			if strings.Contains(ready.Message, valueA) {
				t.Fatal("condition message contains the token")
			}
			if tc.check != nil {
				tc.check(t, s)
			}
			// Computing again from the result changes nothing: no status churn.
			again := tc.tok.DeepCopy()
			again.Status = s
			if next := computeStatus(again, tc.secret, tc.d, tc.now.Add(time.Millisecond)); !equality.Semantic.DeepEqual(next, s) {
				t.Fatal("status is not stable across reconciles")
			}
		})
	}
}
