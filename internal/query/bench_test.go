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
	"slices"
	"testing"
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
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
			Run(m, q, Visibility{All: true}) // the sorted order is built once per change, not per query
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
				reportPercentiles(b, durations)
			})
		}
	}
}

// BenchmarkModelMemory reports the read model's heap per token, beyond the
// ApiTokens themselves (which the informer cache holds anyway), including
// the sorted orders of every sort field.
func BenchmarkModelMemory(b *testing.B) {
	const n = 100_000
	tokens := testutil.BenchApiTokens(n)
	for b.Loop() {
		before := heap()
		m := testutil.BenchModel(tokens)
		for _, f := range readmodel.SortFields {
			Run(m, Query{Sort: f, PageSize: 1, Created: openRange(), Expires: openRange(), LastUsed: openRange()}, Visibility{All: true})
		}
		after := heap()
		b.ReportMetric(float64(after-before)/n, "B/token")
		runtime.KeepAlive(m)
	}
	runtime.KeepAlive(tokens)
}

// BenchmarkRebuild is the worst case of a query right after a change: the
// snapshot and one sorted order are rebuilt (MaxStaleness 0; by default
// queries share one rebuild per second under a stream of changes).
func BenchmarkRebuild(b *testing.B) {
	tokens := testutil.BenchApiTokens(100_000)
	m := testutil.BenchModel(tokens)
	m.MaxStaleness = 0
	v, _ := url.ParseQuery(benchQueries["filtered-sorted"])
	q, _ := ParseList(v)
	i := 0
	for b.Loop() {
		m.Upsert(readmodel.RowFor(tokens[i%len(tokens)]))
		i++
		Run(m, q, Visibility{All: true})
	}
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), "p99-µs")
}
