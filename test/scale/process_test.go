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

package scale

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// The running manager, as a process of its own: what a pod would hold.

// managerProcess is the operator's binary running against the benchmark's
// API server.
type managerProcess struct {
	cmd                    *exec.Cmd
	metrics, probes, query string // base URLs
	logs                   testutil.SyncBuffer
	once                   sync.Once
	exited                 chan struct{}
}

// buildManager builds cmd/ into a temporary directory and returns the
// binary's path.
func buildManager(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "manager")
	build := exec.Command("go", "build", "-o", bin, "../../cmd")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProcess runs the manager's binary with the API server's admin
// credentials, the container's memory limit memLimit given to it as the
// chart gives it (MEMORY_LIMIT), and the query API on plain HTTP without authentication
// (what is measured is the manager, not the caller's TokenReview).
func startProcess(b *testing.B, bin, memLimit string) *managerProcess {
	b.Helper()
	dir := b.TempDir()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	// A namespace of the context's own: out of a cluster the binary
	// refuses to keep its mark key in "default". kube-system exists in
	// every API server.
	kc.Contexts["admin"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin", Namespace: "kube-system"}
	kc.CurrentContext = "admin"
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, kubeconfig); err != nil {
		b.Fatal(err)
	}
	p := &managerProcess{}
	addr := func() string { return testutil.MustFreeAddress(b) }
	m, pr, q := addr(), addr(), addr()
	p.metrics, p.probes, p.query = "http://"+m, "http://"+pr, "http://"+q
	p.cmd = exec.Command(bin, "--metrics-bind-address="+m, "--metrics-secure=false", "--health-probe-bind-address="+pr,
		"--query-bind-address="+q, "--query-insecure", "--query-auth=none", "--max-concurrent-reconciles="+strconv.Itoa(concurrency))
	limit, err := resource.ParseQuantity(memLimit)
	if err != nil {
		b.Fatalf("SCALE_MEMORY_LIMIT: %q: %v", memLimit, err)
	}
	p.cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig, "MEMORY_LIMIT="+strconv.FormatInt(limit.Value(), 10))
	p.cmd.Stdout, p.cmd.Stderr = &p.logs, &p.logs
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	p.exited = make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	b.Cleanup(p.kill)
	return p
}

// kill stops the process, once.
func (p *managerProcess) kill() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.exited
	})
}

// probeClient gives up on a request the manager does not answer in time
// (a manager stuck collecting garbage must fail the profile, not hang it).
var probeClient = &http.Client{Timeout: 30 * time.Second}

// get is the body of a GET of url, and whether it answered 200.
func get(url string) (string, bool) {
	resp, err := probeClient.Get(url)
	if err != nil {
		return "", false
	}
	defer func() { _ = resp.Body.Close() }()
	var sb strings.Builder
	_, _ = bufio.NewReader(resp.Body).WriteTo(&sb)
	return sb.String(), resp.StatusCode == http.StatusOK
}

// scrape sums the samples of the metric name whose labels include want.
func (p *managerProcess) scrape(b *testing.B, name string, want map[string]string) float64 {
	b.Helper()
	// Only the family asked for: the per-token series would be most of
	// the answer (the server filters by name[], as Prometheus' federation
	// asks).
	body, ok := get(p.metrics + "/metrics?" + url.Values{"name[]": {name}}.Encode())
	if !ok {
		b.Fatalf("the manager's /metrics did not answer 200:\n%s", p.logs.String())
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	var sum float64
	for _, m := range families[name].GetMetric() {
		matches := 0
		for _, l := range m.GetLabel() {
			if v, ok := want[l.GetName()]; ok && v == l.GetValue() {
				matches++
			}
		}
		if matches == len(want) {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue() + m.GetUntyped().GetValue()
		}
	}
	return sum
}

// memory is the process's resident set (/proc/<pid>/status): all of it,
// and its anonymous part (the heap, stacks and runtime; the rest is the
// binary's pages, which the kernel may drop and reload, and which an OOM
// kill does not count first).
func (p *managerProcess) memory() (rss, anon uint64, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		for key, dst := range map[string]*uint64{"VmRSS:": &rss, "RssAnon:": &anon} {
			if v, ok := strings.CutPrefix(line, key); ok {
				kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				if err != nil {
					return 0, 0, err
				}
				*dst = kb << 10
			}
		}
	}
	return rss, anon, nil
}

// sampleMemory records the peak of the process's RSS and of its anonymous
// part every 20 ms until stop is first called; stop returns them.
func (p *managerProcess) sampleMemory() (stop func() (rss, anon uint64)) {
	done := make(chan struct{})
	var peakRSS, peakAnon uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss, anon, err := p.memory(); err == nil {
				peakRSS, peakAnon = max(peakRSS, rss), max(peakAnon, anon)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return sync.OnceValues(func() (uint64, uint64) {
		close(done)
		wg.Wait()
		return peakRSS, peakAnon
	})
}

// processProfile runs the binary on the n converged tokens of ns, once
// per container memory limit of SCALE_MEMORY_LIMIT (default "256Mi,512Mi":
// the chart's default limit, and one with room for 100,000 tokens), given
// to it as the chart gives it (MEMORY_LIMIT, of which the binary lets the
// Go runtime use --memory-limit-ratio), and reports from
// outside the process: start to ready, start to the end of the first
// reconcile pass, RSS and its peak (which must stay under the limit), the
// Go heap in use, and the query API's latency while 1,000 changes a second
// come in.
func processProfile(b *testing.B, ns string, n int) {
	b.Helper()
	limits := os.Getenv("SCALE_MEMORY_LIMIT")
	if limits == "" {
		limits = "256Mi,512Mi"
	}
	bin := buildManager(b)
	for _, limit := range strings.Split(limits, ",") {
		processRun(b, bin, ns, n, strings.TrimSpace(limit))
	}
}

func processRun(b *testing.B, bin, ns string, n int, memLimit string) {
	b.Helper()
	p := startProcess(b, bin, memLimit)
	defer p.kill()
	begin := time.Now()
	peaks := p.sampleMemory()
	defer peaks() // stops the sampler on a b.Fatal too
	waitFor(b, 10*time.Minute, func() (bool, error) {
		select {
		case <-p.exited:
			return false, fmt.Errorf("the manager exited:\n%s", p.logs.String())
		default:
		}
		_, ok := get(p.probes + "/readyz")
		return ok, nil
	})
	ready := time.Since(begin)
	apitoken := map[string]string{"controller": "apitoken"}
	// /metrics carries every token's series (600,000 lines at 100,000
	// tokens): scraped once a second, not at waitFor's pace, so that the
	// probe is not what the first pass waits on.
	waitEvery(b, 20*time.Minute, time.Second, func() (bool, error) {
		return p.scrape(b, "controller_runtime_reconcile_total", apitoken) >= float64(n), nil
	})
	firstPass := time.Since(begin)
	failed := p.scrape(b, "controller_runtime_reconcile_errors_total", apitoken)
	if failed > 0 {
		b.Logf("the first pass failed %.0f reconciles; the first of them:\n%s", failed, firstLines(p.logs.String(), "Reconciler error", 3))
	}
	rss, anon, err := p.memory()
	if err != nil {
		b.Fatal(err)
	}
	heapInUse := p.scrape(b, "go_memstats_heap_inuse_bytes", nil)

	changes, latencies := queriesUnderChanges(b, p, ns, n, 1000, 30*time.Second)
	slices.Sort(latencies)
	p50, p99 := latencies[len(latencies)/2], latencies[len(latencies)*99/100]
	peakRSS, peakAnon := peaks()
	rssAfter, anonAfter, err := p.memory()
	if err != nil {
		b.Fatal(err)
	}
	heapAfter := p.scrape(b, "go_memstats_heap_inuse_bytes", nil)

	mib := func(v uint64) float64 { return float64(v) / (1 << 20) }
	unit := func(what string) string { return "binary-" + memLimit + "-" + what }
	b.ReportMetric(ready.Seconds(), unit("ready-s"))
	b.ReportMetric(firstPass.Seconds(), unit("first-pass-s"))
	b.ReportMetric(failed, unit("first-pass-errors"))
	b.ReportMetric(mib(rss), unit("RSS-MiB"))
	b.ReportMetric(mib(peakRSS), unit("peak-RSS-MiB"))
	b.ReportMetric(mib(peakAnon), unit("peak-anon-MiB"))
	b.ReportMetric(mib(anonAfter), unit("settled-anon-MiB"))
	b.ReportMetric(changes, unit("changes/s"))
	b.ReportMetric(float64(p99.Microseconds())/1000, unit("query-p99-ms"))
	b.Logf("the binary with a %s memory limit on %d tokens: ready after %s, first pass after %s (%.0f reconcile errors); "+
		"after the first pass RSS %.0f MiB (%.0f MiB anonymous), Go heap in use %.0f MiB; after the queries %.0f MiB (%.0f MiB anonymous), heap %.0f MiB; "+
		"peak RSS %.0f MiB (%.0f MiB anonymous); query p50 %s p99 %s (%d queries) while %.0f changes/s came in",
		memLimit, n, ready.Round(time.Millisecond), firstPass.Round(time.Millisecond), failed,
		mib(rss), mib(anon), heapInUse/(1<<20), mib(rssAfter), mib(anonAfter), heapAfter/(1<<20), mib(peakRSS), mib(peakAnon),
		p50.Round(time.Microsecond), p99.Round(time.Microsecond), len(latencies), changes)
}

// queryPage is a query of the kind the console and scripts run: a filter,
// a sort that is not the default, one page.
const queryPage = "/api/v1/tokens?status=ACTIVE&sort=expirationDate&order=DESC&pageSize=50"

// queriesUnderChanges runs queryPage against the process 50 times a second
// (a busy console and its scripts, not a load test: the two cores are the
// API server's too) for d while lastUsedDate changes (the most frequent
// change a token sees) are written through the API server at perSecond,
// and returns the rate of changes reached and each query's latency.
func queriesUnderChanges(b *testing.B, p *managerProcess, ns string, n, perSecond int, d time.Duration) (float64, []time.Duration) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var applied atomic.Int64
	var wg sync.WaitGroup
	const writers = 64
	for w := range writers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			tick := time.NewTicker(time.Second * writers / time.Duration(perSecond))
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				tok := &authv1alpha1.ApiToken{}
				tok.Namespace, tok.Name = ns, fmt.Sprintf("r-%06d", r.IntN(n))
				patch := fmt.Sprintf(`{"status":{"lastUsedDate":%q}}`, time.Now().UTC().Format(time.RFC3339))
				if err := c.Status().Patch(ctx, tok, client.RawPatch("application/merge-patch+json", []byte(patch))); err == nil {
					applied.Add(1)
				}
			}
		})
	}
	var latencies []time.Duration
	started := time.Now()
	pace := time.NewTicker(time.Second / 50)
	defer pace.Stop()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
			continue
		case <-pace.C:
		}
		t := time.Now()
		body, ok := get(p.query + queryPage)
		if !ok {
			if ctx.Err() != nil {
				break
			}
			b.Fatalf("the query answered other than 200: %s", body)
		}
		latencies = append(latencies, time.Since(t))
	}
	wg.Wait()
	return float64(applied.Load()) / time.Since(started).Seconds(), latencies
}

// firstLines is up to n lines of log that contain s.
func firstLines(log, s string, n int) string {
	var out []string
	for line := range strings.Lines(log) {
		if strings.Contains(line, s) && len(out) < n {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return strings.Join(out, "\n")
}
