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

package metrics

import (
	"compress/gzip"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-logr/logr"
	"github.com/prometheus/common/expfmt"
	"k8s.io/client-go/rest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// The metrics server's /metrics: the registry's families, then the
// per-token gauges of the collector Register was last given.

// metricsPath is the controller-runtime metrics server's endpoint.
const metricsPath = "/metrics"

// current is the collector whose per-token gauges /metrics writes.
var current atomic.Pointer[Collector]

// FilterProvider is the metrics server's filter (metricsserver.Options.FilterProvider):
// its /metrics answers in the text format with the per-token gauges after
// the registry's families, behind auth's filter when auth is not nil (the
// secure metrics server's authentication and authorization).
func FilterProvider(auth func(*rest.Config, *http.Client) (metricsserver.Filter, error)) func(*rest.Config, *http.Client) (metricsserver.Filter, error) {
	return func(cfg *rest.Config, client *http.Client) (metricsserver.Filter, error) {
		var outer metricsserver.Filter
		if auth != nil {
			var err error
			if outer, err = auth(cfg, client); err != nil {
				return nil, err
			}
		}
		return func(log logr.Logger, h http.Handler) (http.Handler, error) {
			h = withTokenSeries(h)
			if outer == nil {
				return h, nil
			}
			return outer(log, h)
		}, nil
	}
}

// textFormat is what the registry's handler is asked for: the text format,
// to which the per-token lines can be appended.
var textFormat = string(expfmt.NewFormat(expfmt.TypeTextPlain))

// withTokenSeries answers a GET of /metrics with next's answer in the text
// format, then the per-token gauges (only the families a name[] parameter
// names, when it names any, as client_golang's handler filters its own); a
// HEAD gets the same headers. Anything else is next's alone.
func withTokenSeries(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := current.Load()
		if c == nil || r.URL.Path != metricsPath || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			next.ServeHTTP(w, r)
			return
		}
		inner := r.Clone(r.Context())
		inner.Header.Set("Accept", textFormat)
		inner.Header.Del("Accept-Encoding")
		w.Header().Add("Vary", "Accept-Encoding")
		rec := &statusRecorder{ResponseWriter: w, body: w}
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			w.Header().Set("Content-Encoding", "gzip")
			rec.gz = gzipWriters.Get().(*gzip.Writer)
			rec.gz.Reset(w)
			rec.body = rec.gz
			defer rec.closeGzip()
		}
		next.ServeHTTP(rec, inner)
		if rec.status == 0 {
			rec.WriteHeader(http.StatusOK) // an empty registry writes nothing
		}
		if rec.status != http.StatusOK || r.Method == http.MethodHead {
			return
		}
		// An error here is the client gone mid-answer: nothing to tell it.
		_ = c.WriteTokenSeries(rec.body, familyFilter(r))
	})
}

// familyFilter is the set of families the request's name[] parameters
// name, as a predicate; nil (every family) when they name none.
func familyFilter(r *http.Request) func(string) bool {
	names := r.URL.Query()["name[]"]
	if len(names) == 0 {
		return nil
	}
	return func(family string) bool { return slices.Contains(names, family) }
}

// gzipWriters are reused across scrapes: a compressor's state is a few
// hundred kilobytes.
var gzipWriters = sync.Pool{New: func() any {
	gz, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed) // a valid level: cannot fail
	return gz
}}

// acceptsGzip says whether an Accept-Encoding header admits gzip.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// statusRecorder passes next's headers on and its body through body (the
// compressor, when there is one), and remembers its status. An error
// answer goes out uncompressed: client_golang's error path drops the
// Content-Encoding header and writes plain text.
type statusRecorder struct {
	http.ResponseWriter
	body   io.Writer
	gz     *gzip.Writer
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status != 0 {
		return
	}
	s.status = code
	h := s.Header()
	h.Del("Content-Length")
	if s.gz != nil && (code != http.StatusOK || h.Get("Content-Encoding") != "gzip") {
		h.Del("Content-Encoding")
		s.gz.Reset(io.Discard)
		s.body = s.ResponseWriter
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.WriteHeader(http.StatusOK)
	}
	return s.body.Write(p)
}

// closeGzip ends the compressed stream (or the discarded one) and returns
// the compressor to the pool.
func (s *statusRecorder) closeGzip() {
	_ = s.gz.Close()
	s.gz.Reset(io.Discard)
	gzipWriters.Put(s.gz)
}
