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
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Fact is one thing that happened to a token, once per revision: the unit
// a webhook delivers and records.
type Fact struct {
	Event authv1alpha1.WebhookEvent
	// Threshold is ExpiringSoon's: how long before expiry.
	Threshold time.Duration
	// Policy and Rule are Unused's and PolicyViolation's.
	Policy, Rule string
	// Time is when it happened (expirationDate minus the threshold, the
	// expiry, the new value's issue, the revocation, the policy's finding).
	Time time.Time
	// Reason and Message say what happened, for a person.
	Reason, Message string
}

// Key is the fact's name in status.notifications: ExpiringSoon/720h,
// Expired, Rotated, Revoked, Unused/<policy>, PolicyViolation/<policy>/<rule>.
func (f Fact) Key() string {
	switch f.Event {
	case authv1alpha1.WebhookEventExpiringSoon:
		return string(f.Event) + "/" + FormatThreshold(f.Threshold)
	case authv1alpha1.WebhookEventUnused:
		return string(f.Event) + "/" + f.Policy
	case authv1alpha1.WebhookEventPolicyViolation:
		return string(f.Event) + "/" + f.Policy + "/" + f.Rule
	}
	return string(f.Event)
}

// expiryBound says whether the fact is about the expirationDate (and so
// due again when it moves).
func (f Fact) expiryBound() bool {
	return f.Event == authv1alpha1.WebhookEventExpiringSoon || f.Event == authv1alpha1.WebhookEventExpired
}

// FormatThreshold writes a threshold as spec.expiringSoon does: 720h, 90m,
// 30s (no trailing zero units).
func FormatThreshold(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// Due is what r still has to tell about tok at now, in the order it
// happened, and when the next fact will happen (zero: none is coming).
// A fact is due when it has happened, the webhook sends its event, it
// happened after the webhook was created, and tok's status does not record
// it settled. ExpiringSoon is due only before the expiry and for
// thresholds the revision lived to cross: a token issued with less time
// left than a threshold never gets that threshold's event.
func (r Rules) Due(tok *authv1alpha1.ApiToken, now time.Time) (due []Fact, next time.Time) {
	rec := r.record(tok)
	// say writes a due fact's message: only for the facts that are due,
	// since most tokens have none due most of the time.
	consider := func(f Fact, say func() string) {
		if !r.Sends(f.Event) || f.Time.IsZero() || f.Time.Before(r.Since) {
			return
		}
		if f.Time.After(now) {
			if next.IsZero() || f.Time.Before(next) {
				next = f.Time
			}
			return
		}
		if !rec.settled(tok, f) {
			if say != nil {
				f.Message = say()
			}
			due = append(due, f)
		}
	}
	st := &tok.Status
	if st.ExpirationDate != nil && !tok.Spec.Revoked {
		exp := st.ExpirationDate.Time
		for _, t := range r.thresholds {
			at := exp.Add(-t)
			if st.CreationDate != nil && at.Before(st.CreationDate.Time) {
				continue // the revision was born inside this threshold
			}
			if !now.Before(exp) {
				continue // expired: Expired says it
			}
			consider(Fact{Event: authv1alpha1.WebhookEventExpiringSoon, Threshold: t, Time: at, Reason: "ExpiringSoon"}, func() string {
				return "the token expires in less than " + FormatThreshold(t) + ", at " + exp.UTC().Format(time.RFC3339)
			})
		}
		consider(Fact{Event: authv1alpha1.WebhookEventExpired, Time: exp, Reason: authv1alpha1.ReasonExpired}, func() string {
			return "the token expired at " + exp.UTC().Format(time.RFC3339)
		})
	}
	if st.Revision > 1 && st.CreationDate != nil {
		consider(Fact{Event: authv1alpha1.WebhookEventRotated, Time: st.CreationDate.Time, Reason: authv1alpha1.ReasonRotated}, func() string {
			return "a new value replaced the previous one (revision " + strconv.FormatInt(st.Revision, 10) + ")"
		})
	}
	if ready := meta.FindStatusCondition(st.Conditions, authv1alpha1.ConditionReady); tok.Spec.Revoked && ready != nil && ready.Reason == authv1alpha1.ReasonRevoked {
		consider(Fact{Event: authv1alpha1.WebhookEventRevoked, Time: ready.LastTransitionTime.Time, Reason: authv1alpha1.ReasonRevoked,
			Message: "the token was revoked (spec.revoked is true)"}, nil)
	}
	if vs := st.PolicyViolations(); len(vs) > 0 {
		var since time.Time
		if c := meta.FindStatusCondition(st.Conditions, authv1alpha1.ConditionPolicyCompliant); c != nil {
			since = c.LastTransitionTime.Time
		}
		for _, v := range vs {
			f := Fact{Event: authv1alpha1.WebhookEventPolicyViolation, Policy: v.Policy, Rule: v.Rule, Time: since, Reason: v.Rule, Message: v.Message}
			if v.Rule == "Unused" || v.Rule == "Inactive" {
				f.Event, f.Rule = authv1alpha1.WebhookEventUnused, ""
			}
			consider(f, nil)
		}
	}
	sortFacts(due)
	return due, next
}

// sortFacts orders facts by time; on a tie, the earlier event of a token's
// life first, and the longer threshold first.
func sortFacts(fs []Fact) {
	slices.SortStableFunc(fs, func(a, b Fact) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		if c := cmp.Compare(slices.Index(authv1alpha1.WebhookEvents, a.Event), slices.Index(authv1alpha1.WebhookEvents, b.Event)); c != 0 {
			return c
		}
		return cmp.Compare(b.Threshold, a.Threshold)
	})
}
