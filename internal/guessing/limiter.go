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

// Package guessing bounds what a client learns from guesses: how fast it
// may fail (wrong token values at the verify endpoints, values that turn
// out to be someone else's) before it is throttled.
package guessing

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"k8s.io/utils/clock"
	"k8s.io/utils/lru"
)

// Defaults of the verify endpoints' limiter (--verify-failure-limit).
const (
	// DefaultFailureLimit is how many failed verifications an end
	// client may make per minute, as a burst, before it is throttled.
	DefaultFailureLimit = 20
	// DefaultClients bounds the clients the limiter remembers: a flood
	// of addresses evicts the least recently seen, it never grows memory.
	DefaultClients = 10_000
)

// Limiter throttles clients whose guesses fail: each client has a bucket
// of limit failures that refills at limit per period; a failure takes
// one, and a client whose bucket is empty is throttled until one has
// refilled. Clients are remembered in a fixed-size LRU. A nil Limiter
// throttles nobody.
type Limiter struct {
	limit   int
	period  time.Duration
	clock   clock.PassiveClock
	mu      sync.Mutex
	clients *lru.Cache
}

// NewLimiter allows limit failures per period (and as a burst) per
// client, remembering at most size clients. A limit of 0 or less is nil:
// no throttling.
func NewLimiter(limit int, period time.Duration, size int, clk clock.PassiveClock) *Limiter {
	if limit <= 0 {
		return nil
	}
	return &Limiter{limit: limit, period: period, clock: clk, clients: lru.New(size)}
}

// Throttled says whether client must be refused now and, if so, after how
// long to retry (whole seconds, at least one).
func (l *Limiter) Throttled(client string) (time.Duration, bool) {
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

// Failed records a failed guess by client.
func (l *Limiter) Failed(client string) {
	if l == nil {
		return
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	v, ok := l.clients.Get(client)
	if !ok {
		v = rate.NewLimiter(rate.Limit(float64(l.limit)/l.period.Seconds()), l.limit)
		l.clients.Add(client, v)
	}
	v.(*rate.Limiter).AllowN(now, 1)
}

// Len is how many clients the limiter remembers.
func (l *Limiter) Len() int {
	if l == nil {
		return 0
	}
	return l.clients.Len()
}
