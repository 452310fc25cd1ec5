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
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/go-logr/logr"
)

// Benchmarks of the read model and the handler; run with make bench. They
// report p50/p99 latency per query besides Go's mean ns/op.

var benchTypes = []authv1alpha1.TokenType{authv1alpha1.TokenTypeUser, authv1alpha1.TokenTypeTeam, authv1alpha1.TokenTypeSession,
	authv1alpha1.TokenTypeWorkflow, authv1alpha1.TokenTypeGlobal, authv1alpha1.TokenTypeApiClient}
var benchStatuses = []authv1alpha1.TokenStatus{authv1alpha1.TokenStatusActive, authv1alpha1.TokenStatusActive,
	authv1alpha1.TokenStatusActive, authv1alpha1.TokenStatusExpired, authv1alpha1.TokenStatusRevoked}

// benchTokens makes n ApiTokens spread over 50 namespaces, as the informer cache would hold them.
func benchTokens(n int) []*authv1alpha1.ApiToken {
	out := make([]*authv1alpha1.ApiToken, n)
	for i := range n {
		created := metav1.NewTime(base.Add(time.Duration(i*7919%n) * time.Minute))
		expires := metav1.NewTime(created.Add(30 * 24 * time.Hour))
		t := &authv1alpha1.ApiToken{
			ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("team-%02d", i%50), Name: fmt.Sprintf("token-%06d", i), UID: types.UID(fmt.Sprintf("uid-%06d", i))},
			Spec: authv1alpha1.ApiTokenSpec{Type: benchTypes[i%len(benchTypes)], Principal: fmt.Sprintf("user-%04d@example.com", i%5000),
				DisplayName: fmt.Sprintf("Token %d for automation", i), Description: "Used by the release pipeline",
				TTL: &metav1.Duration{Duration: 30 * 24 * time.Hour}},
			Status: authv1alpha1.ApiTokenStatus{TokenStatus: benchStatuses[i%len(benchStatuses)], CreationDate: &created, ExpirationDate: &expires,
				TokenLastChars: "abcde", SecretName: fmt.Sprintf("token-%06d", i), Revision: 1},
		}
		if i%3 == 0 {
			lu := metav1.NewTime(created.Add(time.Hour))
			t.Status.LastUsedDate = &lu
		}
		out[i] = t
	}
	return out
}

func benchModel(tokens []*authv1alpha1.ApiToken) *Model {
	m := NewModel()
	for _, t := range tokens {
		m.Upsert(RowFor(t))
	}
	return m
}

var benchQueries = map[string]string{
	"filtered-sorted": "type=USER,API_CLIENT&status=ACTIVE&sort=expirationDate&order=DESC&pageSize=50",
	"unfiltered":      "pageSize=50",
	"search":          "search=user-0042&sort=name",
}

func BenchmarkModelQuery(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		m := benchModel(benchTokens(n))
		for _, name := range []string{"filtered-sorted", "unfiltered", "search"} {
			v, _ := url.ParseQuery(benchQueries[name])
			q, err := ParseList(v)
			if err != nil {
				b.Fatal(err)
			}
			m.Run(q, Visibility{All: true}) // the sorted order is built once per change, not per query
			b.Run(fmt.Sprintf("n=%d/%s", n, name), func(b *testing.B) {
				durations := make([]time.Duration, 0, b.N)
				b.ReportAllocs()
				for b.Loop() {
					start := time.Now()
					p := m.Run(q, Visibility{All: true})
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

func BenchmarkHandler(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		s := &Server{Model: benchModel(benchTokens(n)), Access: openAccess{}, Log: logr.Discard()}
		h := s.Handler()
		for _, name := range []string{"filtered-sorted", "unfiltered"} {
			b.Run(fmt.Sprintf("n=%d/%s", n, name), func(b *testing.B) {
				durations := make([]time.Duration, 0, b.N)
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodGet, "/api/v1/tokens?"+benchQueries[name], nil)
					start := time.Now()
					h.ServeHTTP(rec, req)
					durations = append(durations, time.Since(start))
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
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
	tokens := benchTokens(n)
	for b.Loop() {
		before := heap()
		m := benchModel(tokens)
		for _, f := range sortFields {
			m.Run(Query{Sort: f, PageSize: 1, Created: openRange(), Expires: openRange(), LastUsed: openRange()}, Visibility{All: true})
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
	tokens := benchTokens(100_000)
	m := benchModel(tokens)
	m.MaxStaleness = 0
	v, _ := url.ParseQuery(benchQueries["filtered-sorted"])
	q, _ := ParseList(v)
	i := 0
	for b.Loop() {
		m.Upsert(RowFor(tokens[i%len(tokens)]))
		i++
		m.Run(q, Visibility{All: true})
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
