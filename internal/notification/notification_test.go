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

package notification

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func mt(t time.Time) *metav1.Time { v := metav1.NewTime(t); return &v }

// webhook is created at t0 with the default thresholds unless changed.
func webhook(mut func(*authv1alpha1.ApiTokenWebhook)) Rules {
	wh := &authv1alpha1.ApiTokenWebhook{ObjectMeta: metav1.ObjectMeta{Name: "team", Namespace: "pay", CreationTimestamp: metav1.NewTime(t0)}}
	if mut != nil {
		mut(wh)
	}
	r, err := NewRules(wh)
	if err != nil {
		panic(err)
	}
	return r
}

// token was issued at issued, expires at exp (zero: never), revision rev.
func token(issued, exp time.Time, rev int64) *authv1alpha1.ApiToken {
	tok := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Name: "ci", Namespace: "pay", UID: "u-1", Labels: map[string]string{"tier": "ci"}}}
	tok.Spec.Principal, tok.Spec.Type = "ci-bot", authv1alpha1.TokenTypeWorkflow
	tok.Status.CreationDate, tok.Status.Revision = mt(issued), rev
	if !exp.IsZero() {
		tok.Status.ExpirationDate = mt(exp)
	}
	tok.Status.TokenLastChars, tok.Status.TokenHash = "x9Kq2", "sha256:0123456789abcdef"
	return tok
}

func keys(fs []Fact) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Key())
	}
	return out
}

func TestDue(t *testing.T) {
	day := 24 * time.Hour
	exp := t0.Add(60 * day)
	cases := map[string]struct {
		rules    Rules
		tok      *authv1alpha1.ApiToken
		now      time.Time
		due      []string
		nextWant time.Time
	}{
		"nothing yet: the 30-day threshold is next": {rules: webhook(nil), tok: token(t0, exp, 1), now: t0.Add(day),
			nextWant: exp.Add(-720 * time.Hour)},
		"inside 30 days": {rules: webhook(nil), tok: token(t0, exp, 1), now: exp.Add(-700 * time.Hour),
			due: []string{"ExpiringSoon/720h"}, nextWant: exp.Add(-168 * time.Hour)},
		"inside 1 day: every threshold crossed, longest first": {rules: webhook(nil), tok: token(t0, exp, 1), now: exp.Add(-time.Hour),
			due: []string{"ExpiringSoon/720h", "ExpiringSoon/168h", "ExpiringSoon/24h"}, nextWant: exp},
		"expired: Expired, not the thresholds": {rules: webhook(nil), tok: token(t0, exp, 1), now: exp.Add(time.Second),
			due: []string{"Expired"}},
		"issued with 10 days left: no 30-day event, late or not": {rules: webhook(nil), tok: token(t0, t0.Add(10*day), 1), now: t0.Add(4 * day),
			due: []string{"ExpiringSoon/168h"}, nextWant: t0.Add(9 * day)},
		"a threshold crossed before the webhook existed is not told": {rules: webhook(func(w *authv1alpha1.ApiTokenWebhook) {
			w.CreationTimestamp = metav1.NewTime(exp.Add(-100 * time.Hour))
		}), tok: token(t0, exp, 1), now: exp.Add(-90 * time.Hour), nextWant: exp.Add(-24 * time.Hour)},
		"second-scale thresholds": {rules: webhook(func(w *authv1alpha1.ApiTokenWebhook) {
			w.Spec.ExpiringSoon = []metav1.Duration{{Duration: 2 * time.Second}, {Duration: 4 * time.Second}}
		}), tok: token(t0, t0.Add(6*time.Second), 1), now: t0.Add(3 * time.Second), due: []string{"ExpiringSoon/4s"}, nextWant: t0.Add(4 * time.Second)},
		"rotated": {rules: webhook(nil), tok: token(t0.Add(day), exp, 2), now: t0.Add(2 * day), due: []string{"Rotated"}, nextWant: exp.Add(-720 * time.Hour)},
		"only the events asked for": {rules: webhook(func(w *authv1alpha1.ApiTokenWebhook) {
			w.Spec.Events = []authv1alpha1.WebhookEvent{authv1alpha1.WebhookEventExpired}
		}), tok: token(t0.Add(day), exp, 2), now: exp.Add(-time.Hour), nextWant: exp},
		"revoked: Revoked only": {rules: webhook(nil), tok: func() *authv1alpha1.ApiToken {
			tok := token(t0, exp, 1)
			tok.Spec.Revoked = true
			tok.Status.Conditions = []metav1.Condition{{Type: authv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: authv1alpha1.ReasonRevoked, LastTransitionTime: metav1.NewTime(t0.Add(day))}}
			return tok
		}(), now: exp.Add(time.Hour), due: []string{"Revoked"}},
		"policy findings": {rules: webhook(nil), tok: func() *authv1alpha1.ApiToken {
			tok := token(t0, time.Time{}, 1)
			tok.Status.Policy = &authv1alpha1.PolicyStatus{Violations: []authv1alpha1.PolicyViolation{
				{Policy: "org", Rule: "MaxTTLExceeded", Message: "spec.ttl 8760h exceeds maxTTL 2160h"}, {Policy: "ci", Rule: "Unused", Message: "unused for 30 days"}}}
			tok.Status.Conditions = []metav1.Condition{{Type: authv1alpha1.ConditionPolicyCompliant, Status: metav1.ConditionFalse, LastTransitionTime: metav1.NewTime(t0.Add(day))}}
			return tok
		}(), now: t0.Add(2 * day), due: []string{"Unused/ci", "PolicyViolation/org/MaxTTLExceeded"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			due, next := tc.rules.Due(tc.tok, tc.now)
			if got := keys(due); !slices.Equal(got, tc.due) {
				t.Errorf("due %v, want %v", got, tc.due)
			}
			if !next.Equal(tc.nextWant) {
				t.Errorf("next %v, want %v", next, tc.nextWant)
			}
		})
	}
}

// A settled fact is not due again; a new revision or a moved expiry makes
// the expiry facts due afresh.
func TestSettle(t *testing.T) {
	exp := t0.Add(60 * 24 * time.Hour)
	r := webhook(nil)
	tok := token(t0, exp, 1)
	now := exp.Add(-100 * time.Hour) // inside 30 and 7 days
	due, _ := r.Due(tok, now)
	if got := keys(due); !slices.Equal(got, []string{"ExpiringSoon/720h", "ExpiringSoon/168h"}) {
		t.Fatalf("due %v", got)
	}
	all := func(string) bool { return true }
	tok.Status.Notifications = r.Settle(tok, due[0], all)
	if got, _ := r.Due(tok, now); !slices.Equal(keys(got), []string{"ExpiringSoon/168h"}) {
		t.Fatalf("after settling the first: due %v", keys(got))
	}
	tok.Status.Notifications = r.Settle(tok, due[1], all)
	if got, _ := r.Due(tok, now); len(got) != 0 {
		t.Fatalf("after settling both: due %v", keys(got))
	}

	moved := tok.DeepCopy()
	moved.Status.ExpirationDate = mt(exp.Add(time.Hour)) // a ttl edit: same revision
	if got, _ := r.Due(moved, now); !slices.Equal(keys(got), []string{"ExpiringSoon/720h", "ExpiringSoon/168h"}) {
		t.Errorf("expiry moved: due %v, want both thresholds afresh", keys(got))
	}
	renewed := tok.DeepCopy()
	renewed.Status.Revision, renewed.Status.CreationDate, renewed.Status.ExpirationDate = 2, mt(now), mt(now.Add(60*24*time.Hour))
	if got, _ := r.Due(renewed, now.Add(time.Minute)); !slices.Equal(keys(got), []string{"Rotated"}) {
		t.Errorf("renewed: due %v, want Rotated only", keys(got))
	}

	other := webhook(func(w *authv1alpha1.ApiTokenWebhook) { w.Name = "other" })
	tok.Status.Notifications = other.Settle(tok, due[0], all)
	if n := len(tok.Status.NotificationRecords()); n != 2 {
		t.Fatalf("records %d, want one per webhook", n)
	}
	if got, _ := r.Due(tok, now); len(got) != 0 {
		t.Errorf("another webhook's record changed this one's: due %v", keys(got))
	}
	tok.Status.Notifications = other.Settle(tok, due[1], func(name string) bool { return name != "team" })
	if recs := tok.Status.NotificationRecords(); len(recs) != 1 || recs[0].Name != "other" {
		t.Errorf("a deleted webhook's record stays: %+v", recs)
	}
}

func TestEventType(t *testing.T) {
	want := map[authv1alpha1.WebhookEvent]string{
		"ExpiringSoon": "io.apitoken.token.expiring-soon", "Expired": "io.apitoken.token.expired", "Rotated": "io.apitoken.token.rotated",
		"Revoked": "io.apitoken.token.revoked", "Unused": "io.apitoken.token.unused", "PolicyViolation": "io.apitoken.token.policy-violation",
	}
	for _, e := range authv1alpha1.WebhookEvents {
		if got := EventType(e); got != want[e] {
			t.Errorf("%s: %s, want %s", e, got, want[e])
		}
	}
}

// The body is a valid CloudEvent as the CloudEvents SDK reads it, with
// the fields, and holds neither the hash nor anything but the
// value's last characters.
func TestCloudEvent(t *testing.T) {
	exp := t0.Add(60 * 24 * time.Hour)
	tok := token(t0, exp, 3)
	f := Fact{Event: authv1alpha1.WebhookEventExpiringSoon, Threshold: 168 * time.Hour, Time: exp.Add(-168 * time.Hour), Reason: "ExpiringSoon", Message: "soon"}
	ev := Event{Token: tok, Fact: f, ConsoleURL: "https://tokens.example.com/console/"}
	body, err := ev.CloudEvent()
	if err != nil {
		t.Fatal(err)
	}
	var ce cloudevents.Event
	if err := json.Unmarshal(body, &ce); err != nil {
		t.Fatalf("not a CloudEvent: %v", err)
	}
	if err := ce.Validate(); err != nil {
		t.Fatal(err)
	}
	if ce.ID() != ev.ID() || ce.Type() != "io.apitoken.token.expiring-soon" || ce.Subject() != "pay/ci" ||
		ce.Source() != "/apis/auth.apitoken.io/v1alpha1/namespaces/pay/apitokens/ci" || !ce.Time().Equal(f.Time) {
		t.Errorf("attributes: %s", body)
	}
	var d Data
	if err := ce.DataAs(&d); err != nil {
		t.Fatal(err)
	}
	if d.Threshold != "168h" || d.Revision != 3 || d.Principal != "ci-bot" || d.UID != "u-1" || d.ConsoleURL != "https://tokens.example.com/console/tokens/pay/ci" || !d.ExpirationDate.Equal(exp) {
		t.Errorf("data: %+v", d)
	}
	if strings.Contains(string(body), "0123456789abcdef") {
		t.Errorf("the body holds the token's hash: %s", body)
	}
	if again := (Event{Token: tok.DeepCopy(), Fact: f}).ID(); again != ev.ID() {
		t.Errorf("the id is not stable: %s, %s", again, ev.ID())
	}
	id := ev.ID()
	tok.Status.ExpirationDate = mt(exp.Add(time.Hour))
	if moved := (Event{Token: tok, Fact: f}).ID(); moved == id {
		t.Error("an expiry fact for another expirationDate has the same id")
	}
}

func TestSlack(t *testing.T) {
	tok := token(t0, t0.Add(time.Hour), 1)
	body, err := Event{Token: tok, Fact: Fact{Event: authv1alpha1.WebhookEventExpired, Time: t0.Add(time.Hour), Message: "the token expired at 2026-12-01T01:00:00Z"}}.Slack()
	if err != nil {
		t.Fatal(err)
	}
	var msg map[string]string
	if err := json.Unmarshal(body, &msg); err != nil || len(msg) != 1 {
		t.Fatalf("not {\"text\": ...}: %s", body)
	}
	for _, want := range []string{"pay/ci", "ci-bot", "expired", "2026-12-01T01:00:00Z", "kubectl apitoken regenerate ci -n pay"} {
		if !strings.Contains(msg["text"], want) {
			t.Errorf("text lacks %q: %s", want, msg["text"])
		}
	}
}

// BenchmarkDue is one token with three thresholds crossed and one
// settled: what a webhook's reconcile pays per token of its namespace.
func BenchmarkDue(b *testing.B) {
	exp := t0.Add(60 * 24 * time.Hour)
	r := webhook(nil)
	tok := token(t0, exp, 2)
	now := exp.Add(-time.Hour)
	due, _ := r.Due(tok, now)
	tok.Status.Notifications = r.Settle(tok, due[0], func(string) bool { return true })
	b.ReportAllocs()
	for b.Loop() {
		if due, _ := r.Due(tok, now); len(due) != 3 {
			b.Fatalf("due %v", keys(due))
		}
	}
}

// BenchmarkDueNothing is a token with nothing due: most tokens, most of
// the time.
func BenchmarkDueNothing(b *testing.B) {
	r := webhook(nil)
	tok := token(t0, t0.Add(60*24*time.Hour), 1)
	now := t0.Add(time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if due, _ := r.Due(tok, now); len(due) != 0 {
			b.Fatal("due")
		}
	}
}
