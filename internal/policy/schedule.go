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
	"hash/fnv"
	"time"

	"k8s.io/apimachinery/pkg/types"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Schedule is the pure time math of a token: every time is derived from when
// the token was issued and the spec, truncated to whole seconds.
type Schedule struct {
	// Expiry is IssuedAt + ttl; zero when the token never expires.
	Expiry time.Time
	// Renewal is Expiry - renewBefore - RenewalJitter for generated tokens;
	// zero when there is no automatic rotation.
	Renewal time.Time
}

// ScheduleFor returns the schedule of a token issued at issuedAt.
func ScheduleFor(tok *authv1alpha1.ApiToken, issuedAt time.Time) Schedule {
	var s Schedule
	if issuedAt.IsZero() || tok.TTL() <= 0 {
		return s
	}
	s.Expiry = issuedAt.Add(tok.TTL()).Truncate(time.Second)
	if tok.Import() == nil && tok.RenewBefore() > 0 {
		s.Renewal = s.Expiry.Add(-tok.RenewBefore() - RenewalJitter(tok.UID, tok.RenewBefore())).Truncate(time.Second)
	}
	return s
}

// maxRenewalJitter caps how much earlier than expiry - renewBefore a token
// may be renewed.
const maxRenewalJitter = 5 * time.Minute

// RenewalJitter spreads the renewals of tokens that share an expiry (created
// together by a script or a GitOps sync) so that they do not all rotate in
// the same second: up to a tenth of renewBefore, at most 5 minutes, in whole
// seconds, derived from the UID so that every reconcile and every replica
// computes the same time. Renewal only ever moves earlier.
func RenewalJitter(uid types.UID, renewBefore time.Duration) time.Duration {
	spread := min(renewBefore/10, maxRenewalJitter) / time.Second
	if uid == "" || spread <= 0 {
		return 0
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(uid))
	return time.Duration(uint64(h.Sum32())%uint64(spread+1)) * time.Second
}

// Expired says whether a token with this schedule is expired at now.
func (s Schedule) Expired(now time.Time) bool {
	return !s.Expiry.IsZero() && !now.Before(s.Expiry)
}

// RenewalDue says whether automatic rotation is due at now.
func (s Schedule) RenewalDue(now time.Time) bool {
	return !s.Renewal.IsZero() && !now.Before(s.Renewal)
}

// NextDeadline returns how long until the earliest of the given times that is
// still in the future, and false when there is none. It is never negative.
func NextDeadline(now time.Time, times ...time.Time) (time.Duration, bool) {
	var next time.Time
	for _, t := range times {
		if t.IsZero() || !t.After(now) {
			continue
		}
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if next.IsZero() {
		return 0, false
	}
	return next.Sub(now), true
}
