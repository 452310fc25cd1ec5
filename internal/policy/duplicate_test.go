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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

func TestDuplicateFingerprints(t *testing.T) {
	fp := token.Fingerprint([]byte(value))
	earlier := Holder{UID: "uid-0", Since: now.Add(-time.Hour)}
	later := Holder{UID: "uid-9", Since: now.Add(time.Hour)}
	holding := func(uid string, since time.Time) *authv1alpha1.ApiToken {
		tok := testutil.MakeApiToken(ns, "copy").Hashed(value).UID(uid).Obj()
		tok.Status.TokenHash, tok.Status.CreationDate = fp, &metav1.Time{Time: since}
		return tok
	}
	cases := map[string]struct {
		tok     *authv1alpha1.ApiToken
		holders []Holder
		want    bool
	}{
		"nobody else holds it":                          {tok: testutil.MakeApiToken(ns, "copy").Hashed(value).Obj()},
		"another holds it, this one claims it":          {tok: testutil.MakeApiToken(ns, "copy").Hashed(value).Obj(), holders: []Holder{later}, want: true},
		"both hold it, the other since earlier":         {tok: holding("uid-5", now), holders: []Holder{earlier}, want: true},
		"both hold it, this one since earlier":          {tok: holding("uid-5", now), holders: []Holder{later}},
		"both since the same second, lower UID wins":    {tok: holding("uid-5", now), holders: []Holder{{UID: "uid-1", Since: now}}, want: true},
		"both since the same second, this UID is lower": {tok: holding("uid-5", now), holders: []Holder{{UID: "uid-7", Since: now}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := duplicate(tc.tok, fp, tc.holders); got != tc.want {
				t.Fatalf("duplicate = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDecideRefusesDuplicates(t *testing.T) {
	other := []Holder{{UID: "victim", Since: now.Add(-time.Hour)}}
	source := testutil.MakeSecret(ns, "src").Data("token", value).Obj()
	cases := map[string]struct {
		in           Input
		wantWithdraw bool
	}{
		"a hash-only copy of another's fingerprint": {
			in: Input{Token: testutil.MakeApiToken(ns, "copy").Hashed(value).Obj()},
		},
		"an import of a value another holds": {
			in: Input{Token: testutil.MakeApiToken(ns, "copy").Import("src", "", "").Obj(), Source: source},
		},
		"an import whose Secret already holds the value another holds": {
			in: func() Input {
				tok := testutil.MakeApiToken(ns, "copy").Import("src", "", "").Obj()
				return Input{Token: tok, Secret: managed(tok, value, now, 1), Source: source}
			}(),
			wantWithdraw: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := input(tc.in)
			in.Now, in.Holders = now, other
			d := Decide(in)
			if d.Action != ActionFail || d.Reason != authv1alpha1.ReasonDuplicateToken {
				t.Fatalf("decision = %s/%s, want Fail/DuplicateToken", d.Action, d.Reason)
			}
			for _, leak := range []string{"victim", ns} {
				if strings.Contains(d.Message, leak) {
					t.Fatalf("the message names %q: %s", leak, d.Message)
				}
			}
			if touches := d.TouchesSecret(in); touches != tc.wantWithdraw {
				t.Fatalf("TouchesSecret = %v, want %v", touches, tc.wantWithdraw)
			}
			if tc.wantWithdraw && !NextState(in, d, token.Value{}).Current.IsZero() {
				t.Fatal("the copy kept the value in its Secret")
			}
			st := Status(in.Token, Outcome{Decision: d, State: NextState(in, d, token.Value{})}, now)
			if st.TokenStatus != authv1alpha1.TokenStatusFailed || st.TokenHash == token.Fingerprint([]byte(value)) {
				t.Fatalf("status %s with tokenHash %q: a copy must be Failed and hold no fingerprint", st.TokenStatus, st.TokenHash)
			}
		})
	}
}

func TestDecideReissuesAnUntrustedValue(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").Obj()
	// A Secret that names tok in a controller reference someone forged,
	// holding a value they chose: the operator may overwrite it, never
	// report it.
	forged := testutil.MakeSecret(ns, "ci").ControlledBy(tok).
		Label(authv1alpha1.ManagedByLabel, authv1alpha1.ManagedByValue).
		Annotation(authv1alpha1.OwnerAnnotation, "ci").
		Annotation(authv1alpha1.TokenHashAnnotation, token.Fingerprint([]byte(otherVal))).
		Annotation(authv1alpha1.IssuedAtAnnotation, "2026-11-23T11:00:00Z").
		Data("token", otherVal).Obj()
	in := NewInput(tok, forged, testutil.Marker, now)
	if !in.Owned || !in.Untrusted || !in.State.Current.IsZero() {
		t.Fatalf("owned %v, untrusted %v, value kept %v", in.Owned, in.Untrusted, !in.State.Current.IsZero())
	}
	d := Decide(in)
	if d.Action != ActionIssue || d.Reason != authv1alpha1.ReasonReissued || !strings.Contains(d.Message, "not written by the operator") {
		t.Fatalf("decision = %+v, want a new token issued", d)
	}
	if st := Status(tok, Unchanged(in, d), now); st.TokenHash != "" {
		t.Fatalf("status reports the planted value's fingerprint %q", st.TokenHash)
	}
}

func TestFormerSecret(t *testing.T) {
	del := testutil.MakeApiToken(ns, "ci").SecretName("new").Obj()
	retain := testutil.MakeApiToken(ns, "ci").SecretName("new").DeletionPolicy(authv1alpha1.DeletionPolicyRetain).Obj()
	old := func(tok *authv1alpha1.ApiToken) *corev1.Secret {
		s := managed(tok, value, now, 1)
		s.Name = "old"
		return s
	}
	if r := FormerSecret(Input{Token: del}); r.Secret != nil {
		t.Fatal("no former Secret, yet something to retire")
	}
	if r := FormerSecret(Input{Token: del, Former: old(del)}); !r.Delete {
		t.Fatal("deletionPolicy Delete: the former Secret must be deleted")
	}
	r := FormerSecret(Input{Token: retain, Former: old(retain)})
	if r.Delete || r.Keep == nil || len(r.Keep.Data) != 0 {
		t.Fatalf("deletionPolicy Retain: want the Secret kept without the token, got %+v", r)
	}
}

// TestImportMessagesTellNothingOfTheSource: status is readable by whoever may
// read the ApiToken, who may not be allowed to read the source Secret
// (issue #23, finding 2): no key names, no length, no hint from the value.
func TestImportMessagesTellNothingOfTheSource(t *testing.T) {
	cases := map[string]struct {
		tok    *authv1alpha1.ApiToken
		source *corev1.Secret
		leaks  []string
	}{
		"a missing key": {
			tok:    testutil.MakeApiToken(ns, "imp").Import("src", "probe", "").Obj(),
			source: testutil.MakeSecret(ns, "src").Data("db-password", value).Data("api-key", value).Obj(),
			leaks:  []string{"db-password", "api-key"},
		},
		"a value over the size limit": {
			tok:    testutil.MakeApiToken(ns, "imp").Import("src", "", "a+").Obj(),
			source: testutil.MakeSecret(ns, "src").Data("token", strings.Repeat("a", 5000)).Obj(),
			leaks:  []string{"5000", "bytes long"},
		},
		"a pattern mismatch": {
			tok:    testutil.MakeApiToken(ns, "imp").Import("src", "", "[a-z]{4}").Obj(),
			source: testutil.MakeSecret(ns, "src").Data("token", "abcd\n").Obj(),
			leaks:  []string{"whitespace", "newline", "abcd"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			d := Decide(input(Input{Token: tc.tok, Source: tc.source, Now: now}))
			if d.Action != ActionFail {
				t.Fatalf("decision %s, want Fail", d.Action)
			}
			for _, leak := range tc.leaks {
				if strings.Contains(d.Message, leak) {
					t.Fatalf("the message tells %q: %s", leak, d.Message)
				}
			}
		})
	}
}

// A throttled creator's new fingerprints get one answer, held elsewhere or
// not, so that refusals answer no question about other people's tokens;
// the holder of a fingerprint is never throttled out of it.
func TestThrottledClaimsAnswerTheSame(t *testing.T) {
	fp := token.Fingerprint([]byte(value))
	claim := testutil.MakeApiToken(ns, "copy").Hashed(value).Obj()
	held := Decide(Input{Token: claim, Holders: []Holder{{UID: "victim", Since: now.Add(-time.Hour)}}, ClaimsThrottled: 10 * time.Minute, Now: now})
	free := Decide(Input{Token: claim, ClaimsThrottled: 10 * time.Minute, Now: now})
	if held != free || held.Reason != authv1alpha1.ReasonClaimsThrottled || held.Action != ActionFail {
		t.Fatalf("held elsewhere: %+v; held nowhere: %+v; want the same ClaimsThrottled failure", held, free)
	}
	for _, word := range []string{"another", "held", "holds", "duplicate"} {
		if strings.Contains(strings.ToLower(held.Message), word) {
			t.Fatalf("the message %q says %q", held.Message, word)
		}
	}
	if d := Decide(Input{Token: claim, Holders: []Holder{{UID: "victim", Since: now.Add(-time.Hour)}}, Now: now}); !RefusedClaim(&claim.Status, d) {
		t.Fatalf("a new DuplicateToken refusal counts against the creator: %+v", d)
	}

	holder := claim.DeepCopy()
	holder.Status.TokenHash, holder.Status.TokenStatus = fp, authv1alpha1.TokenStatusActive
	holder.Status.CreationDate = &metav1.Time{Time: now.Add(-time.Hour)}
	if d := Decide(Input{Token: holder, ClaimsThrottled: 10 * time.Minute, Now: now}); d.Action != ActionNone {
		t.Fatalf("the holder of a fingerprint is untouched by its creator's throttle: %+v", d)
	}
	refused := Status(claim, Outcome{}, now)
	refused.TokenStatus = authv1alpha1.TokenStatusFailed
	refused.Conditions = []metav1.Condition{{Type: authv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: authv1alpha1.ReasonDuplicateToken}}
	if d := failDuplicate(); RefusedClaim(&refused, d) {
		t.Fatal("a refusal already reported is not counted again")
	}
}

// A value revoked under another ApiToken, deleted since, is refused in
// words that name nobody, and the refusal counts against the creator.
func TestTombstonedValuesAreRefused(t *testing.T) {
	claim := testutil.MakeApiToken(ns, "copy").Hashed(value).Obj()
	d := Decide(Input{Token: claim, Tombstoned: true, Now: now})
	if d.Reason != authv1alpha1.ReasonRevokedTokenReused || d.Message != tombstoneMessage || !RefusedClaim(&claim.Status, d) {
		t.Fatalf("a tombstoned claim: %+v", d)
	}
	source := testutil.MakeSecret(ns, "src").Data("token", value).Obj()
	imp := testutil.MakeApiToken(ns, "copy").Import("src", "", "").Obj()
	if d := Decide(Input{Token: imp, Source: source, Tombstoned: true, Now: now}); d.Reason != authv1alpha1.ReasonRevokedTokenReused {
		t.Fatalf("a tombstoned import: %+v", d)
	}
}
