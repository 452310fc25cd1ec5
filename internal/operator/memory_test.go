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
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	clocktesting "k8s.io/utils/clock/testing"
)

const mib = 1 << 20

func TestAdviseMemory(t *testing.T) {
	cases := map[string]struct {
		live      uint64
		limit     int64
		tokens    int
		want      bool
		recommend uint64
	}{
		// The restart profile's figures (docs/benchmarks.md).
		"100,000 tokens under 768Mi":   {live: 340 * mib, limit: 768 * mib, tokens: 100_000, recommend: 768},
		"100,000 tokens under 512Mi":   {live: 340 * mib, limit: 512 * mib, tokens: 100_000, want: true, recommend: 768},
		"40,000 tokens under 256Mi":    {live: 130 * mib, limit: 256 * mib, tokens: 40_000, want: true, recommend: 320},
		"30,000 tokens under 256Mi":    {live: 100 * mib, limit: 256 * mib, tokens: 30_000, recommend: 256},
		"exactly half is not over it":  {live: 128 * mib, limit: 256 * mib, tokens: 1, recommend: 320},
		"no limit (GOMEMLIMIT unset)":  {live: 4096 * mib, limit: math.MaxInt64, tokens: 1_000_000, recommend: 9216},
		"a limit of 0 is none":         {live: 10 * mib, limit: 0, recommend: 64},
		"no tokens: nothing per token": {live: 200 * mib, limit: 256 * mib, want: true, recommend: 512},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			a := adviseMemory(tc.live, tc.limit, tc.tokens)
			if a.Warn != tc.want || a.RecommendedLimitMiB != tc.recommend {
				t.Errorf("warn %v, recommended %d MiB; want %v, %d MiB", a.Warn, a.RecommendedLimitMiB, tc.want, tc.recommend)
			}
			if tc.tokens > 0 && a.BytesPerToken != tc.live/uint64(tc.tokens) {
				t.Errorf("%d bytes per token, want %d", a.BytesPerToken, tc.live/uint64(tc.tokens))
			}
		})
	}
}

// The check logs once when the live heap passes half the limit, once when
// it is back, nothing before the caches sync, and nothing while the advice
// stays the same.
func TestMemoryCheckLogsChanges(t *testing.T) {
	var logs []string
	live, synced := uint64(200*mib), false
	m := memoryCheck{
		Tokens: func() (int, bool) { return 1000, synced },
		Live:   func() uint64 { return live },
		Limit:  func() int64 { return 256 * mib },
		Log:    funcr.New(func(_, args string) { logs = append(logs, args) }, funcr.Options{}),
	}
	steps := []struct {
		step   string
		synced bool
		live   uint64
		want   string // logged; empty: nothing
	}{
		{step: "syncing", live: 200 * mib},
		{step: "synced, over half", synced: true, live: 200 * mib,
			want: `"liveHeapMiB"=200 "memoryLimitMiB"=256 "tokens"=1000 "liveHeapBytesPerToken"=209715 "recommendedLimitMiB"=512`},
		{step: "still over", synced: true, live: 210 * mib},
		{step: "back under", synced: true, live: 100 * mib, want: "back under half"},
		{step: "still under", synced: true, live: 100 * mib},
	}
	warned := false
	for _, s := range steps {
		logs, synced, live = nil, s.synced, s.live
		warned, _ = m.check(warned)
		switch {
		case s.want == "" && len(logs) != 0:
			t.Errorf("%s: logged %q; want nothing", s.step, logs)
		case s.want != "" && (len(logs) != 1 || !strings.Contains(logs[0], s.want)):
			t.Errorf("%s: logged %q; want one line with %s", s.step, logs, s.want)
		}
	}
}

// Start checks at each tick of its clock until its context ends: every
// second until the caches have synced, then every Every.
func TestMemoryCheckRunsOnItsTicker(t *testing.T) {
	clk := clocktesting.NewFakeClock(time.Now())
	logged := make(chan string, 1)
	m := memoryCheck{
		Tokens: func() (int, bool) { return 10, true },
		Live:   func() uint64 { return 300 * mib },
		Limit:  func() int64 { return 256 * mib },
		// Every is a minute: the first check, before the caches were seen
		// synced, comes after a second.
		Clock: clk, Every: time.Minute,
		Log: funcr.New(func(_, args string) { logged <- args }, funcr.Options{}),
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- m.Start(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for !clk.HasWaiters() && time.Now().Before(deadline) {
		runtime.Gosched() // until Start waits on its clock
	}
	clk.Step(time.Second)
	select {
	case got := <-logged:
		if !strings.Contains(got, `"liveHeapMiB"=300`) {
			t.Errorf("logged %s", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing logged after a tick")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Start: %v", err)
	}
}
