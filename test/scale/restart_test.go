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
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// restartTokens is the size of the restart profile; SCALE_TOKENS changes it
// (the issue's target is 100,000).
func restartTokens(b *testing.B) int {
	n := 100_000
	if s := os.Getenv("SCALE_TOKENS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 2 {
			b.Fatalf("SCALE_TOKENS=%q: want a number of tokens, at least 2", s)
		}
	}
	return n
}

// BenchmarkRestart is a manager started on n converged tokens (SCALE_TOKENS,
// default 100,000; half Secret-held, half hash-only), written beforehand
// exactly as the operator writes them (its Secret format and mark, the
// status its policy computes): the time from start until ready (caches
// synced, read model and verify index built) and until the first reconcile
// pass is done, the API writes of that pass (converged tokens need none),
// and the heap the manager holds per token afterwards, everything
// included. Then the operator's binary starts on the same tokens as a
// process of its own (processProfile): its ready time, RSS, and the query
// API's p99 while 1,000 changes a second come in. Run by hand: make
// bench-e2e-restart.
func BenchmarkRestart(b *testing.B) {
	n := restartTokens(b)
	logf.SetLogger(logr.Discard())
	etcdDir := os.Getenv("SCALE_ETCD_DIR")
	startKeeping(b, etcdDir)
	ctx := context.Background()
	ns := restartNamespace(b, n, etcdDir != "")

	baseHeap, baseRSS := heapAlloc(), rss(b)
	before, errorsBefore := reconciles(b), reconcileErrors(b)
	begin, cpuBegin := time.Now(), cpuNow()
	livePeak := sampleLiveHeap(b, fmt.Sprintf("heap-restart-%d-peak", n))
	defer livePeak()
	stop, requests, model := runManager(b, 0)
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	waitFor(b, 10*time.Minute, func() (bool, error) { return model.Synced() && model.Snapshot().Len() == n, nil })
	ready, cpuReady := time.Since(begin), cpuNow().sub(cpuBegin)
	waitFor(b, 20*time.Minute, func() (bool, error) { return reconciles(b)-before >= float64(n), nil })
	firstPass := time.Since(begin)
	peak := livePeak()
	counts := requests.reset()
	failed := reconcileErrors(b) - errorsBefore
	heap, procRSS := heapAlloc(), rss(b)
	writeHeapProfile(b, fmt.Sprintf("heap-restart-%d.pprof", n))
	var list authv1alpha1.ApiTokenList
	if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
		b.Fatal(err)
	}
	for _, t := range list.Items {
		if t.Status.TokenStatus != authv1alpha1.TokenStatusActive || t.Status.ObservedGeneration != t.Generation {
			b.Fatalf("%s is %s at generation %d of %d: the fixtures are not converged", t.Name, t.Status.TokenStatus, t.Status.ObservedGeneration, t.Generation)
		}
	}

	b.Logf("CPU until ready: %s the control plane (kube-apiserver and etcd), %s this process (the manager, its caches)",
		cpuReady.controlPlane.Round(100*time.Millisecond), cpuReady.self.Round(100*time.Millisecond))
	b.ReportMetric(cpuReady.controlPlane.Seconds(), "ready-control-plane-cpu-s")
	b.ReportMetric(cpuReady.self.Seconds(), "ready-manager-cpu-s")
	b.ReportMetric(float64(n), "tokens")
	b.ReportMetric(ready.Seconds(), "ready-s")
	b.ReportMetric(firstPass.Seconds(), "first-pass-s")
	b.ReportMetric(float64(writes(counts)), "first-pass-writes")
	b.ReportMetric(failed, "first-pass-errors")
	b.ReportMetric(float64(heap-min(heap, baseHeap))/float64(n), "heap-B/token")
	b.ReportMetric(float64(peak-min(peak, baseHeap))/float64(n), "peak-live-heap-B/token")
	b.ReportMetric(float64(procRSS)/(1<<20), "process-RSS-MiB")
	b.ReportMetric(float64(procRSS-min(procRSS, baseRSS))/(1<<20), "manager-RSS-MiB")
	b.Logf("%d tokens: ready after %s, first pass after %s, %d writes (%v), %.0f reconcile errors, heap %.0f B/token "+
		"(at its most while starting %.0f B/token: %d MiB live), RSS %d MiB (+%d MiB)",
		n, ready.Round(time.Millisecond), firstPass.Round(time.Millisecond), writes(counts), counts, failed,
		float64(heap-min(heap, baseHeap))/float64(n), float64(peak-min(peak, baseHeap))/float64(n), peak>>20,
		procRSS>>20, (procRSS-min(procRSS, baseRSS))>>20)

	// The same tokens, the binary as a process of its own: its RSS is what
	// a pod holds.
	stop()
	stopped = true
	processProfile(b, ns, n)
}

// fixturesDone is the ConfigMap that says a namespace holds all its
// fixtures: written last, so that a run stopped while writing them does not
// leave a namespace a later run would take as complete.
const fixturesDone = "fixtures-done"

// restartNamespace is a namespace holding n converged tokens. With keep
// (SCALE_ETCD_DIR: etcd keeps its data between runs), it is
// "scale-r<n in base 36>", written by the first run and found complete by the
// next ones, which then start in seconds instead of writing for minutes;
// otherwise a new namespace written now. A new API server on kept data
// starts its watch cache cold: the manager's watches are retried until it
// has caught up, so the ready time of a run that reuses fixtures is longer
// than a run's that wrote them (its heap is the same).
func restartNamespace(b *testing.B, n int, keep bool) string {
	b.Helper()
	if !keep {
		ns := newNamespace(b)
		fixtures(b, ns, n)
		return ns
	}
	ctx := context.Background()
	// As long as newNamespace's names: the informers' keys are
	// "namespace/name", and the heap per token counts them.
	ns := "scale-r" + strconv.FormatInt(int64(n), 36)
	err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: fixturesDone}, &corev1.ConfigMap{})
	switch {
	case err == nil:
		// A new API server on kept data loads its watch cache from etcd
		// first: whatever starts before that has to wait and retry.
		began := time.Now()
		for _, list := range []client.ObjectList{&authv1alpha1.ApiTokenList{}, &corev1.SecretList{}} {
			if err := c.List(ctx, list, client.InNamespace(ns), client.Limit(1),
				&client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: "0"}}); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("reusing the %d converged tokens in %s (SCALE_ETCD_DIR); the API server's cache answered after %s",
			n, ns, time.Since(began).Round(time.Millisecond))
		return ns
	case !apierrors.IsNotFound(err):
		b.Fatal(err)
	}
	// The manager is measured on every ApiToken the API server holds.
	var others authv1alpha1.ApiTokenList
	if err := c.List(ctx, &others, client.Limit(1)); err != nil {
		b.Fatal(err)
	}
	if len(others.Items) > 0 {
		b.Fatalf("SCALE_ETCD_DIR holds ApiTokens of another run (%s/%s): give each SCALE_TOKENS a directory of its own",
			others.Items[0].Namespace, others.Items[0].Name)
	}
	if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
		b.Fatalf("%v: a run stopped while writing the fixtures? remove SCALE_ETCD_DIR's directory", err)
	}
	fixtures(b, ns, n)
	done := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fixturesDone}}
	if err := c.Create(ctx, done); err != nil {
		b.Fatal(err)
	}
	return ns
}

// fixtures writes n converged tokens into ns: the mark key the manager will
// sign with, then for each token the ApiToken, its Secret (even i) or its
// fingerprint (odd i: hash-only), and the status the operator's policy
// computes for it. No value is kept.
func fixtures(b *testing.B, ns string, n int) {
	b.Helper()
	ctx := context.Background()
	key := make([]byte, tokensecret.MarkKeyBytes)
	if _, err := rand.Read(key); err != nil {
		b.Fatal(err)
	}
	markKey := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: operator.DefaultMarkKeySecret},
		Data: map[string][]byte{"key": key}}
	switch err := c.Create(ctx, markKey); {
	case apierrors.IsAlreadyExists(err): // another size's fixtures, kept by SCALE_ETCD_DIR
		if err := c.Get(ctx, client.ObjectKeyFromObject(markKey), markKey); err != nil {
			b.Fatal(err)
		}
		key = markKey.Data["key"]
	case err != nil:
		b.Fatal(err)
	}
	marker, err := tokensecret.NewMarker(key)
	if err != nil {
		b.Fatal(err)
	}
	var gen token.Generator
	spec := authv1alpha1.GenerateSource{}.WithDefaults()
	started := time.Now()
	parallel(b, n, 32, func(i int) error {
		value, err := gen.Generate(spec)
		if err != nil {
			return err
		}
		w := testutil.MakeApiToken(ns, fmt.Sprintf("r-%06d", i)).TTL(90 * 24 * time.Hour)
		hashOnly := i%2 == 1
		if hashOnly {
			w = w.Hashed(string(value.Reveal()))
		}
		tok := w.Obj()
		tok.UID = ""
		if err := c.Create(ctx, tok); err != nil {
			return err
		}
		now := time.Now().UTC().Truncate(time.Second)
		var secret *corev1.Secret
		if !hashOnly {
			st := tokensecret.State{Current: value, Hash: value.Fingerprint(), IssuedAt: now, Revision: 1}
			secret = tokensecret.Apply(tok, nil, st, marker)
			if err := c.Create(ctx, secret); err != nil {
				return err
			}
		}
		in := policy.NewInput(tok, secret, marker, now)
		status := policy.Status(tok, policy.Unchanged(in, policy.Decide(in)), now)
		if !hashOnly {
			// What the controller writes once the Secret is in: the
			// policy's "issued" outcome.
			status = policy.Status(tok, policy.Outcome{Decision: policy.Decision{Action: policy.ActionIssue, Reason: authv1alpha1.ReasonIssued},
				State: tokensecret.Read(tok, secret)}, now)
		}
		patch, err := json.Marshal(map[string]any{"status": status})
		if err != nil {
			return err
		}
		return c.Status().Patch(ctx, tok, client.RawPatch("application/merge-patch+json", patch))
	})
	b.Logf("wrote %d converged tokens in %s", n, time.Since(started).Round(time.Second))
}

// rss is the process' resident set size in bytes (/proc/self/status).
func rss(b *testing.B) uint64 {
	b.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb << 10
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}
