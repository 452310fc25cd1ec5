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

package notify

import (
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/outbound"
)

// The retry state lives in memory: a new leader starts each failing
// event's 24 hours afresh (it delivers at least once, never less).

// waiting is when the webhook's head event may be tried again; zero when
// it may now.
func (r *Reconciler) waiting(key types.NamespacedName, now time.Time) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.retries[key]; s != nil && now.Before(s.next) {
		return s.next
	}
	return time.Time{}
}

// retryLater records a failed attempt at event id and returns when to try
// again.
func (r *Reconciler) retryLater(key types.NamespacedName, id string, ans outbound.Answer, now time.Time) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.retries == nil {
		r.retries = map[types.NamespacedName]*retryState{}
	}
	s := r.retries[key]
	if s == nil || s.eventID != id {
		s = &retryState{eventID: id, since: now}
		r.retries[key] = s
	}
	s.attempts++
	s.next = now.Add(Backoff(s.attempts, ans.RetryAfter))
	if end := s.since.Add(RetryFor); s.next.After(end) {
		s.next = end
	}
	return s.next
}

// givenUp says whether event id has been retried for RetryFor.
func (r *Reconciler) givenUp(key types.NamespacedName, id string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.retries[key]
	return s != nil && s.eventID == id && !now.Before(s.since.Add(RetryFor))
}

// failingCondition is Ready while the head event waits for a retry.
func (r *Reconciler) failingCondition(key types.NamespacedName) metav1.Condition {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.retries[key]
	if s == nil {
		return notReady(ReasonReceiverFailing, "the receiver did not take the last event")
	}
	return notReady(ReasonReceiverFailing, "the receiver did not take the last event ("+
		strconv.Itoa(s.attempts)+" attempts since "+s.since.UTC().Format(time.RFC3339)+"); next attempt at "+
		s.next.UTC().Format(time.RFC3339)+", given up after "+RetryFor.String())
}

func (r *Reconciler) clearRetry(key types.NamespacedName) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.retries, key)
}

// setPending records a webhook's pending events and sets the gauge to the
// sum.
func (r *Reconciler) setPending(key types.NamespacedName, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending == nil {
		r.pending = map[types.NamespacedName]int{}
	}
	r.pendingSum += n - r.pending[key]
	if n == 0 {
		delete(r.pending, key)
	} else {
		r.pending[key] = n
	}
	metrics.WebhookPending.Set(float64(r.pendingSum))
}

// forget drops a deleted webhook's state.
func (r *Reconciler) forget(key types.NamespacedName) {
	r.clearRetry(key)
	r.mu.Lock()
	delete(r.sent, key)
	r.mu.Unlock()
	r.setPending(key, 0)
}

// markSent remembers that this process settled event id for a webhook.
func (r *Reconciler) markSent(key types.NamespacedName, id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sent == nil {
		r.sent = map[types.NamespacedName]map[string]struct{}{}
	}
	if r.sent[key] == nil {
		r.sent[key] = map[string]struct{}{}
	}
	r.sent[key][id] = struct{}{}
}
