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
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

const (
	ns        = "team-a"
	value     = "abcdefghijklmnopqrstuvwxyz012345"
	otherVal  = "zyxwvutsrqponmlkjihgfedcba543210"
	rotateAnn = authv1alpha1.RotateAnnotation
)

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// holding is the state of a Secret the operator wrote with v at issuedAt.
func holding(v string, issuedAt time.Time, revision int64) tokensecret.State {
	val := token.NewValue([]byte(v))
	return tokensecret.State{Current: val, Hash: val.Fingerprint(), IssuedAt: issuedAt, Revision: revision}
}

// managed is the Secret the operator would have written for tok at issuedAt.
func managed(tok *authv1alpha1.ApiToken, v string, issuedAt time.Time, revision int64) *corev1.Secret {
	return tokensecret.Apply(tok, nil, holding(v, issuedAt, revision), testutil.Marker)
}

// written is the Secret the operator would have written for tok holding st.
func written(tok *authv1alpha1.ApiToken, st tokensecret.State) *corev1.Secret {
	return tokensecret.Apply(tok, nil, st, testutil.Marker)
}

// edited is s with a data key set by hand.
func edited(s *corev1.Secret, key, v string) *corev1.Secret {
	s = s.DeepCopy()
	s.Data[key] = []byte(v)
	return s
}

// input is tc.in as gather would have built it: the target's ownership and
// state read once.
func input(tc Input) Input {
	in := NewInput(tc.Token, tc.Secret, testutil.Marker, tc.Now)
	in.Source, in.SourceUnchanged, in.SourceVersion = tc.Source, tc.SourceUnchanged, tc.SourceVersion
	return in
}

func TestDecide(t *testing.T) {
	gen := testutil.MakeApiToken(ns, "ci").Obj()
	genTTL := testutil.MakeApiToken(ns, "ci").TTL(time.Hour).Rotation(10*time.Minute, 5*time.Minute).Obj()
	rotateReq := testutil.MakeApiToken(ns, "ci").Annotation(rotateAnn, "1").Obj()
	revoked := testutil.MakeApiToken(ns, "ci").Revoked(true).Obj()
	imp := testutil.MakeApiToken(ns, "ci").Import("src", "", "").Obj()
	impBadPattern := testutil.MakeApiToken(ns, "ci").Import("src", "", "(abc").Obj()
	src := testutil.MakeSecret(ns, "src").Data("token", value).Obj()

	cases := map[string]struct {
		in         Input
		wantAction Action
		wantReason string
		wantKeep   bool
		wantMsg    string
	}{
		"no Secret: issue": {
			in: Input{Token: gen}, wantAction: ActionIssue, wantReason: authv1alpha1.ReasonIssued,
		},
		"Secret deleted after an issue: reissue": {
			in: Input{Token: testutil.MakeApiToken(ns, "ci").Revision(3).Obj()}, wantAction: ActionIssue, wantReason: authv1alpha1.ReasonReissued, wantMsg: "was deleted",
		},
		"consistent Secret: nothing": {
			in: Input{Token: gen, Secret: managed(gen, value, now.Add(-time.Hour), 1)}, wantAction: ActionNone,
		},
		"value edited: reissue without keeping the edited value": {
			in: Input{Token: gen, Secret: edited(managed(gen, value, now, 1), "token", otherVal)}, wantAction: ActionIssue, wantReason: authv1alpha1.ReasonReissued, wantMsg: "removed or edited",
		},
		"key removed: reissue": {
			in: Input{Token: gen, Secret: func() *corev1.Secret { s := managed(gen, value, now, 1); delete(s.Data, "token"); return s }()}, wantAction: ActionIssue, wantReason: authv1alpha1.ReasonReissued,
		},
		"unowned Secret of the target name: conflict": {
			in: Input{Token: gen, Secret: testutil.MakeSecret(ns, "ci").Data("token", value).Obj()}, wantAction: ActionFail, wantReason: authv1alpha1.ReasonSecretConflict, wantMsg: "not managed by this ApiToken",
		},
		"Secret controlled by an earlier ApiToken of the same name: conflict": {
			in: Input{Token: gen, Secret: managed(testutil.MakeApiToken(ns, "ci").UID("earlier").Obj(), value, now, 1)}, wantAction: ActionFail, wantReason: authv1alpha1.ReasonSecretConflict,
		},
		"rotate annotation: rotate and keep the previous": {
			in: Input{Token: rotateReq, Secret: managed(rotateReq, value, now, 1)}, wantAction: ActionIssue, wantReason: authv1alpha1.ReasonRotated, wantKeep: true,
		},
		"rotate annotation already handled: nothing": {
			in: Input{Token: rotateReq, Secret: written(rotateReq, func() tokensecret.State { st := holding(value, now, 2); st.RotateHandled = "1"; return st }())}, wantAction: ActionNone,
		},
		"before renewal time: nothing": {
			in: Input{Token: genTTL, Secret: managed(genTTL, value, now.Add(-49*time.Minute), 1), Now: now}, wantAction: ActionNone,
		},
		"at renewal time: rotate and keep the previous": {
			in: Input{Token: genTTL, Secret: managed(genTTL, value, now.Add(-50*time.Minute), 1), Now: now}, wantAction: ActionIssue, wantReason: authv1alpha1.ReasonRotated, wantKeep: true, wantMsg: "rotated automatically",
		},
		"renewal missed until after expiry: rotate, previous not kept": {
			in: Input{Token: genTTL, Secret: managed(genTTL, value, now.Add(-2*time.Hour), 1), Now: now}, wantAction: ActionIssue, wantReason: authv1alpha1.ReasonRotated, wantKeep: false,
		},
		"expired without renewBefore: nothing": {
			in: Input{Token: testutil.MakeApiToken(ns, "ci").TTL(time.Minute).Obj(), Secret: managed(gen, value, now.Add(-time.Hour), 1), Now: now}, wantAction: ActionNone,
		},
		"revoked with a token in the Secret: revoke": {
			in: Input{Token: revoked, Secret: managed(revoked, value, now, 1)}, wantAction: ActionRevoke, wantReason: authv1alpha1.ReasonRevoked,
		},
		"revoked and already removed: nothing": {
			in: Input{Token: revoked, Secret: written(revoked, tokensecret.State{Revoked: true, RevokedAt: now})}, wantAction: ActionNone, wantReason: authv1alpha1.ReasonRevoked,
		},
		"revoked with no Secret: nothing is created": {
			in: Input{Token: revoked}, wantAction: ActionNone, wantReason: authv1alpha1.ReasonRevoked,
		},
		"revoked but the Secret is someone else's: left alone": {
			in: Input{Token: revoked, Secret: testutil.MakeSecret(ns, "ci").Data("token", value).Obj()}, wantAction: ActionNone, wantReason: authv1alpha1.ReasonRevoked,
		},
		"revocation lifted: issue a new token": {
			in: Input{Token: gen, Secret: written(gen, tokensecret.State{Revoked: true, RevokedAt: now, Revision: 1})}, wantAction: ActionIssue, wantReason: authv1alpha1.ReasonIssued,
		},
		"import: copy a valid value": {
			in: Input{Token: imp, Source: src}, wantAction: ActionImport, wantReason: authv1alpha1.ReasonImported,
		},
		"import: source missing": {
			in: Input{Token: imp}, wantAction: ActionFail, wantReason: authv1alpha1.ReasonSourceNotFound, wantMsg: "import source Secret \"src\" not found",
		},
		"import: key missing names the key, not the keys there are": {
			in: Input{Token: imp, Source: testutil.MakeSecret(ns, "src").Data("password", value).Obj()}, wantAction: ActionFail, wantReason: authv1alpha1.ReasonSourceNotFound, wantMsg: "has no key \"token\": add it",
		},
		"import: value breaks the default rule": {
			in: Input{Token: imp, Source: testutil.MakeSecret(ns, "src").Data("token", "short").Obj()}, wantAction: ActionFail, wantReason: authv1alpha1.ReasonInvalidImport, wantMsg: "exactly 32 characters of [a-z0-9]",
		},
		"import: pattern is not RE2": {
			in: Input{Token: impBadPattern, Source: src}, wantAction: ActionFail, wantReason: authv1alpha1.ReasonInvalidImport, wantMsg: "spec.source.import.pattern",
		},
		"import: invalid source keeps the Secret but fails": {
			in: Input{Token: imp, Secret: managed(imp, value, now, 1), Source: testutil.MakeSecret(ns, "src").Data("token", "NOPE").Obj()}, wantAction: ActionFail, wantReason: authv1alpha1.ReasonInvalidImport,
		},
		"import: source unchanged: nothing": {
			in: Input{Token: imp, Secret: managed(imp, value, now, 1), SourceUnchanged: true}, wantAction: ActionNone,
		},
		"import: source unchanged but the new pattern rejects it": {
			in: Input{Token: testutil.MakeApiToken(ns, "ci").Import("src", "", "[0-9]+").Obj(), Secret: managed(imp, value, now, 1), SourceUnchanged: true}, wantAction: ActionFail, wantReason: authv1alpha1.ReasonInvalidImport,
		},
		"import: source changed: follow it, keeping the previous": {
			in: Input{Token: imp, Secret: managed(imp, otherVal, now, 1), Source: src}, wantAction: ActionImport, wantReason: authv1alpha1.ReasonImported, wantKeep: true, wantMsg: "the import source changed",
		},
		"import: target edited: copy again": {
			in: Input{Token: imp, Secret: edited(managed(imp, value, now, 1), "token", otherVal), Source: src}, wantAction: ActionImport, wantReason: authv1alpha1.ReasonReissued,
		},
		"import: rotate annotation re-reads": {
			in: Input{Token: testutil.MakeApiToken(ns, "ci").Import("src", "", "").Annotation(rotateAnn, "x").Obj(), Secret: managed(imp, value, now, 1), Source: src}, wantAction: ActionImport, wantReason: authv1alpha1.ReasonImported, wantMsg: "re-read",
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Decide(input(tc.in))
			if got.Action != tc.wantAction || got.Reason != tc.wantReason || got.KeepPrevious != tc.wantKeep {
				t.Fatalf("Decide = {%s %s keep=%v}, want {%s %s keep=%v}; message: %s",
					got.Action, got.Reason, got.KeepPrevious, tc.wantAction, tc.wantReason, tc.wantKeep, got.Message)
			}
			if !strings.Contains(got.Message, tc.wantMsg) {
				t.Fatalf("message %q does not contain %q", got.Message, tc.wantMsg)
			}
			for _, v := range []string{value, otherVal, "NOPE", "short"} {
				if strings.Contains(got.Message, v) {
					t.Fatalf("message %q contains a token value", got.Message)
				}
			}
			if got.Action == ActionImport && !got.Value.Equal(token.NewValue([]byte(value))) {
				t.Fatal("import decision does not carry the source's value")
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		tok         *authv1alpha1.ApiToken
		wantExpiry  time.Time
		wantRenewal time.Time
	}{
		"no ttl: never expires":       {tok: testutil.MakeApiToken(ns, "a").Obj()},
		"ttl":                         {tok: testutil.MakeApiToken(ns, "a").TTL(720 * time.Hour).Obj(), wantExpiry: issued.Add(720 * time.Hour)},
		"ttl and renewBefore":         {tok: testutil.MakeApiToken(ns, "a").TTL(time.Hour).Rotation(15*time.Minute, 0).UID("").Obj(), wantExpiry: issued.Add(time.Hour), wantRenewal: issued.Add(45 * time.Minute)},
		"sub-second ttl is truncated": {tok: testutil.MakeApiToken(ns, "a").TTL(1500 * time.Millisecond).Obj(), wantExpiry: issued.Add(time.Second)},
		"import never renews":         {tok: testutil.MakeApiToken(ns, "a").Import("s", "", "").TTL(time.Hour).Rotation(time.Minute, 0).Obj(), wantExpiry: issued.Add(time.Hour)},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s := ScheduleFor(tc.tok, issued)
			if !s.Expiry.Equal(tc.wantExpiry) || !s.Renewal.Equal(tc.wantRenewal) {
				t.Fatalf("ScheduleFor = %+v, want expiry %v renewal %v", s, tc.wantExpiry, tc.wantRenewal)
			}
		})
	}
}

func TestRenewalJitter(t *testing.T) {
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	renewals := map[time.Time]int{}
	for i := range 1000 {
		tok := testutil.MakeApiToken(ns, "a").TTL(time.Hour).Rotation(15*time.Minute, 0).UID(fmt.Sprintf("uid-%04d", i)).Obj()
		s := ScheduleFor(tok, issued)
		if again := ScheduleFor(tok, issued); !again.Renewal.Equal(s.Renewal) {
			t.Fatal("the renewal time is not stable")
		}
		latest := issued.Add(45 * time.Minute)
		if s.Renewal.After(latest) || s.Renewal.Before(latest.Add(-90*time.Second)) || s.Renewal.Nanosecond() != 0 {
			t.Fatalf("renewal %v is outside [%v, %v] or not whole seconds", s.Renewal, latest.Add(-90*time.Second), latest)
		}
		renewals[s.Renewal]++
	}
	// A tenth of 15m is 90s: 91 possible seconds for 1000 tokens.
	if len(renewals) < 80 {
		t.Fatalf("1000 tokens renew in only %d distinct seconds", len(renewals))
	}
	for at, n := range renewals {
		if n > 30 {
			t.Errorf("%d tokens renew at %v", n, at)
		}
	}
	if d := RenewalJitter("uid", 5*time.Second); d != 0 {
		t.Errorf("jitter for a 5s renewBefore = %v, want 0 (a tenth is under a second)", d)
	}
	if d := RenewalJitter("uid-x", 1000*time.Hour); d > 5*time.Minute {
		t.Errorf("jitter %v over the 5m cap", d)
	}
}

func TestNextDeadline(t *testing.T) {
	cases := map[string]struct {
		times  []time.Time
		want   time.Duration
		wantOK bool
	}{
		"none":                 {},
		"only past times":      {times: []time.Time{now.Add(-time.Second), now}},
		"earliest future time": {times: []time.Time{now.Add(time.Hour), {}, now.Add(time.Minute), now.Add(-time.Minute)}, want: time.Minute, wantOK: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, ok := NextDeadline(now, tc.times...)
			if got != tc.want || ok != tc.wantOK {
				t.Fatalf("NextDeadline = %v, %v; want %v, %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
