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

package policy

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	testingclock "k8s.io/utils/clock/testing"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

func TestStatus(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").TTL(time.Hour).Rotation(10*time.Minute, 0).Obj()
	imp := testutil.MakeApiToken(ns, "ci").Import("src", "", "").Obj()
	issuedAt := testNow.Add(-30 * time.Minute).Truncate(time.Second)
	secret := issued(tok, valueA, issuedAt)
	foreign := issued(testutil.MakeApiToken(ns, "ci").UID("earlier").TTL(time.Hour).Obj(), valueA, issuedAt)
	lastUsed := metav1.NewTime(testNow.Add(-time.Minute))
	withLastUsed := tok.DeepCopy()
	withLastUsed.Status.LastUsedDate = &lastUsed
	rejected := Rejected(NewInput(tok, secret, testutil.Marker, testNow), Decision{Action: ActionIssue}, "metadata.annotations: Too long")

	cases := map[string]struct {
		tok        *authv1alpha1.ApiToken
		secret     *corev1.Secret
		d          Decision
		outcome    *Outcome // instead of the one of d on secret
		now        time.Time
		wantStatus authv1alpha1.TokenStatus
		wantReady  metav1.ConditionStatus
		wantReason string
		check      func(t *testing.T, s authv1alpha1.ApiTokenStatus)
	}{
		"active generated token": {
			tok: tok, secret: secret, now: testNow, wantStatus: authv1alpha1.TokenStatusActive, wantReady: metav1.ConditionTrue, wantReason: authv1alpha1.ReasonIssued,
			check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
				expect(t, s.CreationDate.UTC().Format(time.RFC3339), tokensecret.FormatTime(issuedAt), "creationDate")
				expect(t, s.ExpirationDate.UTC().Format(time.RFC3339), tokensecret.FormatTime(issuedAt.Add(time.Hour)), "expirationDate")
				expect(t, s.RenewalTime.UTC().Format(time.RFC3339), tokensecret.FormatTime(issuedAt.Add(50*time.Minute-RenewalJitter(tok.UID, 10*time.Minute))), "renewalTime")
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
			check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
				msg := meta.FindStatusCondition(s.Conditions, authv1alpha1.ConditionReady).Message
				if !strings.Contains(msg, "the token expired at "+tokensecret.FormatTime(issuedAt.Add(time.Hour))) || !strings.Contains(msg, authv1alpha1.RotateAnnotation) {
					t.Fatalf("the Expired message does not say when and what to do: %q", msg)
				}
			},
		},
		"one second before expiry: active": {
			tok: tok, secret: secret, now: issuedAt.Add(time.Hour - time.Second), wantStatus: authv1alpha1.TokenStatusActive, wantReady: metav1.ConditionTrue, wantReason: authv1alpha1.ReasonIssued,
		},
		"revoked: no token fields": {
			tok: testutil.MakeApiToken(ns, "ci").Revoked(true).Revision(2).Obj(), now: testNow, wantStatus: authv1alpha1.TokenStatusRevoked, wantReady: metav1.ConditionFalse, wantReason: authv1alpha1.ReasonRevoked,
			check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
				if s.TokenHash != "" || s.CreationDate != nil || s.Revision != 2 {
					t.Fatalf("revoked status keeps token fields: %+v", s)
				}
			},
		},
		"conflict: nothing from the foreign Secret": {
			tok: tok, secret: foreign, now: testNow, d: Decision{Action: ActionFail, Reason: authv1alpha1.ReasonSecretConflict, Message: "conflict"},
			wantStatus: authv1alpha1.TokenStatusFailed, wantReady: metav1.ConditionFalse, wantReason: authv1alpha1.ReasonSecretConflict,
			check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
				if s.TokenHash != "" || s.SecretName != "" {
					t.Fatalf("conflict status describes a Secret that is not ours: %+v", s)
				}
			},
		},
		"rejected write: the failure is reported, the Secret described as it is": {
			tok: tok, outcome: &rejected, now: testNow, wantStatus: authv1alpha1.TokenStatusFailed, wantReady: metav1.ConditionFalse, wantReason: authv1alpha1.ReasonSecretRejected,
			check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
				expect(t, meta.FindStatusCondition(s.Conditions, authv1alpha1.ConditionReady).Message,
					`the API server rejected Secret "ci": metadata.annotations: Too long; fix spec.secret`, "message")
				expect(t, s.TokenLastChars, "aaaaa", "tokenLastChars")
			},
		},
		"never written: pending": {
			tok: tok, outcome: &Outcome{Decision: Decision{Action: ActionIssue}}, now: testNow, wantStatus: authv1alpha1.TokenStatusPending, wantReady: metav1.ConditionFalse, wantReason: "Pending",
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
			clock := testingclock.NewFakeClock(tc.now)
			if tc.d.Action == "" {
				tc.d.Action = ActionNone
			}
			o := Unchanged(NewInput(tc.tok, tc.secret, testutil.Marker, clock.Now()), tc.d)
			if tc.outcome != nil {
				o = *tc.outcome
			}
			s := Status(tc.tok, o, clock.Now())
			ready := meta.FindStatusCondition(s.Conditions, authv1alpha1.ConditionReady)
			if s.TokenStatus != tc.wantStatus || ready == nil || ready.Status != tc.wantReady || ready.Reason != tc.wantReason {
				t.Fatalf("status %s, Ready %+v; want %s, %s/%s", s.TokenStatus, ready, tc.wantStatus, tc.wantReady, tc.wantReason)
			}
			if !ready.LastTransitionTime.Equal(&metav1.Time{Time: clock.Now().Truncate(time.Second)}) {
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
			clock.Step(time.Millisecond)
			if next := Status(again, o, clock.Now()); !equality.Semantic.DeepEqual(next, s) {
				t.Fatal("status is not stable across reconciles")
			}
		})
	}
}

func TestRequeueAfter(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").TTL(time.Hour).Rotation(10*time.Minute, 5*time.Minute).Obj()
	at := func(d time.Duration) *metav1.Time { mt := metav1.NewTime(testNow.Add(d)); return &mt }
	cases := map[string]struct {
		tok       *authv1alpha1.ApiToken
		status    authv1alpha1.ApiTokenStatus
		throttled time.Duration
		want      time.Duration
	}{
		"nothing by the clock":                 {tok: tok},
		"a throttled claim is checked again":   {tok: tok, status: authv1alpha1.ApiTokenStatus{ExpirationDate: at(time.Hour)}, throttled: 12 * time.Minute, want: 12 * time.Minute},
		"expiry only":                          {tok: tok, status: authv1alpha1.ApiTokenStatus{ExpirationDate: at(time.Hour)}, want: time.Hour},
		"renewal before expiry":                {tok: tok, status: authv1alpha1.ApiTokenStatus{ExpirationDate: at(time.Hour), RenewalTime: at(50 * time.Minute)}, want: 50 * time.Minute},
		"end of the grace period first":        {tok: tok, status: authv1alpha1.ApiTokenStatus{ExpirationDate: at(time.Hour), RenewalTime: at(50 * time.Minute), PreviousTokenExpirationDate: at(time.Minute)}, want: time.Minute},
		"past times do not count":              {tok: tok, status: authv1alpha1.ApiTokenStatus{ExpirationDate: at(-time.Second), RenewalTime: at(-time.Minute)}},
		"expired, renewal passed, grace ahead": {tok: tok, status: authv1alpha1.ApiTokenStatus{ExpirationDate: at(-time.Second), PreviousTokenExpirationDate: at(time.Second)}, want: time.Second},
		"revoked: never, whatever status says": {tok: testutil.MakeApiToken(ns, "ci").Revoked(true).Obj(), status: authv1alpha1.ApiTokenStatus{ExpirationDate: at(time.Hour)}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := RequeueAfter(Input{Token: tc.tok, Now: testNow, ClaimsThrottled: tc.throttled}, tc.status); got != tc.want {
				t.Fatalf("RequeueAfter = %v, want %v", got, tc.want)
			}
		})
	}
}
