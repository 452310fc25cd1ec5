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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// concurrency is --max-concurrent-reconciles' default, and the plain
// client's worker count for the ceiling.
const concurrency = 8

// The control plane of the running benchmark, and a client of it.
var (
	cfg *rest.Config
	c   client.Client
)

// start starts a control plane for one benchmark, stopped when it ends: a
// benchmark is not slowed by what the one before left for kube-apiserver
// and etcd to digest (thousands of deleted objects, say).
func start(b *testing.B) { startKeeping(b, "") }

// startKeeping is start with etcd's data in etcdDir when it is not empty:
// what one run wrote, the next finds (the restart profile's fixtures,
// SCALE_ETCD_DIR).
func startKeeping(b *testing.B, etcdDir string) {
	b.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		b.Skip("KUBEBUILDER_ASSETS is not set: run make bench-e2e")
	}
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	if etcdDir != "" {
		env.ControlPlane.Etcd = &envtest.Etcd{DataDir: etcdDir}
	}
	var err error
	if cfg, err = env.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := env.Stop(); err != nil {
			b.Error(err)
		}
	})
	// No client-side rate limit, for the manager and the ceiling alike:
	// the API server is what is measured against.
	cfg.QPS, cfg.Burst = -1, 0
	if c, err = client.New(cfg, client.Options{Scheme: operator.NewScheme()}); err != nil {
		b.Fatal(err)
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
		r.counts[verb+" "+resourceOf(req.URL.Path)]++
		r.mu.Unlock()
		return rt.RoundTrip(req)
	})
}

// resourceOf is "secrets", "apitokens/status", "events"... of an API path.
func resourceOf(path string) string {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	for i, p := range parts {
		if p == "namespaces" && i+2 < len(parts) {
			res := parts[i+2]
			if i+4 < len(parts) {
				res += "/" + parts[i+4]
			}
			return res
		}
	}
	return parts[len(parts)-1]
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

// eventWrites is the writes of Events: one Issued Event per token (the
// rest are the Secret and the status).
func eventWrites(counts map[string]int) int { return counts["POST events"] + counts["PATCH events"] }

func writes(counts map[string]int) int {
	return counts[http.MethodPost] + counts[http.MethodPut] + counts[http.MethodPatch] + counts[http.MethodDelete]
}

// startManager runs the manager as cmd/main.go sets it up, query server
// included, and counts its API requests.
func startManager(b *testing.B, syncPeriod time.Duration) (stop func(), requests *requestCounter) {
	b.Helper()
	stop, requests, _ = runManager(b, syncPeriod)
	return stop, requests
}

// runManager is startManager, and the manager's read model.
func runManager(b *testing.B, syncPeriod time.Duration) (stop func(), requests *requestCounter, model *readmodel.Model) {
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
	model, err = operator.Setup(ctx, mgr, operator.Options{
		MaxConcurrentReconciles: concurrency,
		Query:                   httpserver.ServingOptions{BindAddress: testutil.MustFreeAddress(b), Insecure: true},
		QueryAuth:               httpserver.AuthNone,
		LastUsedInterval:        time.Minute,
		// BenchmarkWebhookDelivery's receiver.
		Webhooks: operator.WebhookOptions{AllowedCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
	})
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := mgr.Start(ctx); err != nil {
			b.Error(err)
		}
	}()
	return func() {
		cancel()
		<-done
		// The metrics collector is registered globally and holds the read
		// model: unregistered, the stopped manager's memory is free to go.
		crmetrics.Registry.Unregister(&metrics.Collector{})
	}, requests, model
}

// reconciles is how many reconciles the ApiToken controller has finished in
// this process, from controller-runtime's metrics.
func reconciles(b *testing.B) float64 {
	b.Helper()
	return controllerCounter(b, "controller_runtime_reconcile_total")
}

// reconcileErrors is how many reconciles of the ApiToken controller
// returned an error in this process.
func reconcileErrors(b *testing.B) float64 {
	b.Helper()
	return controllerCounter(b, "controller_runtime_reconcile_errors_total")
}

// controllerCounter sums a controller-runtime counter for the ApiToken
// controller.
func controllerCounter(b *testing.B, name string) float64 {
	b.Helper()
	families, err := crmetrics.Registry.Gather()
	if err != nil {
		b.Fatal(err)
	}
	var sum float64
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "controller" && l.GetValue() == "apitoken" {
					sum += m.GetCounter().GetValue()
				}
			}
		}
	}
	return sum
}

func ptrTo[T any](v T) *T { return &v }

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

// statusWatch follows the namespace's ApiTokens with one watch (listing
// thousands of objects over and over would load the API server being
// measured) and keeps, per name, the time each was first seen in a status.
type statusWatch struct {
	mu    sync.Mutex
	first map[authv1alpha1.TokenStatus]map[string]time.Time
	exp   map[string]time.Time
	// rotated is when revision 2 was first seen; exp1 the expirationDate of
	// revision 1.
	rotated, exp1 map[string]time.Time
}

func watchStatus(b *testing.B, ns string) (*statusWatch, func()) {
	b.Helper()
	wc, err := client.NewWithWatch(cfg, client.Options{Scheme: operator.NewScheme()})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w, err := wc.Watch(ctx, &authv1alpha1.ApiTokenList{}, client.InNamespace(ns))
	if err != nil {
		b.Fatal(err)
	}
	sw := &statusWatch{first: map[authv1alpha1.TokenStatus]map[string]time.Time{}, exp: map[string]time.Time{},
		rotated: map[string]time.Time{}, exp1: map[string]time.Time{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range w.ResultChan() {
			t, ok := ev.Object.(*authv1alpha1.ApiToken)
			if !ok {
				continue
			}
			now := time.Now()
			sw.mu.Lock()
			st := t.Status.TokenStatus
			if sw.first[st] == nil {
				sw.first[st] = map[string]time.Time{}
			}
			if _, seen := sw.first[st][t.Name]; !seen {
				sw.first[st][t.Name] = now
			}
			if t.Status.ExpirationDate != nil {
				sw.exp[t.Name] = t.Status.ExpirationDate.Time
				if t.Status.Revision == 1 {
					sw.exp1[t.Name] = t.Status.ExpirationDate.Time
				}
			}
			if _, seen := sw.rotated[t.Name]; !seen && t.Status.Revision == 2 {
				sw.rotated[t.Name] = now
			}
			sw.mu.Unlock()
		}
	}()
	// Stopping waits for the goroutine: what it holds is not the manager's
	// heap, and must not be counted as such.
	return sw, func() { w.Stop(); cancel(); <-done }
}

func (sw *statusWatch) count(st authv1alpha1.TokenStatus) int {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return len(sw.first[st])
}

// times are the instants tokens were first seen in st, in order.
func (sw *statusWatch) times(st authv1alpha1.TokenStatus) []time.Time {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	out := make([]time.Time, 0, len(sw.first[st]))
	for _, t := range sw.first[st] {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

func waitFor(b *testing.B, timeout time.Duration, cond func() (bool, error)) {
	b.Helper()
	waitEvery(b, timeout, 250*time.Millisecond, cond)
}

// waitEvery is waitFor, checking every interval.
func waitEvery(b *testing.B, timeout, interval time.Duration, cond func() (bool, error)) {
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
		time.Sleep(interval)
	}
}

// writeHeapProfile writes the heap profile to $HEAP_PROFILE_DIR/name, when
// set, to see what the manager's heap per token is made of.
func writeHeapProfile(b *testing.B, name string) {
	dir := os.Getenv("HEAP_PROFILE_DIR")
	if dir == "" {
		return
	}
	if err := writeProfileTo(filepath.Join(dir, name)); err != nil {
		b.Fatal(err)
	}
}

// writeProfileTo writes the heap profile of the last collection to path.
func writeProfileTo(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
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
	// restartedHeap is, by number of tokens, the heap of a manager started
	// on that many Active tokens.
	restartedHeap := map[int]uint64{}
	start(b)
	for _, n := range []int{1000, 5000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			ctx := context.Background()
			ns := newNamespace(b)
			createTokens(b, ns, n, 24*time.Hour)

			baseHeap := heapAlloc()
			sw, stopWatch := watchStatus(b, ns)
			// The watch first replays the n ApiTokens as they are: done
			// before the clock starts, as for the ceiling.
			waitFor(b, time.Minute, func() (bool, error) { return sw.count("") == n, nil })
			cpuBegin := cpuNow()
			reconcilesBegin := reconciles(b)
			begin := time.Now()
			const resync = 10 * time.Second
			stop, requests := startManager(b, resync)
			waitFor(b, 10*time.Minute, func() (bool, error) { return sw.count(authv1alpha1.TokenStatusActive) == n, nil })
			active := sw.times(authv1alpha1.TokenStatusActive)
			elapsed := active[n-1].Sub(begin)
			// The rate between 10 % and 90 % Active: issuance once the
			// caches have synced.
			steadyRate := rate10to90(active)
			issueCPU := cpuNow().sub(cpuBegin)
			issueReconciles := reconciles(b) - reconcilesBegin
			stopWatch()
			issueRequests := requests.reset()
			heap := heapAlloc()
			writeHeapProfile(b, fmt.Sprintf("heap-%d.pprof", n))
			if err := testutil.Converged(ctx, c, ns, 1); err != nil {
				b.Fatal(err)
			}

			// Steady state: wait out two resync periods with nothing to do.
			time.Sleep(2*resync + time.Second)
			steady := requests.reset()
			stop()

			// A replica starting on n Active tokens (a restart, a new
			// leader, a standby): its heap once every token is reconciled,
			// without what issuing leaves behind for a while (client-go
			// keeps each Event for series detection for 6 to 12 minutes).
			restartBase := heapAlloc()
			before := reconciles(b)
			stop, requests = startManager(b, 0)
			waitFor(b, 5*time.Minute, func() (bool, error) { return reconciles(b)-before >= float64(n), nil })
			restartHeap := heapAlloc()
			restartedHeap[n] = restartHeap - min(restartHeap, restartBase)
			writeHeapProfile(b, fmt.Sprintf("heap-restarted-%d.pprof", n))
			restartRequests := requests.reset()
			stop()

			// The ceiling, with the manager stopped: a plain client makes
			// the same writes, byte for byte, with the same concurrency and
			// the same watcher: it creates each Secret the manager created
			// and patches each status to what the manager wrote.
			cns := newNamespace(b)
			createTokens(b, cns, n, 24*time.Hour)
			secrets, statuses := replay(b, ns, cns)
			// The ceiling runs on as many objects as the manager did: the
			// manager's are read, and go.
			deleteAll(b, ns)
			csw, stopCeilingWatch := watchStatus(b, cns)
			waitFor(b, time.Minute, func() (bool, error) { return csw.count("") == n, nil })
			ceilingCPUBegin := cpuNow()
			ceilingStart := time.Now()
			parallel(b, n, concurrency, func(i int) error {
				if err := c.Create(ctx, secrets[i]); err != nil {
					return err
				}
				tok := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: cns, Name: secrets[i].OwnerReferences[0].Name}}
				return c.Status().Patch(ctx, tok, client.RawPatch(types.MergePatchType, statuses[i]))
			})
			waitFor(b, time.Minute, func() (bool, error) { return csw.count(authv1alpha1.TokenStatusActive) == n, nil })
			ceilingActive := csw.times(authv1alpha1.TokenStatusActive)
			ceiling := ceilingActive[n-1].Sub(ceilingStart)
			ceilingSteadyRate := rate10to90(ceilingActive)
			ceilingCPU := cpuNow().sub(ceilingCPUBegin)
			stopCeilingWatch()
			// The next run starts on an empty cluster: its manager must
			// not cache, reconcile or count this run's objects.
			deleteAll(b, cns)

			rate, ceilingRate := float64(n)/elapsed.Seconds(), float64(n)/ceiling.Seconds()
			b.ReportMetric(elapsed.Seconds(), "s-to-all-active")
			// Starting up (caches synced, workers running) is part of the
			// time to all Active; the ceiling's client has none.
			b.ReportMetric(active[0].Sub(begin).Seconds(), "s-to-first-active")
			b.ReportMetric(rate, "tokens/s")
			b.ReportMetric(ceilingRate, "ceiling-tokens/s")
			b.ReportMetric(rate/ceilingRate, "ratio")
			b.ReportMetric(steadyRate, "tokens/s-10-to-90%")
			b.ReportMetric(ceilingSteadyRate, "ceiling-tokens/s-10-to-90%")
			b.ReportMetric(steadyRate/ceilingSteadyRate, "ratio-10-to-90%")
			b.ReportMetric(issueReconciles/float64(n), "reconciles/token")
			b.ReportMetric(float64(writes(issueRequests)-eventWrites(issueRequests))/float64(n), "writes/token-without-events")
			b.ReportMetric(float64(writes(issueRequests))/float64(n), "writes/token")
			b.ReportMetric(float64(heap-min(heap, baseHeap))/float64(n), "heap-B/token")
			b.ReportMetric(float64(restartHeap-min(restartHeap, restartBase))/float64(n), "restarted-heap-B/token")
			b.ReportMetric(float64(writes(restartRequests)), "restart-writes")
			// What one more token costs, without what a manager holds
			// whatever the number of tokens (scheme, REST mapper,
			// connections): the slope between the two sizes.
			if small, ok := restartedHeap[1000]; ok && n > 1000 {
				b.ReportMetric(float64(restartedHeap[n]-min(restartedHeap[n], small))/float64(n-1000), "marginal-heap-B/token")
			}
			b.ReportMetric(float64(writes(steady)), "resync-writes")
			b.ReportMetric(float64(steady[http.MethodGet]), "resync-reads")
			perToken := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
			b.ReportMetric(perToken(issueCPU.controlPlane), "control-plane-CPU-ms/token")
			b.ReportMetric(perToken(issueCPU.self), "manager-process-CPU-ms/token")
			b.ReportMetric(perToken(ceilingCPU.controlPlane), "ceiling-control-plane-CPU-ms/token")
			b.ReportMetric(perToken(ceilingCPU.self), "ceiling-client-CPU-ms/token")
			b.Logf("requests while issuing: %v; during two resyncs: %v; by a restarted manager: %v", issueRequests, steady, restartRequests)
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
	sw, stopWatch := watchStatus(b, ns)
	defer stopWatch()
	createTokens(b, ns, n, 3*time.Second)

	waitFor(b, time.Minute, func() (bool, error) { return sw.count(authv1alpha1.TokenStatusExpired) == n, nil })
	lags := make([]time.Duration, 0, n)
	sw.mu.Lock()
	for name, at := range sw.first[authv1alpha1.TokenStatusExpired] {
		lags = append(lags, at.Sub(sw.exp[name]))
	}
	sw.mu.Unlock()
	slices.Sort(lags)
	b.ReportMetric(float64(lags[n/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lags[n*99/100].Milliseconds()), "p99-ms")
	b.ReportMetric(float64(lags[n-1].Milliseconds()), "max-ms")
}

// BenchmarkSharedRenewal: 1,000 ApiTokens created together share one
// expiry (40s ttl, renewBefore 20s). All must rotate before they expire,
// spread by the renewal jitter, with no retry storm: API requests per
// rotation are counted.
func BenchmarkSharedRenewal(b *testing.B) {
	start(b)
	const n = 1000
	ns := newNamespace(b)
	stop, requests := startManager(b, 0)
	defer stop()
	sw, stopWatch := watchStatus(b, ns)
	defer stopWatch()
	parallel(b, n, 16, func(i int) error {
		return c.Create(context.Background(), testutil.MakeApiToken(ns, fmt.Sprintf("t-%05d", i)).TTL(40*time.Second).Rotation(20*time.Second, 10*time.Second).Obj())
	})
	waitFor(b, time.Minute, func() (bool, error) { return sw.count(authv1alpha1.TokenStatusActive) == n, nil })
	requests.reset()
	waitFor(b, 2*time.Minute, func() (bool, error) {
		sw.mu.Lock()
		defer sw.mu.Unlock()
		return len(sw.rotated) == n, nil
	})
	rotation := requests.reset()

	sw.mu.Lock()
	late := 0
	var at []time.Time
	for name, t := range sw.rotated {
		if !t.Before(sw.exp1[name]) {
			late++
		}
		at = append(at, t)
	}
	sw.mu.Unlock()
	slices.SortFunc(at, func(a, b time.Time) int { return a.Compare(b) })
	perSecond := map[int64]int{}
	for _, t := range at {
		perSecond[t.Unix()]++
	}
	peak := 0
	for _, k := range perSecond {
		peak = max(peak, k)
	}
	b.ReportMetric(float64(late), "rotated-after-expiry")
	b.ReportMetric(at[n-1].Sub(at[0]).Seconds(), "rotation-spread-s")
	b.ReportMetric(float64(peak), "peak-rotations/s")
	b.ReportMetric(float64(writes(rotation)-eventWrites(rotation))/n, "writes/rotation-without-events")
	b.ReportMetric(float64(rotation[http.MethodGet])/n, "reads/rotation")
	b.Logf("requests while rotating: %v", rotation)
}

// rate10to90 is the rate between 10 % and 90 % of the tokens Active, given
// the sorted instants each became Active: issuance once started up.
func rate10to90(active []time.Time) float64 {
	n := len(active)
	return float64(n*8/10) / active[n*9/10].Sub(active[n/10]).Seconds()
}

// deleteAll deletes the ApiTokens and Secrets of namespace ns.
func deleteAll(b *testing.B, ns string) {
	b.Helper()
	for _, obj := range []client.Object{&authv1alpha1.ApiToken{}, &corev1.Secret{}} {
		if err := c.DeleteAllOf(context.Background(), obj, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
	}
}

// replay reads what the manager wrote in namespace from (each ApiToken's
// Secret and status) and returns the same writes for the ApiTokens of the
// same names in namespace to: the Secrets to create, owned by the new
// ApiTokens, and the status merge patches.
func replay(b *testing.B, from, to string) (secrets []*corev1.Secret, statuses [][]byte) {
	b.Helper()
	ctx := context.Background()
	var wrote corev1.SecretList
	if err := c.List(ctx, &wrote, client.InNamespace(from)); err != nil {
		b.Fatal(err)
	}
	var written, owners authv1alpha1.ApiTokenList
	if err := c.List(ctx, &written, client.InNamespace(from)); err != nil {
		b.Fatal(err)
	}
	if err := c.List(ctx, &owners, client.InNamespace(to)); err != nil {
		b.Fatal(err)
	}
	uid := map[string]types.UID{}
	for _, t := range owners.Items {
		uid[t.Name] = t.UID
	}
	for _, t := range written.Items {
		patch, err := json.Marshal(map[string]any{"status": t.Status})
		if err != nil {
			b.Fatal(err)
		}
		statuses = append(statuses, patch)
	}
	for i := range wrote.Items {
		s := wrote.Items[i].DeepCopy()
		if len(s.OwnerReferences) != 1 {
			b.Fatalf("Secret %s has %d owner references, want 1", s.Name, len(s.OwnerReferences))
		}
		s.ObjectMeta = metav1.ObjectMeta{Name: s.Name, Namespace: to, Labels: s.Labels, Annotations: s.Annotations, OwnerReferences: s.OwnerReferences}
		s.OwnerReferences[0].UID = uid[s.OwnerReferences[0].Name]
		// The same number of bytes, not the same token: a token is never
		// copied out of its Secret, not even by a benchmark.
		for k, v := range s.Data {
			s.Data[k] = bytes.Repeat([]byte("x"), len(v))
		}
		secrets = append(secrets, s)
	}
	if len(secrets) != len(statuses) {
		b.Fatalf("%d Secrets for %d ApiTokens", len(secrets), len(statuses))
	}
	// Secret i and status i belong to the same ApiToken: both lists are
	// sorted by name, and each Secret is named after its ApiToken.
	for i, s := range secrets {
		if s.Name != written.Items[i].Name {
			b.Fatalf("Secret %s beside ApiToken %s", s.Name, written.Items[i].Name)
		}
	}
	return secrets, statuses
}
