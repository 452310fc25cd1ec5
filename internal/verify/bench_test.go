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

package verify

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/clock"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// benchVerifier indexes n Active tokens, as the informer caches would.
func benchVerifier(b *testing.B, n int) (*Verifier, []token.Value) {
	b.Helper()
	idx, model := NewIndex(), query.NewModel()
	values := make([]token.Value, n)
	gen := token.Generator{}
	created := metav1.NewTime(time.Now())
	expires := metav1.NewTime(time.Now().Add(24 * time.Hour))
	for i := range n {
		v, err := gen.Generate(authv1alpha1.GenerateSource{Length: 32, Charset: authv1alpha1.CharsetLowerAlphanumeric})
		if err != nil {
			b.Fatal(err)
		}
		values[i] = v
		ns, name := fmt.Sprintf("team-%02d", i%50), fmt.Sprintf("token-%06d", i)
		idx.Update(&corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
				Labels:      map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue},
				Annotations: map[string]string{authv1alpha1.OwnerAnnotation: name, authv1alpha1.TokenHashAnnotation: v.Fingerprint()}},
			Data: map[string][]byte{"token": v.Reveal()},
		})
		model.Upsert(query.RowFor(&authv1alpha1.ApiToken{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "svc"},
			Status:     authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, CreationDate: &created, ExpirationDate: &expires},
		}))
	}
	return &Verifier{Index: idx, Model: model, Clock: clock.RealClock{}}, values
}

// BenchmarkVerify is one in-process verification with 100k tokens indexed,
// on one core (go test -cpu 1).
func BenchmarkVerify(b *testing.B) {
	v, values := benchVerifier(b, 100_000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := v.Verify(values[i%len(values)]); !ok {
			b.Fatal("a valid token did not verify")
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkForwardAuthHTTP drives the forward-auth handler over loopback HTTP
// with keep-alive connections from parallel clients.
func BenchmarkForwardAuthHTTP(b *testing.B) {
	v, values := benchVerifier(b, 100_000)
	srv := httptest.NewServer(v.ForwardAuthHandler())
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
