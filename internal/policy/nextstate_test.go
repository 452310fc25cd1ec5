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
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

const (
	valueA  = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	valueB  = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	userKey = "example.com/backup"
)

// testNow is not a whole second: every time written must be.
var testNow = time.Date(2026, 11, 23, 12, 0, 0, 500, time.UTC)

// desired is the Secret after acting on d: what act writes.
func desired(tok *authv1alpha1.ApiToken, cur *corev1.Secret, d Decision, v string, now time.Time) *corev1.Secret {
	return tokensecret.Apply(tok, cur, NextState(NewInput(tok, cur, testutil.Marker, now), d, token.NewValue([]byte(v))), testutil.Marker)
}

// issued is the Secret of a token issued with v at at.
func issued(tok *authv1alpha1.ApiToken, v string, at time.Time) *corev1.Secret {
	return desired(tok, nil, Decision{Action: ActionIssue}, v, at)
}

func TestNextState(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").TTL(time.Hour).Rotation(0, 10*time.Minute).SecretLabel(userKey, "yes").Obj()
	retain := testutil.MakeApiToken(ns, "ci").DeletionPolicy(authv1alpha1.DeletionPolicyRetain).Obj()
	cur := issued(tok, valueA, testNow.Add(-time.Hour))

	cases := map[string]struct {
		tok   *authv1alpha1.ApiToken
		cur   *corev1.Secret
		d     Decision
		value string
		check func(t *testing.T, s *corev1.Secret, st tokensecret.State)
	}{
		"new Secret: value, hash, dates, revision, label, owner": {
			tok: tok, d: Decision{Action: ActionIssue}, value: valueA,
			check: func(t *testing.T, s *corev1.Secret, st tokensecret.State) {
				expect(t, string(s.Data["token"]), valueA, "data.token")
				expect(t, st.Hash, token.Fingerprint([]byte(valueA)), "hash")
				expect(t, tokensecret.FormatTime(st.IssuedAt), "2026-11-23T12:00:00Z", "issued-at")
				expectInt(t, st.Revision, 1, "revision")
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
			tok: tok, cur: cur, d: Decision{Action: ActionIssue, KeepPrevious: true}, value: valueB,
			check: func(t *testing.T, s *corev1.Secret, st tokensecret.State) {
				expect(t, string(s.Data["token"]), valueB, "data.token")
				expect(t, string(s.Data["token.previous"]), valueA, "data[token.previous]")
				expect(t, tokensecret.FormatTime(st.PreviousExpiresAt), "2026-11-23T12:10:00Z", "previous-expires-at")
				expectInt(t, st.Revision, 2, "revision")
			},
		},
		"reissue after an edit drops the previous": {
			tok: tok, cur: cur, d: Decision{Action: ActionIssue}, value: valueB,
			check: func(t *testing.T, s *corev1.Secret, _ tokensecret.State) {
				if _, ok := s.Data["token.previous"]; ok {
					t.Fatal("previous kept without KeepPrevious")
				}
			},
		},
		"the revision continues from status when the Secret was lost": {
			tok: testutil.MakeApiToken(ns, "ci").Revision(7).Obj(), d: Decision{Action: ActionIssue}, value: valueA,
			check: func(t *testing.T, _ *corev1.Secret, st tokensecret.State) { expectInt(t, st.Revision, 8, "revision") },
		},
		"import records the source's version": {
			tok: tok, cur: cur, d: Decision{Action: ActionImport}, value: valueB,
			check: func(t *testing.T, _ *corev1.Secret, st tokensecret.State) {
				expect(t, st.SourceVersion, "src-7", "source version")
			},
		},
		"grace period over: previous removed": {
			tok: tok, cur: withPrevious(tok, cur, valueB, testNow.Add(-time.Second)), d: Decision{Action: ActionNone},
			check: func(t *testing.T, s *corev1.Secret, _ tokensecret.State) {
				if _, ok := s.Data["token.previous"]; ok {
					t.Fatal("previous kept after its grace period")
				}
				expect(t, string(s.Data["token"]), valueA, "data.token")
			},
		},
		"grace period running: previous kept": {
			tok: tok, cur: withPrevious(tok, cur, valueB, testNow.Add(time.Minute)), d: Decision{Action: ActionNone},
			check: func(t *testing.T, s *corev1.Secret, _ tokensecret.State) {
				expect(t, string(s.Data["token.previous"]), valueB, "data[token.previous]")
			},
		},
		"revoke clears the values and marks the time": {
			tok: tok, cur: withPrevious(tok, cur, valueB, testNow.Add(time.Minute)), d: Decision{Action: ActionRevoke},
			check: func(t *testing.T, s *corev1.Secret, st tokensecret.State) {
				if len(s.Data) != 0 {
					t.Fatalf("data keys left after revoke: %d", len(s.Data))
				}
				expect(t, tokensecret.FormatTime(st.RevokedAt), "2026-11-23T12:00:00Z", "revoked-at")
				expect(t, st.Hash, "", "hash")
			},
		},
		"revoked again: the first time stays": {
			tok: tok, cur: desired(tok, cur, Decision{Action: ActionRevoke}, "", testNow.Add(-time.Hour)), d: Decision{Action: ActionRevoke},
			check: func(t *testing.T, _ *corev1.Secret, st tokensecret.State) {
				expect(t, tokensecret.FormatTime(st.RevokedAt), "2026-11-23T11:00:00Z", "revoked-at")
			},
		},
		"a failure that withdraws the token clears it, not the revision": {
			tok: tok, cur: withPrevious(tok, cur, valueB, testNow.Add(time.Minute)), d: Decision{Action: ActionFail, WithdrawToken: true},
			check: func(t *testing.T, s *corev1.Secret, st tokensecret.State) {
				if len(s.Data) != 0 || st.Hash != "" || st.Revoked {
					t.Fatalf("withdrawn: data keys %d, hash %q, revoked %v", len(s.Data), st.Hash, st.Revoked)
				}
				expectInt(t, st.Revision, 1, "revision")
			},
		},
		"a failure writes nothing": {
			tok: tok, cur: withPrevious(tok, cur, valueB, testNow.Add(-time.Minute)), d: Decision{Action: ActionFail},
			check: func(t *testing.T, s *corev1.Secret, _ tokensecret.State) {
				expect(t, string(s.Data["token.previous"]), valueB, "data[token.previous]")
			},
		},
		"Retain removes the owner reference": {
			tok: retain, cur: cur, d: Decision{Action: ActionNone},
			check: func(t *testing.T, s *corev1.Secret, _ tokensecret.State) {
				if len(s.OwnerReferences) != 0 {
					t.Fatalf("owner references under Retain: %+v", s.OwnerReferences)
				}
				expect(t, tokensecret.OwnerName(s), "ci", "owner annotation")
			},
		},
		"nothing to do: unchanged": {
			tok: tok, cur: cur, d: Decision{Action: ActionNone},
			check: func(t *testing.T, _ *corev1.Secret, _ tokensecret.State) {
				if got := desired(tok, cur, Decision{}, "", testNow); !equality.Semantic.DeepEqual(got, cur) {
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
			in := NewInput(tc.tok, tc.cur, testutil.Marker, testNow)
			in.SourceVersion = "src-7"
			next := NextState(in, tc.d, token.NewValue([]byte(tc.value)))
			s := tokensecret.Apply(tc.tok, tc.cur, next, testutil.Marker)
			tc.check(t, s, tokensecret.Read(tc.tok, s))
			if tc.cur != nil && !equality.Semantic.DeepEqual(before, tc.cur) {
				t.Fatal("acting modified the Secret it was given")
			}
		})
	}
}

func TestTouchesSecret(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").Obj()
	ours := NewInput(tok, issued(tok, valueA, testNow), testutil.Marker, testNow)
	foreign := NewInput(tok, testutil.MakeSecret(ns, "ci").Data("token", valueA).Obj(), testutil.Marker, testNow)
	none := NewInput(tok, nil, testutil.Marker, testNow)

	cases := map[string]struct {
		in   Input
		d    Decision
		want bool
	}{
		"issue into a missing Secret":                {in: none, d: Decision{Action: ActionIssue}, want: true},
		"nothing to do and no Secret":                {in: none, d: Decision{Action: ActionNone}},
		"revoke without a Secret creates none":       {in: none, d: Decision{Action: ActionRevoke}},
		"nothing to do: metadata is restored":        {in: ours, d: Decision{Action: ActionNone}, want: true},
		"a failure leaves the Secret":                {in: ours, d: Decision{Action: ActionFail}},
		"a withdrawing failure writes":               {in: ours, d: Decision{Action: ActionFail, WithdrawToken: true}, want: true},
		"a withdrawing failure without Secret":       {in: none, d: Decision{Action: ActionFail, WithdrawToken: true}},
		"someone else's Secret, whatever is decided": {in: foreign, d: Decision{Action: ActionIssue}},
		"someone else's Secret, revoked":             {in: foreign, d: Decision{Action: ActionNone}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tc.d.TouchesSecret(tc.in); got != tc.want {
				t.Fatalf("TouchesSecret = %v, want %v", got, tc.want)
			}
		})
	}
}

func withPrevious(tok *authv1alpha1.ApiToken, s *corev1.Secret, v string, expires time.Time) *corev1.Secret {
	st := tokensecret.Read(tok, s)
	st.Previous, st.PreviousExpiresAt = token.NewValue([]byte(v)), expires.Truncate(time.Second)
	return tokensecret.Apply(tok, s, st, testutil.Marker)
}

func expect(t *testing.T, got, want, what string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

func expectInt(t *testing.T, got, want int64, what string) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %d, want %d", what, got, want)
	}
}
