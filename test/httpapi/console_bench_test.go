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

package httpapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/apiserver/pkg/authentication/user"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/apitoken-io/apitoken-operator/internal/console"
	"github.com/apitoken-io/apitoken-operator/internal/grant"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// BenchmarkConsoleList is the console's list page at 100,000 tokens: the
// page of 25 sorted by expiry and its four status counters, each a query of
// the read model through the in-process JSON API, rendered to HTML
// (--query-auth=none, so the figure is the console's and the query
// package's, not the API server's). Target: p99 ≤ 50 ms.
func BenchmarkConsoleList(b *testing.B) {
	model := testutil.BenchModel(testutil.BenchApiTokens(100_000))
	access, err := httpserver.NewAccess(httpserver.AuthNone, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	h := buildHandlers(b, operator.HTTPDeps{Model: model, Access: access, Log: log.Log, Synced: func() bool { return true },
		Console: console.New(console.Options{
			Authenticator: access.Authenticator, Log: log.Log,
			Writable: func(ctx context.Context, u user.Info, extra ...string) (grant.Writable, error) {
				return grant.WritableNamespaces(ctx, access, model, u, extra...)
			},
		})}).Query
	for _, page := range []struct{ name, path string }{
		{"default", "/console/"},
		{"search", "/console/?search=bench&status=ACTIVE&sort=lastUsedDate&order=DESC&page=3"},
	} {
		b.Run(page.name, func(b *testing.B) {
			var durations []time.Duration
			for b.Loop() {
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, page.path, nil))
				durations = append(durations, time.Since(start))
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="tokens"`) || strings.Contains(rec.Body.String(), `id="error"`) {
					b.Fatalf("status %d: %.500s", rec.Code, rec.Body)
				}
			}
			testutil.ReportLatencies(b, durations)
		})
	}
}
