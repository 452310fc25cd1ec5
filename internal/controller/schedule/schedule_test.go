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

package schedule

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

func req(name string) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: "ns", Name: name}}
}

func TestScheduleTakesWhatIsDueInOrder(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	s := New(clocktesting.NewFakeClock(now))
	// Set in a random order, some twice: the last time set is the one.
	names := make([]string, 200)
	for i := range names {
		names[i] = fmt.Sprintf("t-%03d", i)
	}
	for _, i := range rand.Perm(len(names)) {
		s.Set(req(names[i]), now.Add(time.Hour))
		s.Set(req(names[i]), now.Add(time.Duration(i)*time.Second))
	}
	s.Forget(req("t-007"))
	s.Forget(req("never-set"))
	if got, want := s.Len(), len(names)-1; got != want {
		t.Fatalf("len = %d, want %d", got, want)
	}
	if next, ok := s.next(); !ok || !next.Equal(now) {
		t.Fatalf("next = %v, %v; want %v", next, ok, now)
	}
	var got []string
	for _, r := range s.takeDue(now.Add(10 * time.Second)) {
		got = append(got, r.Name)
	}
	want := []string{"t-000", "t-001", "t-002", "t-003", "t-004", "t-005", "t-006", "t-008", "t-009", "t-010"}
	if !slices.Equal(got, want) {
		t.Fatalf("due at +10s: %v, want %v", got, want)
	}
	if got := s.takeDue(now.Add(10 * time.Second)); len(got) != 0 {
		t.Fatalf("taken twice: %v", got)
	}
	if got, want := s.Len(), len(names)-11; got != want {
		t.Fatalf("len after taking = %d, want %d", got, want)
	}
	if next, _ := s.next(); !next.Equal(now.Add(11 * time.Second)) {
		t.Fatalf("next = %v, want +11s", next)
	}
}

func TestScheduleQueuesWhenDue(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clk := clocktesting.NewFakeClock(now)
	s := New(clk)
	q := testutil.NewQueue(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := s.Start(ctx, q); err != nil {
		t.Fatal(err)
	}
	s.Set(req("later"), now.Add(time.Hour))
	testutil.WaitFor(t, clk.HasWaiters)
	// An earlier time set while the loop waits for a later one wakes it.
	s.Set(req("sooner"), now.Add(time.Minute))
	s.Set(req("forgotten"), now.Add(30*time.Second))
	s.Forget(req("forgotten"))

	clk.Step(59 * time.Second)
	testutil.WaitFor(t, clk.HasWaiters)
	if n := q.Len(); n != 0 {
		t.Fatalf("queued %v before anything was due", testutil.Drain(q))
	}
	clk.Step(time.Second)
	testutil.WaitFor(t, func() bool { return q.Len() == 1 })
	if got := testutil.Drain(q); !slices.Equal(got, []string{"sooner"}) {
		t.Fatalf("queued %v at +1m, want [sooner]", got)
	}
	clk.Step(time.Hour)
	testutil.WaitFor(t, func() bool { return q.Len() == 1 })
	if got := testutil.Drain(q); !slices.Equal(got, []string{"later"}) {
		t.Fatalf("queued %v at +1h1m, want [later]", got)
	}
	if s.Len() != 0 {
		t.Fatalf("%d still scheduled", s.Len())
	}
}
