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

// Package schedule is when each ApiToken is due again, as a source of the
// controller: a heap and a map, where the work queue's delayed items cost
// several times as much per token (docs/design/cache-on-controller-runtime.md).
package schedule

import (
	"container/heap"
	"context"
	"sync"
	"time"

	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Schedule is when each ApiToken is due again: its expiry, its renewal or
// the end of a rotation's grace period (policy.RequeueAfter). It is the
// controller's timer instead of the work queue's delayed items: the queue
// keeps an item, a timestamp and a B-tree slot per delayed request, and
// its maps keep the size they once reached, several hundred bytes per
// token for as long as the process lives. Here a token costs one heap slot
// and one map entry. A source of the controller (Start) adds each request
// to the queue when it is due.
type Schedule struct {
	clock clock.Clock

	mu sync.Mutex
	// due is a min-heap by time; at is where each request is in it.
	due dueHeap
	// changed wakes the loop when the earliest time may have changed.
	changed chan struct{}
}

// New is an empty schedule on c's timers.
func New(c clock.Clock) *Schedule {
	return &Schedule{clock: c, due: dueHeap{at: map[reconcile.Request]int{}}, changed: make(chan struct{}, 1)}
}

// Set makes req due at t, replacing any earlier time it had.
func (s *Schedule) Set(req reconcile.Request, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.due.at[req]; ok {
		s.due.items[i].when = t.UnixNano()
		heap.Fix(&s.due, i)
	} else {
		heap.Push(&s.due, dueItem{req: req, when: t.UnixNano()})
	}
	if s.due.items[0].req == req {
		s.wake()
	}
}

// Forget drops req: it is due no more (revoked, no deadline, deleted).
func (s *Schedule) Forget(req reconcile.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.due.at[req]; ok {
		heap.Remove(&s.due, i)
	}
}

// Len is how many requests are scheduled.
func (s *Schedule) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.due.Len()
}

func (s *Schedule) wake() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// next is the earliest time anything is due, false when nothing is.
func (s *Schedule) next() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.due.Len() == 0 {
		return time.Time{}, false
	}
	return time.Unix(0, s.due.items[0].when), true
}

// takeDue removes and returns the requests due at now.
func (s *Schedule) takeDue(now time.Time) []reconcile.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var reqs []reconcile.Request
	for s.due.Len() > 0 && s.due.items[0].when <= now.UnixNano() {
		reqs = append(reqs, heap.Pop(&s.due).(dueItem).req)
	}
	return reqs
}

// Start runs the timer: each request is added to the queue when it is
// due, until ctx ends.
func (s *Schedule) Start(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
	go s.run(ctx, q)
	return nil
}

func (s *Schedule) run(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	for {
		now := s.clock.Now()
		for _, req := range s.takeDue(now) {
			q.Add(req)
		}
		var fire <-chan time.Time
		var timer clock.Timer
		if t, ok := s.next(); ok {
			timer = s.clock.NewTimer(t.Sub(now))
			fire = timer.C()
		}
		select {
		case <-ctx.Done():
			stop(timer)
			return
		case <-s.changed:
			stop(timer)
		case <-fire:
		}
	}
}

func stop(t clock.Timer) {
	if t != nil {
		t.Stop()
	}
}

func (s *Schedule) String() string { return "schedule: when ApiTokens are due again" }

// dueItem is a request and when it is due, in Unix nanoseconds.
type dueItem struct {
	req  reconcile.Request
	when int64
}

// dueHeap is a container/heap of dueItems that knows where each request is.
type dueHeap struct {
	items []dueItem
	at    map[reconcile.Request]int
}

func (h *dueHeap) Len() int           { return len(h.items) }
func (h *dueHeap) Less(i, j int) bool { return h.items[i].when < h.items[j].when }

func (h *dueHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.at[h.items[i].req] = i
	h.at[h.items[j].req] = j
}

func (h *dueHeap) Push(x any) {
	it := x.(dueItem)
	h.at[it.req] = len(h.items)
	h.items = append(h.items, it)
}

func (h *dueHeap) Pop() any {
	n := len(h.items) - 1
	it := h.items[n]
	h.items[n] = dueItem{}
	h.items = h.items[:n]
	delete(h.at, it.req)
	return it
}
