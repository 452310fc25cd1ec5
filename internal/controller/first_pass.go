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

package controller

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/priorityqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// firstPassWindow is how many requests of the first pass wait in the queue
// at most: enough to keep every worker busy, few enough that the queue
// never holds every token at once.
const firstPassWindow = 256

// firstPass is what the ApiToken informer's initial list queues, a window
// at a time instead of all at once: the controller's ApiToken handler
// (deferInitial) hands it the requests of initial-list events, and it
// queues them as the queue drains (the Secret watches' initial events map
// to those same ApiTokens and are dropped: notInitialList). A work queue's maps keep the size they once reached: filled with
// 100,000 requests at start, they held about 270 bytes per token for the
// life of the process. It is the same handler registration that says
// whether an event is of the initial list, so no ApiToken is missed or
// added twice by a race between two views of the cache.
type firstPass struct {
	// window is firstPassWindow, smaller in tests; poll how often a full
	// queue is looked at again.
	window int
	poll   time.Duration

	mu      sync.Mutex
	pending []reconcile.Request
	// more wakes the pass when pending was empty.
	more chan struct{}
}

func newFirstPass(window int, poll time.Duration) *firstPass {
	return &firstPass{window: window, poll: poll, more: make(chan struct{}, 1)}
}

// hold keeps r for the pass.
func (p *firstPass) hold(r reconcile.Request) {
	p.mu.Lock()
	p.pending = append(p.pending, r)
	p.mu.Unlock()
	select {
	case p.more <- struct{}{}:
	default:
	}
}

// next takes the oldest held request; false when none is held (the slice
// is let go then: the pass holds nothing between starts).
func (p *firstPass) next() (reconcile.Request, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 {
		p.pending = nil
		return reconcile.Request{}, false
	}
	r := p.pending[0]
	p.pending[0] = reconcile.Request{}
	p.pending = p.pending[1:]
	return r, true
}

func (p *firstPass) Start(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
	go p.run(ctx, q)
	return nil
}

func (p *firstPass) run(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	add := q.Add
	if pq, ok := q.(priorityqueue.PriorityQueue[reconcile.Request]); ok {
		// What happens meanwhile goes first, as it would have before the
		// initial lists' events.
		low := priorityqueue.AddOpts{Priority: ptr.To(handler.LowPriority)}
		add = func(r reconcile.Request) { pq.AddWithOpts(low, r) }
	}
	for {
		r, ok := p.next()
		if !ok {
			select {
			case <-ctx.Done():
				return
			case <-p.more:
				continue
			}
		}
		if wait.PollUntilContextCancel(ctx, p.poll, true, func(context.Context) (bool, error) {
			return q.Len() < p.window, nil
		}) != nil {
			return
		}
		add(r)
	}
}

func (p *firstPass) String() string {
	return "first pass: the initial lists' requests, a window at a time"
}

// deferInitial is a handler whose initial-list Create events are held for
// the first pass instead of queued at once.
type deferInitial[T client.Object] struct {
	handler.TypedEventHandler[T, reconcile.Request]
	pass *firstPass
}

func (d deferInitial[T]) Create(ctx context.Context, e event.TypedCreateEvent[T], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if e.IsInInitialList {
		q = holder{q, d.pass}
	}
	d.TypedEventHandler.Create(ctx, e, q)
}

// holder is a queue whose Add holds the request for the first pass; the
// handlers use nothing else of it for a Create (it is not a priority
// queue, so they Add).
type holder struct {
	workqueue.TypedRateLimitingInterface[reconcile.Request]
	pass *firstPass
}

func (h holder) Add(r reconcile.Request) { h.pass.hold(r) }

// notInitialList drops the Create events of an informer's initial list:
// for the Secret watches, whose initial events map to ApiTokens that their
// own initial-list events queue (deferInitial) anyway.
func notInitialList[T client.Object]() predicate.TypedPredicate[T] {
	return predicate.TypedFuncs[T]{CreateFunc: func(e event.TypedCreateEvent[T]) bool { return !e.IsInInitialList }}
}
