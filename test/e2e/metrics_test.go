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

package e2e

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"

	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// TestSecureMetrics runs the binary with its default, secure metrics
// server: the per-token gauges written after the registry's families are
// behind the same Kubernetes authentication and authorization, so an
// anonymous scrape and one by a caller without get on /metrics see none of
// them, and a scraper bound to config/rbac's metrics-reader sees them all.
func TestSecureMetrics(t *testing.T) {
	g := NewWithT(t)
	g.SetDefaultEventuallyTimeout(time.Minute)
	ctx := context.Background()
	ns := newNamespace(t, "metrics-")
	g.Expect(applyRBAC(ctx, filepath.Join("..", "..", "config", "rbac", "metrics_reader_role.yaml"))).To(Succeed())
	g.Expect(k8sClient.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: "scraper"}})).To(Succeed())
	binding := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
		"metadata": map[string]any{"name": "scraper-metrics-reader"},
		"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "metrics-reader"},
		"subjects": []any{map[string]any{"kind": "ServiceAccount", "namespace": operatorNamespace, "name": "scraper"}},
	}}
	g.Expect(k8sClient.Create(ctx, binding)).To(Succeed())
	scraperToken, err := serviceAccountToken(ctx, kubernetes.NewForConfigOrDie(cfg), "scraper")
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "m").TTL(time.Hour).Obj())).To(Succeed())

	metricsAddr := testutil.MustFreeAddress(t)
	logs := &testutil.SyncBuffer{}
	startOperator(t, logs, "--metrics-bind-address="+metricsAddr, "--health-probe-bind-address=0", "--query-bind-address=0")

	httpc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the metrics server's self-signed certificate, on loopback
	}}
	scrape := func(bearer string) (int, string) {
		req, err := http.NewRequest(http.MethodGet, "https://"+metricsAddr+"/metrics", nil)
		g.Expect(err).NotTo(HaveOccurred())
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := httpc.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	series := fmt.Sprintf(`apitoken_status{name="m",namespace=%q,status="Active"} 1`, ns)
	g.Eventually(func(g Gomega) {
		code, body := scrape(scraperToken)
		g.Expect(code).To(Equal(http.StatusOK), body)
		g.Expect(body).To(ContainSubstring(series))
		g.Expect(body).To(ContainSubstring("controller_runtime_reconcile_total"))
		// What the chart's ApiTokenOperatorMemoryNearLimit alert reads.
		g.Expect(body).To(ContainSubstring("\ngo_gc_heap_live_bytes "))
		g.Expect(body).To(ContainSubstring("\ngo_gc_gomemlimit_bytes "))
	}).Should(Succeed(), "the manager's logs:\n%s", logs)

	for who, bearer := range map[string]string{"anonymous": "", "a caller without get on /metrics": callerToken} {
		code, body := scrape(bearer)
		g.Expect(code).To(BeElementOf(http.StatusUnauthorized, http.StatusForbidden), "%s: %s", who, body)
		g.Expect(body).NotTo(ContainSubstring("apitoken_"), who)
	}
}
