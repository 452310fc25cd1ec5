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

package query

import (
	"fmt"
	"net/url"
	"runtime"
	"testing"
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// Benchmarks of queries over the read model; run with make bench. They
// report p50/p99 latency per query besides Go's mean ns/op.

var benchQueries = map[string]string{
	"filtered-sorted": "type=USER,API_CLIENT&status=ACTIVE&sort=expirationDate&order=DESC&pageSize=50",
	"unfiltered":      "pageSize=50",
	"search":          "search=user-0042&sort=name",
}

func BenchmarkModelQuery(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		m := testutil.BenchModel(testutil.BenchApiTokens(n))
		for _, name := range []string{"filtered-sorted", "unfiltered", "search"} {
			v, _ := url.ParseQuery(benchQueries[name])
			q, err := ParseList(v)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("n=%d/%s", n, name), func(b *testing.B) {
				durations := make([]time.Duration, 0, b.N)
				b.ReportAllocs()
				for b.Loop() {
					start := time.Now()
					p := Run(m, q, Visibility{All: true})
					durations = append(durations, time.Since(start))
					if p.TotalCount == 0 {
						b.Fatal("no results")
					}
				}
				testutil.ReportLatencies(b, durations)
			})
		}
	}
}

// BenchmarkModelMemory reports the read model's heap per token, beyond the
// ApiTokens themselves (which the informer cache holds anyway), including
// every index: the order of each sort field, the counts, the trigram index
// and a snapshot.
func BenchmarkModelMemory(b *testing.B) {
	const n = 100_000
	tokens := testutil.BenchApiTokens(n)
	for b.Loop() {
		before := heap()
		m := testutil.BenchModel(tokens)
		m.Snapshot()
		after := heap()
		b.ReportMetric(float64(after-before)/n, "B/token")
		runtime.KeepAlive(m)
	}
	runtime.KeepAlive(tokens)
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkQueryUnderChurn asks each query back to back at 100k tokens while
// rows change in the background at 100 and 1,000 changes a second, and
// reports each query's p50, p99 and max. "baseline" times an empty function
// the same way: its max is what the machine itself (scheduler, hypervisor,
// GC) adds to any operation.
func BenchmarkQueryUnderChurn(b *testing.B) {
	tokens := testutil.BenchApiTokens(100_000)
	m := testutil.BenchModel(tokens)
	for _, rate := range []int{100, 1000} {
		for _, name := range []string{"filtered-sorted", "unfiltered", "search", "baseline"} {
			v, _ := url.ParseQuery(benchQueries[name])
			q, err := ParseList(v)
			if err != nil {
				b.Fatal(err)
			}
			run := func() int { return Run(m, q, Visibility{All: true}).TotalCount }
			if name == "baseline" {
				run = func() int { return 1 }
			}
			b.Run(fmt.Sprintf("updates=%d/%s", rate, name), func(b *testing.B) {
				durations := make([]time.Duration, 0, b.N)
				b.ReportAllocs()
				stop := testutil.Churn(m, tokens, rate)
				for b.Loop() {
					start := time.Now()
					total := run()
					durations = append(durations, time.Since(start))
					if total == 0 {
						b.Fatal("no results")
					}
				}
				b.ReportMetric(stop(), "updates/s")
				testutil.ReportLatencies(b, durations)
			})
		}
	}
}
