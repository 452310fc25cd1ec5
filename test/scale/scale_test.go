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

// Package scale benchmarks the operator as it runs (the manager wired by
// internal/operator, as cmd/main.go wires it) against envtest at thousands
// of tokens: issuance throughput against a plain client's ceiling, API
// writes per token, expiry precision, steady-state API traffic and heap per
// token. Run with make bench-e2e; figures go to docs/benchmarks.md.
package scale

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// concurrency is --max-concurrent-reconciles' default, and the plain
// client's worker count for the ceiling.
const concurrency = 8

var (
	envOnce sync.Once
	env     *envtest.Environment
	cfg     *rest.Config
	c       client.Client
	envErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if env != nil {
		_ = env.Stop()
	}
	os.Exit(code)
}

func start(b *testing.B) {
	b.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		b.Skip("KUBEBUILDER_ASSETS is not set: run make bench-e2e")
	}
	envOnce.Do(func() {
		env = &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
		if cfg, envErr = env.Start(); envErr != nil {
			return
		}
		// No client-side rate limit, for the manager and the ceiling alike:
		// the API server is what is measured against.
		cfg.QPS, cfg.Burst = -1, 0
		c, envErr = client.New(cfg, client.Options{Scheme: operator.NewScheme()})
	})
	if envErr != nil {
		b.Fatal(envErr)
	}
}

// requestCounter counts the manager's API requests by verb.
type requestCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (r *requestCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		verb := req.Method // GET is a get or a list
		if req.Method == http.MethodGet && req.URL.Query().Get("watch") == "true" {
			verb = "WATCH"
		}
		r.mu.Lock()
		r.counts[verb]++
		if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/events") {
			r.counts["POST events"]++
		}
		r.mu.Unlock()
		return rt.RoundTrip(req)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (r *requestCounter) reset() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.counts
	r.counts = map[string]int{}
	return out
}

// eventWrites is the Event creations among the writes: one Issued Event
// per token (the rest are the Secret and the status).
func eventWrites(counts map[string]int, _ int) int { return counts["POST events"] }

func writes(counts map[string]int) int {
	return counts[http.MethodPost] + counts[http.MethodPut] + counts[http.MethodPatch] + counts[http.MethodDelete]
}

// startManager runs the manager as cmd/main.go sets it up, query server
// included, and counts its API requests.
func startManager(b *testing.B, syncPeriod time.Duration) (stop func(), requests *requestCounter) {
	b.Helper()
	requests = &requestCounter{counts: map[string]int{}}
	mcfg := rest.CopyConfig(cfg)
	mcfg.WrapTransport = requests.wrap
	opts := operator.ManagerOptions()
	opts.Metrics = metricsserver.Options{BindAddress: "0"}
	opts.HealthProbeBindAddress = "0"
	opts.Controller = config.Controller{SkipNameValidation: ptrTo(true)}
	if syncPeriod > 0 {
		opts.Cache.SyncPeriod = &syncPeriod
	}
	mgr, err := ctrl.NewManager(mcfg, opts)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := operator.Setup(ctx, mgr, operator.Options{
		MaxConcurrentReconciles: concurrency,
		Query:                   query.Options{BindAddress: freeAddress(b), Insecure: true},
		QueryAuth:               query.AuthNone,
		LastUsedInterval:        time.Minute,
	}); err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			b.Error(err)
		}
	}()
	return func() { cancel(); <-done }, requests
}

func ptrTo[T any](v T) *T { return &v }

func freeAddress(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

func newNamespace(b *testing.B) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "scale-"}}
	if err := c.Create(context.Background(), ns); err != nil {
		b.Fatal(err)
	}
	return ns.Name
}

// parallel runs f(i) for i in [0, n) on workers goroutines.
func parallel(b *testing.B, n, workers int, f func(i int) error) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				if err := f(i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func createTokens(b *testing.B, ns string, n int, ttl time.Duration) {
	parallel(b, n, 16, func(i int) error {
		return c.Create(context.Background(), testutil.MakeApiToken(ns, fmt.Sprintf("t-%05d", i)).TTL(ttl).Obj())
	})
}

// countStatus lists the namespace's ApiTokens in pages and counts those in st.
func countStatus(ns string, st authv1alpha1.TokenStatus) (int, error) {
	n, cont := 0, ""
	for {
		var list authv1alpha1.ApiTokenList
		if err := c.List(context.Background(), &list, client.InNamespace(ns), client.Limit(1000), client.Continue(cont)); err != nil {
			return 0, err
		}
		for _, t := range list.Items {
			if t.Status.TokenStatus == st {
				n++
			}
		}
		if cont = list.Continue; cont == "" {
			return n, nil
		}
	}
}

func waitFor(b *testing.B, timeout time.Duration, cond func() (bool, error)) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			b.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("not reached within %s", timeout)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkIssuance issues n generated ApiTokens created beforehand: the
// time from the manager's start (cache sync included) until all are Active,
// against a plain client doing the same writes (create a Secret, patch a
// status) with the same concurrency. It also reports API writes per token,
// the heap the manager holds per token, and the API traffic of a resync of
// everything once converged.
func BenchmarkIssuance(b *testing.B) {
	start(b)
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ctx := context.Background()
			ns := newNamespace(b)
			createTokens(b, ns, n, 24*time.Hour)

			baseHeap := heapAlloc()
			begin := time.Now()
			const resync = 10 * time.Second
			stop, requests := startManager(b, resync)
			// When 10 % and 90 % were Active: the rate between them is the
			// issuance rate once the caches have synced.
			var t10, t90 time.Time
			waitFor(b, 10*time.Minute, func() (bool, error) {
				got, err := countStatus(ns, authv1alpha1.TokenStatusActive)
				if t10.IsZero() && got >= n/10 {
					t10 = time.Now()
				}
				if t90.IsZero() && got >= n*9/10 {
					t90 = time.Now()
				}
				return got == n, err
			})
			elapsed := time.Since(begin)
			steadyRate := float64(n*8/10) / t90.Sub(t10).Seconds()
			issueRequests := requests.reset()
			heap := heapAlloc()
			if err := testutil.Converged(ctx, c, ns, 1); err != nil {
				b.Fatal(err)
			}

			// Steady state: wait out two resync periods with nothing to do.
			time.Sleep(2*resync + time.Second)
			steady := requests.reset()
			stop()

			// The ceiling, with the manager stopped: a plain client creates
			// a Secret and patches an ApiToken's status per token.
			cns := newNamespace(b)
			createTokens(b, cns, n, 24*time.Hour)
			ceilingStart := time.Now()
			parallel(b, n, concurrency, func(i int) error {
				name := fmt.Sprintf("t-%05d", i)
				s := testutil.MakeSecret(cns, name).Data("token", "0123456789abcdef0123456789abcdef").Obj()
				if err := c.Create(ctx, s); err != nil {
					return err
				}
				tok := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: cns, Name: name}}
				patch := []byte(`{"status":{"tokenStatus":"Active","revision":1}}`)
				return c.Status().Patch(ctx, tok, client.RawPatch("application/merge-patch+json", patch))
			})
			ceiling := time.Since(ceilingStart)

			rate, ceilingRate := float64(n)/elapsed.Seconds(), float64(n)/ceiling.Seconds()
			b.ReportMetric(elapsed.Seconds(), "s-to-all-active")
			b.ReportMetric(rate, "tokens/s")
			b.ReportMetric(ceilingRate, "ceiling-tokens/s")
			b.ReportMetric(rate/ceilingRate, "ratio")
			b.ReportMetric(steadyRate, "tokens/s-10-to-90%")
			b.ReportMetric(steadyRate/ceilingRate, "ratio-10-to-90%")
			b.ReportMetric(float64(issueRequests[http.MethodPatch]+issueRequests[http.MethodPost]-eventWrites(issueRequests, n))/float64(n), "writes/token-without-events")
			b.ReportMetric(float64(writes(issueRequests))/float64(n), "writes/token")
			b.ReportMetric(float64(heap-min(heap, baseHeap))/float64(n), "heap-B/token")
			b.ReportMetric(float64(writes(steady)), "resync-writes")
			b.ReportMetric(float64(steady[http.MethodGet]), "resync-reads")
			b.Logf("requests while issuing: %v; during two resyncs: %v", issueRequests, steady)
		})
	}
}

// BenchmarkExpiryPrecision: 200 ApiTokens with a 3s ttl; how long after its
// expirationDate each is seen Expired.
func BenchmarkExpiryPrecision(b *testing.B) {
	start(b)
	const n = 200
	ns := newNamespace(b)
	stop, _ := startManager(b, 0)
	defer stop()
	createTokens(b, ns, n, 3*time.Second)

	seen := map[string]time.Duration{}
	waitForExpired := func() (bool, error) {
		var list authv1alpha1.ApiTokenList
		if err := c.List(context.Background(), &list, client.InNamespace(ns)); err != nil {
			return false, err
		}
		now := time.Now()
		for _, t := range list.Items {
			if _, ok := seen[t.Name]; ok || t.Status.TokenStatus != authv1alpha1.TokenStatusExpired || t.Status.ExpirationDate == nil {
				continue
			}
			seen[t.Name] = now.Sub(t.Status.ExpirationDate.Time)
		}
		return len(seen) == n, nil
	}
	// Polled every 50 ms: the figures include up to 50 ms of polling.
	deadline := time.Now().Add(time.Minute)
	for {
		done, err := waitForExpired()
		if err != nil {
			b.Fatal(err)
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d expired within a minute", len(seen), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	lags := make([]time.Duration, 0, n)
	for _, d := range seen {
		lags = append(lags, d)
	}
	slices.Sort(lags)
	b.ReportMetric(float64(lags[n/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lags[n*99/100].Milliseconds()), "p99-ms")
	b.ReportMetric(float64(lags[n-1].Milliseconds()), "max-ms")
}
