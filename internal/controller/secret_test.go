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
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

const (
	testNS  = "team-a"
	valueA  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	valueB  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	userKey = "example.com/backup"
)

var testNow = time.Date(2026, 11, 23, 12, 0, 0, 500, time.UTC)

func issued(tok *authv1alpha1.ApiToken, v string, at time.Time) *corev1.Secret {
	return desiredSecret(tok, nil, policy.Decision{Action: policy.ActionIssue}, token.NewValue([]byte(v)), "", at)
}

func TestDesiredSecret(t *testing.T) {
	tok := testutil.MakeApiToken(testNS, "ci").TTL(time.Hour).Rotation(0, 10*time.Minute).SecretLabel(userKey, "yes").Obj()
	retain := testutil.MakeApiToken(testNS, "ci").DeletionPolicy(authv1alpha1.DeletionPolicyRetain).Obj()
	cur := issued(tok, valueA, testNow.Add(-time.Hour))

	cases := map[string]struct {
		tok   *authv1alpha1.ApiToken
		cur   *corev1.Secret
		d     policy.Decision
		value string
		check func(t *testing.T, s *corev1.Secret)
	}{
		"new Secret: value, hash, dates, revision, label, owner": {
			tok: tok, d: policy.Decision{Action: policy.ActionIssue}, value: valueA,
			check: func(t *testing.T, s *corev1.Secret) {
				expect(t, string(s.Data["token"]), valueA, "data.token")
				expect(t, s.Annotations[authv1alpha1.TokenHashAnnotation], token.Fingerprint([]byte(valueA)), "hash")
				expect(t, s.Annotations[authv1alpha1.IssuedAtAnnotation], "2026-11-23T12:00:00Z", "issued-at")
				expect(t, s.Annotations[authv1alpha1.RevisionAnnotation], "1", "revision")
				expect(t, s.Labels[authv1alpha1.ManagedByLabel], authv1alpha1.ManagedByValue, "managed label")
				expect(t, s.Labels[userKey], "yes", "spec.secret.labels")
				expect(t, string(s.Type), string(corev1.SecretTypeOpaque), "type")
				ref := metav1.GetControllerOf(s)
				if ref == nil || ref.UID != tok.UID || ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion {
					t.Fatalf("owner reference = %+v, want a blocking controller reference to the ApiToken", ref)
				}
			},
		},
		"rotation keeps the previous for the grace period": {
			tok: tok, cur: cur, d: policy.Decision{Action: policy.ActionIssue, KeepPrevious: true}, value: valueB,
			check: func(t *testing.T, s *corev1.Secret) {
				expect(t, string(s.Data["token"]), valueB, "data.token")
				expect(t, string(s.Data["token.previous"]), valueA, "data[token.previous]")
				expect(t, s.Annotations[authv1alpha1.PreviousExpiresAtAnnotation], "2026-11-23T12:10:00Z", "previous-expires-at")
				expect(t, s.Annotations[authv1alpha1.RevisionAnnotation], "2", "revision")
			},
		},
		"reissue after an edit drops the previous": {
			tok: tok, cur: cur, d: policy.Decision{Action: policy.ActionIssue}, value: valueB,
			check: func(t *testing.T, s *corev1.Secret) {
				if _, ok := s.Data["token.previous"]; ok {
					t.Fatal("previous kept without KeepPrevious")
				}
			},
		},
		"grace period over: previous removed": {
			tok: tok, cur: withPrevious(cur, valueB, testNow.Add(-time.Second)), d: policy.Decision{Action: policy.ActionNone},
			check: func(t *testing.T, s *corev1.Secret) {
				if _, ok := s.Data["token.previous"]; ok {
					t.Fatal("previous kept after its grace period")
				}
				expect(t, string(s.Data["token"]), valueA, "data.token")
			},
		},
		"grace period running: previous kept": {
			tok: tok, cur: withPrevious(cur, valueB, testNow.Add(time.Minute)), d: policy.Decision{Action: policy.ActionNone},
			check: func(t *testing.T, s *corev1.Secret) {
				expect(t, string(s.Data["token.previous"]), valueB, "data[token.previous]")
			},
		},
		"revoke clears the values and marks the time": {
			tok: tok, cur: withPrevious(cur, valueB, testNow.Add(time.Minute)), d: policy.Decision{Action: policy.ActionRevoke},
			check: func(t *testing.T, s *corev1.Secret) {
				if len(s.Data) != 0 {
					t.Fatalf("data keys left after revoke: %d", len(s.Data))
				}
				expect(t, s.Annotations[authv1alpha1.RevokedAtAnnotation], "2026-11-23T12:00:00Z", "revoked-at")
				expect(t, s.Annotations[authv1alpha1.TokenHashAnnotation], "", "hash")
			},
		},
		"Retain removes the owner reference": {
			tok: retain, cur: cur, d: policy.Decision{Action: policy.ActionNone},
			check: func(t *testing.T, s *corev1.Secret) {
				if len(s.OwnerReferences) != 0 {
					t.Fatalf("owner references under Retain: %+v", s.OwnerReferences)
				}
				expect(t, s.Annotations[authv1alpha1.OwnerAnnotation], "ci", "owner annotation")
			},
		},
		"nothing to do: unchanged": {
			tok: tok, cur: cur, d: policy.Decision{Action: policy.ActionNone},
			check: func(t *testing.T, s *corev1.Secret) {
				if got := desiredSecret(tok, cur, policy.Decision{}, token.Value{}, "", testNow); !equalSecrets(got, cur) {
					t.Fatal("a no-op decision changed the Secret")
				}
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			var before *corev1.Secret
			if tc.cur != nil {
				before = tc.cur.DeepCopy()
			}
			s := desiredSecret(tc.tok, tc.cur, tc.d, token.NewValue([]byte(tc.value)), "", testNow)
			tc.check(t, s)
			if tc.cur != nil && !equalSecrets(before, tc.cur) {
				t.Fatal("desiredSecret modified its input")
			}
		})
	}
}

func withPrevious(s *corev1.Secret, v string, expires time.Time) *corev1.Secret {
	s = s.DeepCopy()
	s.Data["token.previous"] = []byte(v)
	s.Annotations[authv1alpha1.PreviousExpiresAtAnnotation] = policy.FormatTime(expires)
	return s
}

func expect(t *testing.T, got, want, what string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}
