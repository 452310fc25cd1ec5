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
	"fmt"
	"slices"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// reconcileHashed is one reconcile of a hash-only token at t, as the
// controller runs it: decide, then status from the decision.
func reconcileHashed(tok *authv1alpha1.ApiToken, t time.Time) (*authv1alpha1.ApiToken, Decision) {
	in := NewInput(tok, nil, testutil.Marker, t)
	d := Decide(in)
	out := tok.DeepCopy()
	out.Status = Status(tok, Unchanged(in, d), t)
	return out, d
}

// withHash is tok with spec.source.hashed naming v.
func withHash(tok *authv1alpha1.ApiToken, v string) *authv1alpha1.ApiToken {
	tok = tok.DeepCopy()
	val := token.NewValue([]byte(v))
	tok.Spec.Source.Hashed.TokenHash, tok.Spec.Source.Hashed.TokenLastChars = val.Fingerprint(), val.LastChars(5)
	return tok
}

func readyReason(tok *authv1alpha1.ApiToken) string {
	if c := meta.FindStatusCondition(tok.Status.Conditions, authv1alpha1.ConditionReady); c != nil {
		return c.Reason
	}
	return ""
}

func TestHashedLifecycle(t *testing.T) {
	fpA, fpB := token.NewValue([]byte(value)).Fingerprint(), token.NewValue([]byte(otherVal)).Fingerprint()
	type step struct {
		edit       func(*authv1alpha1.ApiToken) *authv1alpha1.ApiToken
		at         time.Duration // after now
		wantAction Action
		wantStatus authv1alpha1.TokenStatus
		wantReason string
		check      func(t *testing.T, s authv1alpha1.ApiTokenStatus)
	}
	base := testutil.MakeApiToken(ns, "alice").Hashed(value).TTL(time.Hour)
	cases := map[string]struct {
		tok   *authv1alpha1.ApiToken
		steps []step
	}{
		"accepted, then steady, then expired": {
			tok: base.Obj(),
			steps: []step{
				{wantAction: ActionAccept, wantStatus: authv1alpha1.TokenStatusActive, wantReason: authv1alpha1.ReasonImported,
					check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
						expect(t, s.TokenHash, fpA, "tokenHash")
						expect(t, s.TokenLastChars, value[len(value)-5:], "tokenLastChars")
						expect(t, s.CreationDate.String(), now.String(), "creationDate")
						expect(t, s.ExpirationDate.String(), now.Add(time.Hour).String(), "expirationDate")
						expect(t, s.SecretName, "", "secretName")
						if s.Revision != 1 {
							t.Fatalf("revision %d, want 1", s.Revision)
						}
					}},
				{at: 30 * time.Minute, wantAction: ActionNone, wantStatus: authv1alpha1.TokenStatusActive,
					check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
						expect(t, s.CreationDate.String(), now.String(), "creationDate kept")
						if s.Revision != 1 {
							t.Fatalf("revision %d, want 1", s.Revision)
						}
					}},
				{at: time.Hour, wantAction: ActionNone, wantStatus: authv1alpha1.TokenStatusExpired, wantReason: authv1alpha1.ReasonExpired},
			},
		},
		"a new hash with a grace period keeps the previous one until it ends": {
			tok: testutil.MakeApiToken(ns, "alice").Hashed(value).TTL(time.Hour).Rotation(0, 10*time.Minute).Obj(),
			steps: []step{
				{wantAction: ActionAccept, wantStatus: authv1alpha1.TokenStatusActive},
				{at: time.Minute, edit: func(t *authv1alpha1.ApiToken) *authv1alpha1.ApiToken { return withHash(t, otherVal) },
					wantAction: ActionAccept, wantStatus: authv1alpha1.TokenStatusActive,
					check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
						expect(t, s.TokenHash, fpB, "tokenHash")
						expect(t, s.PreviousTokenHash, fpA, "previousTokenHash")
						expect(t, s.PreviousTokenExpirationDate.String(), now.Add(11*time.Minute).String(), "previousTokenExpirationDate")
						expect(t, s.CreationDate.String(), now.Add(time.Minute).String(), "creationDate of the new token")
						if s.Revision != 2 {
							t.Fatalf("revision %d, want 2", s.Revision)
						}
					}},
				{at: 11 * time.Minute, wantAction: ActionNone, wantStatus: authv1alpha1.TokenStatusActive,
					check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
						if s.PreviousTokenHash != "" || s.PreviousTokenExpirationDate != nil {
							t.Fatalf("previous token still there after its grace: %q until %v", s.PreviousTokenHash, s.PreviousTokenExpirationDate)
						}
					}},
			},
		},
		"a new hash without a grace period drops the previous one": {
			tok: base.Obj(),
			steps: []step{
				{wantAction: ActionAccept},
				{edit: func(t *authv1alpha1.ApiToken) *authv1alpha1.ApiToken { return withHash(t, otherVal) }, wantAction: ActionAccept,
					wantStatus: authv1alpha1.TokenStatusActive, wantReason: authv1alpha1.ReasonImported,
					check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
						expect(t, s.PreviousTokenHash, "", "previousTokenHash")
					}},
			},
		},
		"the grace period ends no later than the previous token would have expired": {
			tok: testutil.MakeApiToken(ns, "alice").Hashed(value).TTL(time.Hour).Rotation(0, 30*time.Minute).Obj(),
			steps: []step{
				{wantAction: ActionAccept},
				{at: 50 * time.Minute, edit: func(t *authv1alpha1.ApiToken) *authv1alpha1.ApiToken { return withHash(t, otherVal) },
					wantAction: ActionAccept, wantStatus: authv1alpha1.TokenStatusActive,
					check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
						expect(t, s.PreviousTokenExpirationDate.String(), now.Add(time.Hour).String(), "previousTokenExpirationDate")
					}},
			},
		},
		"an expired token gets no grace period": {
			tok: testutil.MakeApiToken(ns, "alice").Hashed(value).TTL(time.Hour).Rotation(0, 10*time.Minute).Obj(),
			steps: []step{
				{wantAction: ActionAccept},
				{at: 2 * time.Hour, edit: func(t *authv1alpha1.ApiToken) *authv1alpha1.ApiToken { return withHash(t, otherVal) },
					wantAction: ActionAccept, wantStatus: authv1alpha1.TokenStatusActive,
					check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
						expect(t, s.PreviousTokenHash, "", "previousTokenHash")
					}},
			},
		},
		"revoked, and the revoked fingerprint never comes back": {
			tok: testutil.MakeApiToken(ns, "alice").Hashed(value).Rotation(0, 10*time.Minute).Obj(),
			steps: []step{
				{wantAction: ActionAccept},
				{edit: func(t *authv1alpha1.ApiToken) *authv1alpha1.ApiToken { t.Spec.Revoked = true; return t },
					wantAction: ActionRevoke, wantStatus: authv1alpha1.TokenStatusRevoked, wantReason: authv1alpha1.ReasonRevoked,
					check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
						expect(t, s.TokenHash, fpA, "tokenHash kept, to tell which token was revoked")
					}},
				{wantAction: ActionNone, wantStatus: authv1alpha1.TokenStatusRevoked},
				{edit: func(t *authv1alpha1.ApiToken) *authv1alpha1.ApiToken { t.Spec.Revoked = false; return t },
					wantAction: ActionFail, wantStatus: authv1alpha1.TokenStatusFailed, wantReason: authv1alpha1.ReasonRevokedTokenReused},
				{wantAction: ActionFail, wantStatus: authv1alpha1.TokenStatusFailed, wantReason: authv1alpha1.ReasonRevokedTokenReused},
				{edit: func(t *authv1alpha1.ApiToken) *authv1alpha1.ApiToken { return withHash(t, otherVal) },
					wantAction: ActionAccept, wantStatus: authv1alpha1.TokenStatusActive,
					check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
						expect(t, s.PreviousTokenHash, "", "no grace for a revoked token")
						if s.Revision != 2 {
							t.Fatalf("revision %d, want 2", s.Revision)
						}
					}},
			},
		},
		"a status that lost its record accepts the spec's fingerprint again": {
			tok: func() *authv1alpha1.ApiToken {
				tok := base.Obj()
				tok.Status = authv1alpha1.ApiTokenStatus{Revision: 4}
				return tok
			}(),
			steps: []step{{wantAction: ActionAccept, wantStatus: authv1alpha1.TokenStatusActive,
				check: func(t *testing.T, s authv1alpha1.ApiTokenStatus) {
					if s.Revision != 5 {
						t.Fatalf("revision %d, want 5: revisions never go back", s.Revision)
					}
				}}},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tok := tc.tok
			for i, s := range tc.steps {
				if s.edit != nil {
					tok = s.edit(tok.DeepCopy())
					tok.Generation++
				}
				var d Decision
				tok, d = reconcileHashed(tok, now.Add(s.at))
				if d.Action != s.wantAction {
					t.Fatalf("step %d: action %s, want %s", i, d.Action, s.wantAction)
				}
				if s.wantStatus != "" && tok.Status.TokenStatus != s.wantStatus {
					t.Fatalf("step %d: tokenStatus %s, want %s (%s)", i, tok.Status.TokenStatus, s.wantStatus, readyReason(tok))
				}
				if s.wantReason != "" && readyReason(tok) != s.wantReason {
					t.Fatalf("step %d: Ready reason %s, want %s", i, readyReason(tok), s.wantReason)
				}
				if tok.Status.ObservedGeneration != tok.Generation {
					t.Fatalf("step %d: observedGeneration %d, generation %d", i, tok.Status.ObservedGeneration, tok.Generation)
				}
				if s.check != nil {
					s.check(t, tok.Status)
				}
			}
		})
	}
}

func TestHashedNeverTouchesASecret(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "alice").Hashed(value).Obj()
	in := NewInput(tok, testutil.MakeSecret(ns, "alice").Obj(), testutil.Marker, now)
	for _, d := range []Decision{{Action: ActionAccept}, {Action: ActionRevoke}, {Action: ActionFail, WithdrawToken: true}} {
		if d.TouchesSecret(in) {
			t.Errorf("%s touches a Secret of a hash-only token", d.Action)
		}
	}
	if !(Decision{Action: ActionAccept}).Writes() {
		t.Error("ActionAccept must count as a new token (events, metrics)")
	}
}

// Round two, finding 4: un-revoking with a new value, then putting the
// revoked fingerprint back, must not bring the revoked value back.
func TestARevokedFingerprintNeverComesBack(t *testing.T) {
	const a, b = "revokedvaluea0123456789abcdefghij", "newvalueb0123456789abcdefghijklmn"
	tok := withHash(testutil.MakeApiToken(ns, "laptop").Hashed(a).Obj(), a)
	tok, _ = reconcileHashed(tok, now)
	tok.Spec.Revoked = true
	tok, _ = reconcileHashed(tok, now.Add(time.Second))
	if tok.Status.TokenStatus != authv1alpha1.TokenStatusRevoked || len(tok.Status.RevokedTokenHashes) != 1 ||
		tok.Status.RevokedTokenHashes[0] != token.Fingerprint([]byte(a)) {
		t.Fatalf("revoked: status %s, revokedTokenHashes %v", tok.Status.TokenStatus, tok.Status.RevokedTokenHashes)
	}
	tok.Spec.Revoked = false
	tok = withHash(tok, b)
	tok, _ = reconcileHashed(tok, now.Add(2*time.Second))
	if tok.Status.TokenStatus != authv1alpha1.TokenStatusActive || tok.Status.TokenHash != token.Fingerprint([]byte(b)) {
		t.Fatalf("a new value after the revocation: %s %s", tok.Status.TokenStatus, readyReason(tok))
	}
	back := withHash(tok, a)
	back, d := reconcileHashed(back, now.Add(3*time.Second))
	if d.Reason != authv1alpha1.ReasonRevokedTokenReused || back.Status.TokenHash == token.Fingerprint([]byte(a)) {
		t.Fatalf("the revoked fingerprint put back: %+v, status tokenHash %s", d, back.Status.TokenHash)
	}
	if !Holds(tok, token.Fingerprint([]byte(a))) {
		t.Fatal("a revoked fingerprint stays held, so another ApiToken's copy is a duplicate")
	}
}

func TestTombstoneKeepsTheNewestOnce(t *testing.T) {
	var got []string
	for i := range MaxRevokedTokenHashes + 3 {
		got = tombstone(got, "", fmt.Sprintf("sha256:%02d", i))
	}
	got = tombstone(got, "sha256:17")
	if len(got) != MaxRevokedTokenHashes || got[0] != "sha256:17" || got[1] != "sha256:18" || slices.Contains(got, "sha256:00") {
		t.Fatalf("tombstones: %v", got)
	}
}
