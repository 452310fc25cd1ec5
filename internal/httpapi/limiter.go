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

package httpapi

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"k8s.io/utils/clock"
	"k8s.io/utils/lru"

	"github.com/apitoken-io/apitoken-operator/internal/metrics"
)

// Defaults of the guessing limiter (--verify-failure-limit).
const (
	// DefaultVerifyFailureLimit is how many failed verifications an end
	// client may make per minute, as a burst, before it is throttled.
	DefaultVerifyFailureLimit = 20
	// DefaultLimiterClients bounds the clients the limiter remembers: a flood
	// of addresses evicts the least recently seen, it never grows memory.
	DefaultLimiterClients = 10_000
)

// FailureLimiter throttles end clients that present wrong tokens: each
// client has a bucket of Limit failures that refills at Limit per minute;
// a failure takes one, and a client whose bucket is empty is refused (429)
// whatever it presents, a valid token included, until one has refilled.
// Clients are remembered in a fixed-size LRU. A nil FailureLimiter throttles
// nobody.
type FailureLimiter struct {
	limit   int
	clock   clock.PassiveClock
	mu      sync.Mutex
	clients *lru.Cache
}

// NewFailureLimiter allows limit failures per minute (and as a burst) per
// client, remembering at most size clients. A limit of 0 or less is nil:
// no throttling.
func NewFailureLimiter(limit, size int, clk clock.PassiveClock) *FailureLimiter {
	if limit <= 0 {
		return nil
	}
	return &FailureLimiter{limit: limit, clock: clk, clients: lru.New(size)}
}

// Throttled says whether client must be refused now and, if so, after how
// long to retry (whole seconds, at least one).
func (l *FailureLimiter) Throttled(client string) (time.Duration, bool) {
	if l == nil {
		return 0, false
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.clients.Get(client)
	if !ok {
		return 0, false
	}
	b := v.(*rate.Limiter)
	missing := 1 - b.TokensAt(now)
	if missing <= 0 {
		return 0, false
	}
	secs := math.Ceil(missing / float64(b.Limit()))
	return time.Duration(max(secs, 1)) * time.Second, true
}

// Failed records a failed verification by client.
func (l *FailureLimiter) Failed(client string) {
	if l == nil {
		return
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.clients.Get(client)
	if !ok {
		v = rate.NewLimiter(rate.Limit(float64(l.limit)/60), l.limit)
		l.clients.Add(client, v)
	}
	v.(*rate.Limiter).AllowN(now, 1)
}

// Len is how many clients the limiter remembers.
func (l *FailureLimiter) Len() int {
	if l == nil {
		return 0
	}
	return l.clients.Len()
}

// throttled answers 429 with Retry-After when client is throttled, counts
// it, and says so.
func (l *FailureLimiter) throttled(endpoint, client string) (time.Duration, bool) {
	wait, ok := l.Throttled(client)
	if ok {
		metrics.VerifyThrottled.WithLabelValues(endpoint).Inc()
	}
	return wait, ok
}
