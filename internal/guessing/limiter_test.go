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

package guessing

import (
	"fmt"
	"testing"
	"time"

	testingclock "k8s.io/utils/clock/testing"
)

func TestLimiter(t *testing.T) {
	clk := testingclock.NewFakePassiveClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	l := NewLimiter(3, time.Minute, 100, clk)
	for i := range 3 {
		if _, throttled := l.Throttled("a"); throttled {
			t.Fatalf("throttled after %d failures, want the burst of 3 allowed", i)
		}
		l.Failed("a")
	}
	wait, throttled := l.Throttled("a")
	if !throttled || wait != 20*time.Second {
		t.Fatalf("after 3 failures: throttled=%v wait=%s; want throttled for 20s (3 per minute)", throttled, wait)
	}
	if _, throttled := l.Throttled("b"); throttled {
		t.Fatal("another client is throttled too")
	}
	clk.SetTime(clk.Now().Add(19 * time.Second))
	if wait, throttled := l.Throttled("a"); !throttled || wait != time.Second {
		t.Fatalf("19s later: throttled=%v wait=%s; want 1s more", throttled, wait)
	}
	clk.SetTime(clk.Now().Add(time.Second))
	if _, throttled := l.Throttled("a"); throttled {
		t.Fatal("still throttled once one failure has refilled")
	}
	l.Failed("a")
	if _, throttled := l.Throttled("a"); !throttled {
		t.Fatal("a failure right after the refill is not throttled again")
	}
	if off := NewLimiter(0, time.Minute, 100, clk); off != nil {
		t.Fatal("a limit of 0 must turn the limiter off")
	}
	var off *Limiter
	off.Failed("a")
	if _, throttled := off.Throttled("a"); throttled {
		t.Fatal("the nil limiter throttles")
	}
}

func TestLimiterStaysWithinItsSize(t *testing.T) {
	clk := testingclock.NewFakePassiveClock(time.Now())
	l := NewLimiter(DefaultFailureLimit, time.Minute, DefaultClients, clk)
	for i := range 100_000 {
		l.Failed(fmt.Sprintf("addr:10.%d.%d.%d", i>>16&255, i>>8&255, i&255))
		if n := l.Len(); n > DefaultClients {
			t.Fatalf("the limiter remembers %d clients after %d addresses, more than its size %d", n, i+1, DefaultClients)
		}
	}
	if n := l.Len(); n != DefaultClients {
		t.Fatalf("the limiter remembers %d clients, want it full at %d", n, DefaultClients)
	}
}
