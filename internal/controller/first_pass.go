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
	"time"

	"k8s.io/apimachinery/pkg/types"
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

// firstPass queues every ApiToken once when the controller starts, a
// window at a time, instead of one request per object of the informers'
// initial lists (notInitialList drops those). A work queue's maps keep the
// size they once reached: filled with 100,000 requests at start, they held
// about 270 bytes per token for the life of the process. A Secret's initial
// event maps to the ApiToken of its name, which the pass queues anyway.
type firstPass struct {
	// synced says whether each has seen every ApiToken: the pass starts
	// then.
	synced func() bool
	// each calls f with every ApiToken's key.
	each func(f func(types.NamespacedName))
	// window is firstPassWindow, smaller in tests; poll how often a full
	// queue is looked at again.
	window int
	poll   time.Duration
}

func (p firstPass) Start(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
	go p.run(ctx, q)
	return nil
}

func (p firstPass) run(ctx context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if err := wait.PollUntilContextCancel(ctx, p.poll, true, func(context.Context) (bool, error) { return p.synced(), nil }); err != nil {
		return
	}
	add := q.Add
	if pq, ok := q.(priorityqueue.PriorityQueue[reconcile.Request]); ok {
		// What happens while the pass runs goes first, as the initial
		// list's events would have let it.
		low := priorityqueue.AddOpts{Priority: ptr.To(handler.LowPriority)}
		add = func(r reconcile.Request) { pq.AddWithOpts(low, r) }
	}
	p.each(func(key types.NamespacedName) {
		if ctx.Err() != nil || wait.PollUntilContextCancel(ctx, p.poll, true, func(context.Context) (bool, error) {
			return q.Len() < p.window, nil
		}) != nil {
			return
		}
		add(reconcile.Request{NamespacedName: key})
	})
}

func (p firstPass) String() string { return "first pass: every ApiToken once" }

// notInitialList drops the Create events of an informer's initial list:
// the first pass queues every ApiToken instead.
func notInitialList[T client.Object]() predicate.TypedPredicate[T] {
	return predicate.TypedFuncs[T]{CreateFunc: func(e event.TypedCreateEvent[T]) bool { return !e.IsInInitialList }}
}
