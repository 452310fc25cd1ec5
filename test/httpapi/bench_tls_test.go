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
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// BenchmarkEndpointsTLS drives both verification endpoints over loopback
// TLS (HTTP/1.1 keep-alive, 16 parallel clients, 100k tokens indexed), the
// way a deployment serves them: the forward-auth listener, and POST
// /api/v1/tokens/verify with --query-auth=kubernetes, the caller presenting a
// ServiceAccount token that the real API server reviews (TokenReview,
// SubjectAccessReview; both cached, so the caches are warm after the first
// request). Needs envtest (make bench sets it up).
func BenchmarkEndpointsTLS(b *testing.B) {
	api, values, callerToken := verificationAPI(b)

	b.Run("forward-auth", func(b *testing.B) {
		driveTLS(b, "verifications/s", api.ForwardAuth, func(base string, i int) *http.Request {
			req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
			req.Header.Set("Authorization", "Bearer "+string(values[i%len(values)].Reveal()))
			return req
		})
	})
	b.Run("verify-endpoint-kubernetes-auth", func(b *testing.B) {
		driveTLS(b, "verifications/s", api.Query, func(base string, i int) *http.Request {
			body := []byte(`{"token":"` + string(values[i%len(values)].Reveal()) + `"}`)
			req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/tokens/verify", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+callerToken)
			req.Header.Set("Content-Type", "application/json")
			return req
		})
	})
}

// verificationAPI is the API of both verification endpoints with 100k
// tokens indexed, --query-auth=kubernetes against an envtest API server
// (stopped when b ends), the indexed values and the token of a
// ServiceAccount allowed to verify. It skips without envtest.
func verificationAPI(b *testing.B) (operator.Handlers, []token.Value, string) {
	b.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		b.Skip("KUBEBUILDER_ASSETS is not set: run make bench")
	}
	env := &envtest.Environment{}
	cfg, err := env.Start()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = env.Stop() })
	callerToken := verifierServiceAccountToken(b, cfg)
	v, values := testutil.IndexedVerifier(b, 100_000)
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		b.Fatal(err)
	}
	access, err := httpserver.NewAccess(httpserver.AuthKubernetes, cfg, httpClient)
	if err != nil {
		b.Fatal(err)
	}
	return buildHandlers(b, operator.HTTPDeps{Model: v.Model, Verifier: v, Access: access, Log: log.Log, Synced: func() bool { return true }}), values, callerToken
}

// driveTLS serves h over TLS on loopback and sends the requests from 16
// parallel keep-alive clients; every answer must be 200. It reports the
// rate as unit (per second).
func driveTLS(b *testing.B, unit string, h http.Handler, request func(base string, i int) *http.Request) {
	srv := httptest.NewUnstartedServer(h)
	srv.StartTLS()
	defer srv.Close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	c := &http.Client{Transport: tr}
	if err := send(c, request(srv.URL, 0)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if err := send(c, request(srv.URL, i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}

func send(c *http.Client, req *http.Request) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	// Drained, so that the keep-alive connection is reused.
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
	return nil
}

// verifierServiceAccountToken creates a ServiceAccount bound to a ClusterRole
// like apitoken-verifier and returns a token for it.
func verifierServiceAccountToken(b *testing.B, cfg *rest.Config) string {
	b.Helper()
	return benchServiceAccountToken(b, cfg, "bench-verifier", rbacv1.PolicyRule{
		APIGroups: []string{"auth.apitoken.io"}, Resources: []string{"apitokens/verify"}, Verbs: []string{"create"}})
}

// benchServiceAccountToken creates a ServiceAccount in "default" granted
// rule cluster-wide and returns a token for it.
func benchServiceAccountToken(b *testing.B, cfg *rest.Config, name string, rule rbacv1.PolicyRule) string {
	b.Helper()
	ctx := context.Background()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}}
	if _, err := cs.CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: name}, Rules: []rbacv1.PolicyRule{rule}}
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "default", Name: sa.Name}},
	}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	tr, err := cs.CoreV1().ServiceAccounts("default").CreateToken(ctx, sa.Name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return tr.Status.Token
}

// BenchmarkForwardAuthHTTP drives the forward-auth handler over loopback HTTP
// with keep-alive connections from parallel clients.
func BenchmarkForwardAuthHTTP(b *testing.B) {
	v, values := testutil.IndexedVerifier(b, 100_000)
	api := buildHandlers(b, operator.HTTPDeps{Model: v.Model, Verifier: v, Log: log.Log, Synced: func() bool { return true }})
	srv := httptest.NewServer(api.ForwardAuth)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	c := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
			req.Header.Set("X-Api-Token", string(values[i%len(values)].Reveal()))
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkHandler is the query handler in process (parse, no auth, run,
// JSON) at 10k and 100k tokens, and at 100k while 1,000 rows change a second.
func BenchmarkHandler(b *testing.B) {
	queries := map[string]string{
		"filtered-sorted": "type=USER,API_CLIENT&status=ACTIVE&sort=expirationDate&order=DESC&pageSize=50",
		"unfiltered":      "pageSize=50",
	}
	access, err := httpserver.NewAccess(httpserver.AuthNone, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ n, updates int }{{10_000, 0}, {100_000, 0}, {100_000, 1000}} {
		tokens := testutil.BenchApiTokens(c.n)
		model := testutil.BenchModel(tokens)
		h := buildHandlers(b, operator.HTTPDeps{Model: model, Access: access, Log: log.Log, Synced: func() bool { return true }}).Query
		for _, name := range []string{"filtered-sorted", "unfiltered"} {
			label := fmt.Sprintf("n=%d/%s", c.n, name)
			if c.updates > 0 {
				label = fmt.Sprintf("n=%d/updates=%d/%s", c.n, c.updates, name)
			}
			b.Run(label, func(b *testing.B) {
				durations := make([]time.Duration, 0, b.N)
				b.ReportAllocs()
				stop := testutil.Churn(model, tokens, c.updates)
				for b.Loop() {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodGet, "/api/v1/tokens?"+queries[name], nil)
					start := time.Now()
					h.ServeHTTP(rec, req)
					durations = append(durations, time.Since(start))
					if rec.Code != http.StatusOK {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
				if c.updates > 0 {
					b.ReportMetric(stop(), "updates/s")
				}
				testutil.ReportLatencies(b, durations)
			})
		}
	}
}

// buildHandlers builds the listeners' handlers as the operator does.
func buildHandlers(b *testing.B, deps operator.HTTPDeps) operator.Handlers {
	b.Helper()
	h, err := operator.BuildHandlers(deps)
	if err != nil {
		b.Fatal(err)
	}
	return h
}
