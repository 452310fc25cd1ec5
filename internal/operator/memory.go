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

package operator

import (
	"context"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/utils/clock"
)

// memoryCheckEvery is how often a replica compares its live heap with its
// memory limit: reading both costs microseconds.
const memoryCheckEvery = 15 * time.Second

// memoryCheck logs a warning when the live heap passes half the runtime's
// memory limit (SoftMemoryLimit: 90% of the container's limit, or
// GOMEMLIMIT), and again when it is back under: every replica holds every
// token, about 1.7 KiB each (docs/benchmarks.md), so a fleet that grows past its limit
// otherwise finds out from an OOM kill. The alert
// ApiTokenOperatorMemoryNearLimit (the chart's PrometheusRule) says the
// same from go_gc_heap_live_bytes and go_gc_gomemlimit_bytes.
type memoryCheck struct {
	// Tokens is how many ApiTokens the replica holds, and whether its
	// caches have synced (before that the heap is still growing).
	Tokens func() (int, bool)
	// Live is the live heap after the last collection; Limit the memory
	// limit, math.MaxInt64 for none.
	Live  func() uint64
	Limit func() int64
	Clock clock.Clock
	Every time.Duration
	Log   logr.Logger
}

func newMemoryCheck(tokens func() (int, bool), log logr.Logger) memoryCheck {
	return memoryCheck{Tokens: tokens, Live: liveHeap, Limit: func() int64 { return debug.SetMemoryLimit(-1) },
		Clock: clock.RealClock{}, Every: memoryCheckEvery, Log: log}
}

// NeedLeaderElection says every replica checks: each holds every token.
func (memoryCheck) NeedLeaderElection() bool { return false }

// Start checks every second until the caches have synced (a start-up that
// will not fit says so before its first reconcile pass), then every Every,
// until ctx ends, logging each change of advice.
func (m memoryCheck) Start(ctx context.Context) error {
	warned, synced := false, false
	for {
		wait := m.Every
		if !synced {
			wait = min(time.Second, m.Every)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-m.Clock.After(wait):
		}
		warned, synced = m.check(warned)
	}
}

// check logs the advice if it differs from the last (warned), and returns
// whether it warns now and whether the caches have synced. Before they
// have it keeps the last.
func (m memoryCheck) check(warned bool) (warn, synced bool) {
	n, synced := m.Tokens()
	if !synced {
		return warned, false
	}
	a := adviseMemory(m.Live(), m.Limit(), n)
	switch {
	case a.Warn && !warned:
		m.Log.Info("Warning: the live heap is over half the memory limit; the garbage collector runs ever more often "+
			"as it nears the limit, and more tokens may get the pod OOM-killed. Raise resources.limits.memory",
			a.keysAndValues()...)
	case !a.Warn && warned:
		m.Log.Info("The live heap is back under half the memory limit", a.keysAndValues()...)
	}
	return a.Warn, true
}

// memoryAdvice is what a replica's memory says.
type memoryAdvice struct {
	// Warn says the live heap is over half the limit: with GOGC=100 the
	// collector lets the heap grow to twice the live heap, and past half
	// the limit it is the limit that decides when it collects.
	Warn                bool
	LiveMiB, LimitMiB   uint64
	Tokens              int
	BytesPerToken       uint64
	RecommendedLimitMiB uint64
}

// adviseMemory decides from the live heap, the limit (math.MaxInt64 or
// less than 1 for none) and the number of tokens held. The recommended
// limit is 2.25 times the live heap, rounded up to 64 MiB: what 100,000
// tokens measured (340 MiB live, a 768Mi limit).
func adviseMemory(live uint64, limit int64, tokens int) memoryAdvice {
	const mib = 1 << 20
	a := memoryAdvice{LiveMiB: live / mib, Tokens: tokens, RecommendedLimitMiB: (live*9/4 + 64*mib - 1) / (64 * mib) * 64}
	if tokens > 0 {
		a.BytesPerToken = live / uint64(tokens)
	}
	if limit > 0 && limit < math.MaxInt64 {
		a.LimitMiB = uint64(limit) / mib
		a.Warn = live > uint64(limit)/2
	}
	return a
}

func (a memoryAdvice) keysAndValues() []any {
	return []any{"liveHeapMiB", a.LiveMiB, "memoryLimitMiB", a.LimitMiB, "tokens", a.Tokens,
		"liveHeapBytesPerToken", a.BytesPerToken, "recommendedLimitMiB", a.RecommendedLimitMiB}
}

// liveHeap is the live heap as of the last collection.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
