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

package metrics_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// BenchmarkScrape is one scrape of the metrics server's /metrics with n
// ApiTokens, as Prometheus asks for it (gzip), through the handler the
// metrics server serves: the bytes allocated per scrape are what the
// leader needs beyond its live heap each time it is scraped, MiB/scrape
// what goes over the wire.
func BenchmarkScrape(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			model := readmodel.NewModel()
			expires := metav1.NewTime(time.Unix(1_800_000_000, 0))
			for i := range n {
				model.Upsert(readmodel.RowFor(&authv1alpha1.ApiToken{
					ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: fmt.Sprintf("r-%06d", i), UID: types.UID(fmt.Sprint(i))},
					Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "ci-bot"},
					Status:     authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, ExpirationDate: &expires},
				}))
			}
			if err := metrics.Register(&metrics.Collector{Model: model, Leading: func() bool { return true }}); err != nil {
				b.Fatal(err)
			}
			filter, err := metrics.FilterProvider(nil)(nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			h, err := filter(logr.Discard(), promhttp.HandlerFor(crmetrics.Registry, promhttp.HandlerOpts{}))
			if err != nil {
				b.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.Header.Set("Accept", "text/plain;version=0.0.4")
			req.Header.Set("Accept-Encoding", "gzip")
			var size int64
			b.ReportAllocs()
			for b.Loop() {
				rec := &countingWriter{header: http.Header{}}
				h.ServeHTTP(rec, req)
				size = rec.n
			}
			b.ReportMetric(float64(size)/(1<<20), "MiB/scrape")
		})
	}
}

type countingWriter struct {
	header http.Header
	n      int64
}

func (w *countingWriter) Header() http.Header { return w.header }
func (w *countingWriter) WriteHeader(int)     {}
func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
