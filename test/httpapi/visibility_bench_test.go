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
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
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
)

// BenchmarkVisibility is a list query by a caller who may list apitokens in
// 100 of 1,000 namespaces (RoleBindings, no cluster-wide right), against
// envtest with --query-auth=kubernetes: "first" is the caller's first query
// (empty caches: one TokenReview, then one SubjectAccessReview per
// namespace), "cached" the next ones. 10,000 tokens, 10 per namespace. Needs
// envtest (make bench sets it up).
func BenchmarkVisibility(b *testing.B) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		b.Skip("KUBEBUILDER_ASSETS is not set: run make bench")
	}
	env := &envtest.Environment{}
	cfg, err := env.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	const namespaces, granted = 1000, 100
	caller := namespaceListerToken(b, cfg, namespaces, granted)

	tokens := testutil.BenchApiTokens(10 * namespaces)
	for i, t := range tokens {
		t.Namespace = benchNamespace(i % namespaces)
	}
	model := testutil.BenchModel(tokens)
	httpClient, err := rest.HTTPClientFor(cfg)
	if err != nil {
		b.Fatal(err)
	}
	newHandler := func() http.Handler {
		access, err := httpserver.NewAccess(httpserver.AuthKubernetes, cfg, httpClient)
		if err != nil {
			b.Fatal(err)
		}
		return buildHandlers(b, operator.HTTPDeps{Model: model, Access: access, Log: log.Log, Synced: func() bool { return true }}).Query
	}
	list := func(h http.Handler) time.Duration {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/tokens?pageSize=50", nil)
		req.Header.Set("Authorization", "Bearer "+caller)
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		d := time.Since(start)
		if rec.Code != http.StatusOK || !containsTotal(rec.Body.String(), 10*granted) {
			b.Fatalf("status %d, want 200 with totalCount %d: %.300s", rec.Code, 10*granted, rec.Body)
		}
		return d
	}
	b.Run("first", func(b *testing.B) {
		var durations []time.Duration
		for b.Loop() {
			durations = append(durations, list(newHandler())) // new caches: nothing cached
		}
		testutil.ReportLatencies(b, durations)
	})
	b.Run("cached", func(b *testing.B) {
		h := newHandler()
		list(h)
		var durations []time.Duration
		for b.Loop() {
			durations = append(durations, list(h))
		}
		testutil.ReportLatencies(b, durations)
	})
}

func benchNamespace(i int) string { return fmt.Sprintf("bench-ns-%04d", i) }

func containsTotal(body string, n int) bool {
	return strings.Contains(body, fmt.Sprintf(`"totalCount":%d}`, n)) || strings.Contains(body, fmt.Sprintf(`"totalCount":%d,`, n))
}

// namespaceListerToken creates n namespaces and a ServiceAccount that may
// list apitokens in the first granted of them, and returns its token.
func namespaceListerToken(b *testing.B, cfg *rest.Config, n, granted int) string {
	b.Helper()
	ctx := context.Background()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		b.Fatal(err)
	}
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "bench-lister"}, Rules: []rbacv1.PolicyRule{{
		APIGroups: []string{"auth.apitoken.io"}, Resources: []string{"apitokens"}, Verbs: []string{"list"}}}}
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "bench-lister"}}
	if _, err := cs.CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		ns := benchNamespace(i)
		if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
		if i >= granted {
			continue
		}
		binding := &rbacv1.RoleBinding{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bench-lister"},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: "default", Name: sa.Name}},
		}
		if _, err := cs.RbacV1().RoleBindings(ns).Create(ctx, binding, metav1.CreateOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	tr, err := cs.CoreV1().ServiceAccounts("default").CreateToken(ctx, sa.Name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return tr.Status.Token
}
