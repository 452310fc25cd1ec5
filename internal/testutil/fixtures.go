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

package testutil

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// Fixtures the benchmarks of several packages share: fleets of ApiTokens as
// the informer caches would hold them.

var (
	benchStatuses = []authv1alpha1.TokenStatus{authv1alpha1.TokenStatusActive, authv1alpha1.TokenStatusActive,
		authv1alpha1.TokenStatusActive, authv1alpha1.TokenStatusExpired, authv1alpha1.TokenStatusRevoked}
	benchBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// BenchApiTokens makes n ApiTokens spread over 50 namespaces, six types,
// three in five Active, a third of them used.
func BenchApiTokens(n int) []*authv1alpha1.ApiToken {
	out := make([]*authv1alpha1.ApiToken, n)
	for i := range n {
		created := metav1.NewTime(benchBase.Add(time.Duration(i*7919%n) * time.Minute))
		expires := metav1.NewTime(created.Add(30 * 24 * time.Hour))
		t := &authv1alpha1.ApiToken{
			ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("team-%02d", i%50), Name: fmt.Sprintf("token-%06d", i), UID: types.UID(fmt.Sprintf("uid-%06d", i))},
			Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypes[i%len(authv1alpha1.TokenTypes)], Principal: fmt.Sprintf("user-%04d@example.com", i%5000),
				DisplayName: fmt.Sprintf("Token %d for automation", i), Description: "Used by the release pipeline",
				TTL: &metav1.Duration{Duration: 30 * 24 * time.Hour}},
			Status: authv1alpha1.ApiTokenStatus{TokenStatus: benchStatuses[i%len(benchStatuses)], CreationDate: &created, ExpirationDate: &expires,
				TokenLastChars: "abcde", SecretName: fmt.Sprintf("token-%06d", i), Revision: 1},
		}
		if i%3 == 0 {
			lu := metav1.NewTime(created.Add(time.Hour))
			t.Status.LastUsedDate = &lu
		}
		out[i] = t
	}
	return out
}

// BenchModel is a read model holding tokens.
func BenchModel(tokens []*authv1alpha1.ApiToken) *readmodel.Model {
	m := readmodel.NewModel()
	for _, t := range tokens {
		m.Upsert(readmodel.RowFor(t))
	}
	return m
}

// IndexedVerifier is a verifier with n Active, generated tokens indexed (their
// Secrets as the operator writes them), and the tokens' values.
func IndexedVerifier(tb testing.TB, n int) (*verify.Verifier, []token.Value) {
	tb.Helper()
	idx, model := verify.NewIndex(nil), readmodel.NewModel()
	values := make([]token.Value, n)
	gen := token.Generator{}
	created := metav1.NewTime(time.Now().Truncate(time.Second))
	expires := metav1.NewTime(time.Now().Add(24 * time.Hour))
	for i := range n {
		v, err := gen.Generate(authv1alpha1.GenerateSource{Length: 32, Charset: authv1alpha1.CharsetLowerAlphanumeric})
		if err != nil {
			tb.Fatal(err)
		}
		values[i] = v
		ns, name := fmt.Sprintf("team-%02d", i%50), fmt.Sprintf("token-%06d", i)
		tok := &authv1alpha1.ApiToken{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(fmt.Sprintf("uid-%06d", i))},
			Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "svc"},
			Status: authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, CreationDate: &created, ExpirationDate: &expires,
				SecretName: name, TokenHash: v.Fingerprint(), Revision: 1},
		}
		idx.Update(tokensecret.Apply(tok, nil, tokensecret.State{Current: v, Hash: v.Fingerprint(), IssuedAt: created.Time, Revision: 1}, nil))
		model.Upsert(readmodel.RowFor(tok))
	}
	return &verify.Verifier{Index: idx, Model: model, Clock: clock.RealClock{}}, values
}

// Marker is a mark signer with a fixed key, for tests that write Secrets as
// the operator does.
var Marker = func() *tokensecret.Marker {
	m, err := tokensecret.NewMarker([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		panic(err)
	}
	return m
}()
