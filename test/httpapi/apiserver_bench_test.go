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
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// BenchmarkAPIServerList is what a user does today without the query API:
// list 10,000 ApiTokens from the API server with a label selector, then
// filter and sort them client-side, for the same "filtered-sorted" query the
// read model benchmarks answer. Needs envtest (make bench sets it up).
func BenchmarkAPIServerList(b *testing.B) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		b.Skip("KUBEBUILDER_ASSETS is not set: run make bench")
	}
	const n = 10_000
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = env.Stop() }()
	cfg.QPS, cfg.Burst = -1, 0
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = authv1alpha1.AddToScheme(s)
	c, err := client.New(cfg, client.Options{Scheme: s})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	types := []authv1alpha1.TokenType{authv1alpha1.TokenTypeUser, authv1alpha1.TokenTypeTeam, authv1alpha1.TokenTypeApiClient}
	var wg sync.WaitGroup
	work := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range work {
				t := &authv1alpha1.ApiToken{
					ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: fmt.Sprintf("token-%05d", i), Labels: map[string]string{"team": "a"}},
					Spec:       authv1alpha1.ApiTokenSpec{Type: types[i%len(types)], Principal: fmt.Sprintf("user-%d", i%500), TTL: &metav1.Duration{Duration: time.Duration(i+1) * time.Hour}},
				}
				if err := c.Create(ctx, t); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()

	b.ResetTimer()
	for b.Loop() {
		var l authv1alpha1.ApiTokenList
		if err := c.List(ctx, &l, client.InNamespace("default"), client.MatchingLabels{"team": "a"}); err != nil {
			b.Fatal(err)
		}
		hits := make([]*authv1alpha1.ApiToken, 0, len(l.Items))
		for i := range l.Items {
			t := &l.Items[i]
			if t.Spec.Type == authv1alpha1.TokenTypeUser || t.Spec.Type == authv1alpha1.TokenTypeApiClient {
				hits = append(hits, t)
			}
		}
		slices.SortFunc(hits, func(a, b *authv1alpha1.ApiToken) int {
			return -strings.Compare(a.Name, b.Name)
		})
		if len(l.Items) != n || len(hits) == 0 {
			b.Fatalf("listed %d, matched %d", len(l.Items), len(hits))
		}
	}
}
