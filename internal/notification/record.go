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
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// record is a webhook's record of a token; the zero value settles nothing.
type record authv1alpha1.WebhookRecord

// record is r's record in tok's status.
func (r Rules) record(tok *authv1alpha1.ApiToken) record {
	for _, w := range tok.Status.NotificationRecords() {
		if w.Name == r.Name {
			return record(w)
		}
	}
	return record{}
}

// settled says whether the record holds f for tok as it is now: for its
// revision, and, for an expiry fact, for its expirationDate.
func (rec record) settled(tok *authv1alpha1.ApiToken, f Fact) bool {
	if rec.Revision != tok.Status.Revision {
		return false
	}
	if f.expiryBound() && !sameTime(rec.ExpirationDate, tok.Status.ExpirationDate) {
		return false
	}
	return slices.Contains(rec.Settled, f.Key())
}

// Settle is tok's status.notifications with f recorded settled by the
// webhook named in r: the record starts afresh for a new revision, drops
// its expiry facts when the expirationDate moved, and records of webhooks
// not in exists are dropped. The result is a new value; tok is unchanged.
func (r Rules) Settle(tok *authv1alpha1.ApiToken, f Fact, exists func(webhook string) bool) *authv1alpha1.NotificationStatus {
	out := &authv1alpha1.NotificationStatus{}
	for _, w := range tok.Status.NotificationRecords() {
		if w.Name != r.Name && exists(w.Name) {
			out.Webhooks = append(out.Webhooks, *w.DeepCopy())
		}
	}
	rec := r.record(tok)
	next := authv1alpha1.WebhookRecord{Name: r.Name, Revision: tok.Status.Revision, ExpirationDate: tok.Status.ExpirationDate.DeepCopy()}
	if rec.Revision == tok.Status.Revision {
		moved := !sameTime(rec.ExpirationDate, tok.Status.ExpirationDate)
		for _, k := range rec.Settled {
			if moved && (strings.HasPrefix(k, string(authv1alpha1.WebhookEventExpiringSoon)+"/") || k == string(authv1alpha1.WebhookEventExpired)) {
				continue
			}
			next.Settled = append(next.Settled, k)
		}
	}
	if k := f.Key(); !slices.Contains(next.Settled, k) {
		next.Settled = append(next.Settled, k)
	}
	if over := len(next.Settled) - MaxSettled; over > 0 {
		next.Settled = next.Settled[over:] // the oldest go first
	}
	out.Webhooks = append(out.Webhooks, next)
	slices.SortFunc(out.Webhooks, func(a, b authv1alpha1.WebhookRecord) int { return strings.Compare(a.Name, b.Name) })
	if over := len(out.Webhooks) - MaxRecords; over > 0 {
		out.Webhooks = slices.DeleteFunc(out.Webhooks, func(w authv1alpha1.WebhookRecord) bool {
			if over > 0 && w.Name != r.Name {
				over--
				return true
			}
			return false
		})
	}
	return out
}

// MaxSettled and MaxRecords are the CRD's bounds of a token's records.
const (
	MaxSettled = 64
	MaxRecords = 64
)

func sameTime(a, b *metav1.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(b)
}
