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
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// BenchmarkSelfServiceCreate is the self-service API's create path end to
// end: 20 concurrent callers POST /api/v1/tokens over TLS with a
// ServiceAccount token (--query-auth=kubernetes, reviews cached) to the
// running operator on envtest; each response returns once the new
// hash-only token verifies in the replica's cache. It reports p50 and p99
// from request to a verifying token, and creates per second. Needs envtest
// (make bench sets it up).
func BenchmarkSelfServiceCreate(b *testing.B) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		b.Skip("KUBEBUILDER_ASSETS is not set: run make bench")
	}
	const callers = 20
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	cfg.QPS, cfg.Burst = 500, 1000 // cmd/main.go's defaults
	opts := operator.ManagerOptions()
	opts.Metrics = metricsserver.Options{BindAddress: "0"}
	opts.HealthProbeBindAddress = "0"
	mgr, err := ctrl.NewManager(cfg, opts)
	if err != nil {
		b.Fatal(err)
	}
	addr, err := testutil.FreeAddress()
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := operator.Setup(ctx, mgr, operator.Options{MaxConcurrentReconciles: 8, Query: httpserver.ServingOptions{BindAddress: addr}, QueryAuth: httpserver.AuthKubernetes}); err != nil {
		b.Fatal(err)
	}
	go func() { _ = mgr.Start(ctx) }()
	caller := benchServiceAccountToken(b, cfg, "bench-creator", rbacv1.PolicyRule{
		APIGroups: []string{"auth.apitoken.io"}, Resources: []string{"apitokens"}, Verbs: []string{"create"}})

	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: callers,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // benchmark client of a self-signed server
	post := func(i int) (time.Duration, error) {
		body := fmt.Sprintf(`{"namespace":"default","name":"bench-%d","principal":"user-%d","ttl":"720h"}`, i, i%500)
		req, _ := http.NewRequest(http.MethodPost, "https://"+addr+"/api/v1/tokens", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+caller)
		start := time.Now()
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		defer func() { _ = resp.Body.Close() }()
		raw, _ := io.ReadAll(resp.Body)
		took := time.Since(start)
		var out struct {
			ApiToken struct {
				TokenStatus string `json:"tokenStatus"`
			} `json:"apiToken"`
		}
		if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &out) != nil || out.ApiToken.TokenStatus != "ACTIVE" {
			return took, fmt.Errorf("status %d, body %.200s", resp.StatusCode, raw)
		}
		return took, nil
	}
	// Until the server is up and the caches are warm.
	deadline := time.Now().Add(time.Minute)
	for i := -1; ; i-- {
		if _, err := post(i); err == nil {
			break
		} else if time.Now().After(deadline) {
			b.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The setup above runs once; the sub-benchmark runs for each b.N.
	b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) { driveCreates(b, callers, post) })
}

// seq numbers the benchmark's tokens.
var seq atomic.Int64

// driveCreates makes b.N creates from callers concurrent callers.
func driveCreates(b *testing.B, callers int, post func(i int) (time.Duration, error)) {
	var mu sync.Mutex
	durations := make([]time.Duration, 0, b.N)
	work := make(chan int)
	var wg sync.WaitGroup
	b.ResetTimer()
	for range callers {
		wg.Go(func() {
			for i := range work {
				took, err := post(i)
				if err != nil {
					b.Error(err)
					continue
				}
				mu.Lock()
				durations = append(durations, took)
				mu.Unlock()
			}
		})
	}
	for range b.N {
		work <- int(seq.Add(1)) // names unique across rounds and -count
	}
	close(work)
	wg.Wait()
	b.StopTimer()
	if len(durations) == 0 {
		b.Fatal("no create succeeded")
	}
	slices.Sort(durations)
	b.ReportMetric(float64(durations[len(durations)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(durations[len(durations)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(len(durations))/b.Elapsed().Seconds(), "creates/s")
}
