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
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"

	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

func TestFirstPassQueuesTheInitialListAWindowAtATime(t *testing.T) {
	pass := newFirstPass(10, time.Millisecond)
	h := deferInitial[client.Object]{&handler.EnqueueRequestForObject{}, pass}
	q := testutil.NewQueue(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	obj := func(name string) client.Object {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}}
	}
	// The initial list is held, whether the pass runs yet or not; an
	// event after it is queued at once.
	var want []string
	for i := range 500 {
		want = append(want, fmt.Sprintf("t-%04d", i))
		h.Create(ctx, event.CreateEvent{Object: obj(want[i]), IsInInitialList: true}, q)
	}
	h.Create(ctx, event.CreateEvent{Object: obj("created-since")}, q)
	if got := testutil.Drain(q); !slices.Equal(got, []string{"created-since"}) {
		t.Fatalf("queued %v before the pass ran, want only the event after the initial list", got)
	}
	if err := pass.Start(ctx, q); err != nil {
		t.Fatal(err)
	}
	for i := 500; i < 1000; i++ { // the rest of a long initial list, while the pass runs
		want = append(want, fmt.Sprintf("t-%04d", i))
		h.Create(ctx, event.CreateEvent{Object: obj(want[i]), IsInInitialList: true}, q)
	}
	var got []string
	most := 0
	for len(got) < len(want) {
		testutil.WaitFor(t, func() bool { return q.Len() > 0 })
		most = max(most, q.Len())
		r, _ := q.Get()
		got = append(got, r.Name)
		q.Done(r)
	}
	if most > pass.window {
		t.Fatalf("the queue held %d of the initial list at once, window %d", most, pass.window)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("queued %d requests, not the initial list in its order: %v...", len(got), got[:min(len(got), 5)])
	}
	if _, held := pass.next(); held {
		t.Fatal("the pass still holds requests")
	}
}
