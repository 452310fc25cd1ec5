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
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/cert"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// webhookScale is the delivery profile's size: SCALE_WEBHOOK_TOKENS
// tokens (default 10,000) in SCALE_WEBHOOK_NAMESPACES namespaces (default
// 100), one ApiTokenWebhook in each.
func webhookScale(b *testing.B) (tokens, namespaces int) {
	tokens, namespaces = 10000, 100
	for env, v := range map[string]*int{"SCALE_WEBHOOK_TOKENS": &tokens, "SCALE_WEBHOOK_NAMESPACES": &namespaces} {
		if s := os.Getenv(env); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				b.Fatalf("%s=%q: want a positive number", env, s)
			}
			*v = n
		}
	}
	if tokens%namespaces != 0 {
		b.Fatalf("SCALE_WEBHOOK_TOKENS (%d) must be a multiple of SCALE_WEBHOOK_NAMESPACES (%d)", tokens, namespaces)
	}
	return tokens, namespaces
}

// webhookDue is how long after its issue a fixture token crosses its
// webhook's threshold.
const webhookDue = 20 * time.Second

// BenchmarkWebhookDelivery is a leader that takes over with one event due
// per token: converged hash-only tokens with a 90-day ttl, each past its
// namespace's webhook's threshold (90 days minus 20 s), written while no
// manager runs. It reports the time from the manager's start until every
// event is delivered and recorded, the delivery rate once the first
// arrived, the CPU and allocation per event, and the heap per token before
// and after (status.notifications in the cache). The receiver is an HTTPS
// server in this process answering 204 and counting distinct event ids.
func BenchmarkWebhookDelivery(b *testing.B) {
	n, spaces := webhookScale(b)
	start(b)
	ctx := context.Background()
	rcv := newCountingReceiver(b)

	began := time.Now()
	var names []string
	for i := range spaces {
		ns := fmt.Sprintf("hooks-%04d", i)
		names = append(names, ns)
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			b.Fatal(err)
		}
		if err := c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "signing"},
			Data: map[string][]byte{"secret": []byte("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")}}); err != nil {
			b.Fatal(err)
		}
		if err := c.Create(ctx, &authv1alpha1.ApiTokenWebhook{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "team"},
			Spec: authv1alpha1.ApiTokenWebhookSpec{URL: rcv.URL, CABundle: rcv.CA,
				SigningSecretRef: &authv1alpha1.SecretKeyRef{Name: "signing", Key: "secret"},
				ExpiringSoon:     []metav1.Duration{{Duration: 90*24*time.Hour - webhookDue}}}}); err != nil {
			b.Fatal(err)
		}
	}
	time.Sleep(time.Second) // a fact strictly after the webhooks' creation second
	per := n / spaces
	var gen token.Generator
	spec := authv1alpha1.GenerateSource{}.WithDefaults()
	var lastIssued atomic.Int64
	parallel(b, n, 32, func(i int) error {
		value, err := gen.Generate(spec)
		if err != nil {
			return err
		}
		tok := testutil.MakeApiToken(names[i/per], fmt.Sprintf("w-%06d", i)).TTL(90 * 24 * time.Hour).Hashed(string(value.Reveal())).Obj()
		tok.UID = ""
		if err := c.Create(ctx, tok); err != nil {
			return err
		}
		now := time.Now().UTC().Truncate(time.Second)
		in := policy.NewInput(tok, nil, nil, now)
		status := policy.Status(tok, policy.Unchanged(in, policy.Decide(in)), now)
		patch, err := json.Marshal(map[string]any{"status": status})
		if err != nil {
			return err
		}
		lastIssued.Store(now.UnixNano())
		return c.Status().Patch(ctx, tok, client.RawPatch("application/merge-patch+json", patch))
	})
	b.Logf("wrote %d namespaces, webhooks and %d converged tokens in %s", spaces, n, time.Since(began).Round(time.Second))
	if wait := time.Until(time.Unix(0, lastIssued.Load()).Add(webhookDue + time.Second)); wait > 0 {
		time.Sleep(wait) // every token past its threshold
	}

	baseHeap := heapAlloc()
	var before, after runtimeAlloc
	before.read()
	cpuBegin := cpuNow()
	stopHeap := sampleLiveHeap(b, "webhooks")
	t0 := time.Now()
	stop, requests := startManager(b, 0)
	defer stop()
	waitEvery(b, 30*time.Minute, time.Second, func() (bool, error) { return rcv.distinct() >= n, nil })
	// Every event recorded: no webhook has one pending.
	waitEvery(b, 10*time.Minute, time.Second, func() (bool, error) {
		var list authv1alpha1.ApiTokenWebhookList
		if err := c.List(ctx, &list); err != nil {
			return false, err
		}
		for _, w := range list.Items {
			if w.Status.Pending != 0 || w.Status.LastDelivery == nil {
				return false, nil
			}
		}
		return true, nil
	})
	drained := time.Since(t0)
	cpu := cpuNow().sub(cpuBegin)
	after.read()
	peak := stopHeap()
	heapAfter := heapAlloc()
	first, last := rcv.span()
	counts := requests.reset()
	if got := rcv.total.Load(); got != int64(n) {
		b.Errorf("the receiver took %d requests for %d events: something was sent twice", got, n)
	}
	b.ReportMetric(drained.Seconds(), "s-to-deliver-all")
	b.ReportMetric(first.Sub(t0).Seconds(), "s-to-first")
	b.ReportMetric(float64(n)/last.Sub(first).Seconds(), "events/s")
	b.ReportMetric(cpu.self.Seconds()*1e6/float64(n), "manager-cpu-µs/event")
	b.ReportMetric(cpu.controlPlane.Seconds()*1e6/float64(n), "apiserver+etcd-cpu-µs/event")
	b.ReportMetric(float64(after.bytes-before.bytes)/float64(n), "alloc-B/event")
	b.ReportMetric(float64(peak)/float64(n), "peak-live-heap-B/token")
	b.ReportMetric(float64(int64(heapAfter)-int64(baseHeap))/float64(n), "heap-B/token-after")
	b.ReportMetric(float64(counts["PATCH apitokens/status"])/float64(n), "status-patches/event")
	b.Logf("%d events to %d webhooks: first after %s, all delivered and recorded after %s; API requests %v",
		n, spaces, first.Sub(t0).Round(time.Millisecond), drained.Round(time.Millisecond), counts)
}

// runtimeAlloc is the process's cumulative allocation.
type runtimeAlloc struct{ bytes uint64 }

func (a *runtimeAlloc) read() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	a.bytes = m.TotalAlloc
}

// countingReceiver answers 204 and counts requests and distinct event ids.
type countingReceiver struct {
	URL   string
	CA    []byte
	total atomic.Int64

	mu          sync.Mutex
	ids         map[string]struct{}
	first, last time.Time
}

func newCountingReceiver(b *testing.B) *countingReceiver {
	r := &countingReceiver{ids: map[string]struct{}{}}
	certPEM, keyPEM, err := cert.GenerateSelfSignedCertKey("127.0.0.1", []net.IP{net.ParseIP("127.0.0.1")}, nil)
	if err != nil {
		b.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		id := req.Header.Get("webhook-id")
		r.total.Add(1)
		r.mu.Lock()
		r.ids[id] = struct{}{}
		now := time.Now()
		if r.first.IsZero() {
			r.first = now
		}
		r.last = now
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	b.Cleanup(srv.Close)
	r.URL, r.CA = srv.URL+"/events", certPEM
	return r
}

func (r *countingReceiver) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ids)
}

func (r *countingReceiver) span() (first, last time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.first, r.last
}
