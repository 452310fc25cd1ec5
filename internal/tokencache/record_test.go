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

package tokencache_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/randfill"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokencache"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

var _ client.Object = &tokencache.Record{}

var apiTokenType = metav1.TypeMeta{APIVersion: authv1alpha1.GroupVersion.String(), Kind: "ApiToken"}

// A record keeps no apiVersion and kind of its own: its Go type says it.
func TestRecordsKnowTheirKind(t *testing.T) {
	r, err := tokencache.Compact(testutil.MakeApiToken("ns", "a").Obj())
	if err != nil {
		t.Fatal(err)
	}
	s, err := tokencache.CompactSecret(testutil.MakeSecret("ns", "a").Obj())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		obj  client.Object
		want schema.GroupVersionKind
	}{
		{r, authv1alpha1.GroupVersion.WithKind("ApiToken")},
		{s, corev1.SchemeGroupVersion.WithKind("Secret")},
	} {
		c.obj.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{Kind: "Other"})
		if got := c.obj.GetObjectKind().GroupVersionKind(); got != c.want {
			t.Errorf("%T is a %v, want %v", c.obj, got, c.want)
		}
	}
}

// converged is an ApiToken as the API server returns it once the controller
// has written its status: Secret-held or hash-only, decoded from JSON the
// way the informer decodes it.
func converged(t testing.TB, i int, hashOnly bool) *authv1alpha1.ApiToken {
	t.Helper()
	marker, err := tokensecret.NewMarker(make([]byte, tokensecret.MarkKeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	var gen token.Generator
	value, err := gen.Generate(authv1alpha1.GenerateSource{}.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	w := testutil.MakeApiToken("tenant-a", fmt.Sprintf("r-%06d", i)).TTL(90 * 24 * time.Hour)
	if hashOnly {
		w = w.Hashed(string(value.Reveal()))
	}
	tok := w.Obj()
	tok.UID, tok.ResourceVersion, tok.Generation = "0b7f6c0e-5b6e-4d1a-9f0e-3f2a1c9d8e7b", fmt.Sprint(1000+i), 1
	now := time.Now().Truncate(time.Second)
	tok.CreationTimestamp = metav1.NewTime(now)
	var secret *corev1.Secret
	if !hashOnly {
		secret = tokensecret.Apply(tok, nil, tokensecret.State{Current: value, Hash: value.Fingerprint(), IssuedAt: now, Revision: 1}, marker)
	}
	in := policy.NewInput(tok, secret, marker, now)
	outcome := policy.Unchanged(in, policy.Decide(in))
	if !hashOnly {
		outcome = policy.Outcome{Decision: policy.Decision{Action: policy.ActionIssue, Reason: authv1alpha1.ReasonIssued},
			State: tokensecret.Read(tok, secret)}
	}
	tok.Status = policy.Status(tok, outcome, now)
	return decoded(t, tok)
}

// decoded is v after a trip through JSON, as an informer holds it.
func decoded[T any](t testing.TB, v *T) *T {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out := new(T)
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(raw, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRecordExpandsToTheApiToken(t *testing.T) {
	full := testutil.MakeApiToken("ns", "full").TTL(time.Hour).Rotation(10*time.Minute, time.Minute).Scopes("read", "write").
		AccessToken(5*time.Minute, "https://api").SecretName("target").SecretLabel("team", "a").Annotation("note", "x").
		Import("source", "key", "^[a-z]+$").Revoked(true).DeletionPolicy(authv1alpha1.DeletionPolicyRetain).Obj()
	at := metav1.NewTime(time.Unix(1767225600, 0))
	full.Status = authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusRevoked, CreationDate: &at, ExpirationDate: &at,
		RenewalTime: &at, PreviousTokenExpirationDate: &at, LastUsedDate: &at, TokenLastChars: "wxyz", TokenHash: "sha256:ab",
		PreviousTokenHash: "not a digest", SecretName: "target", Revision: 7, ObservedGeneration: 3,
		Conditions: []metav1.Condition{{Type: "Ready", Status: metav1.ConditionFalse, LastTransitionTime: at, Reason: "Revoked", Message: "é \x00 \"quoted\""}}}
	for name, tok := range map[string]*authv1alpha1.ApiToken{
		"Secret-held, converged": converged(t, 1, false),
		"hash-only, converged":   converged(t, 2, true),
		"every field set":        decoded(t, full),
		"nothing but a name":     decoded(t, testutil.MakeApiToken("ns", "bare").Obj()),
	} {
		t.Run(name, func(t *testing.T) {
			want := tok.DeepCopy()
			want.TypeMeta = apiTokenType // records know their type: the expanded ApiToken has it
			r, err := tokencache.Compact(tok)
			if err != nil {
				t.Fatal(err)
			}
			got := r.ApiToken()
			if !equality.Semantic.DeepEqual(got, want) {
				t.Fatalf("the record expands to\n%+v\nwant\n%+v", got, want)
			}
			viewed, ok := tokencache.From(r)
			if !ok || !equality.Semantic.DeepEqual(viewed, want) {
				t.Fatalf("From(record) = %+v, %v; want the ApiToken", viewed, ok)
			}
			copied, ok := r.DeepCopyObject().(*authv1alpha1.ApiToken)
			if !ok || !equality.Semantic.DeepEqual(copied, want) {
				t.Fatalf("DeepCopyObject() = %T; want the ApiToken", r.DeepCopyObject())
			}
		})
	}
}

// TestRecordExpandsToAnyApiToken fills every field at random.
func TestRecordExpandsToAnyApiToken(t *testing.T) {
	f := randfill.NewWithSeed(1).NilChance(0.3).NumElements(0, 3)
	for i := range 500 {
		var tok authv1alpha1.ApiToken
		f.Fill(&tok)
		tok.ManagedFields = nil // not what the test is about: the transform drops them
		want := decoded(t, &tok)
		want.TypeMeta = apiTokenType
		r, err := tokencache.Compact(decoded(t, &tok))
		if err != nil {
			t.Fatal(err)
		}
		if got := r.ApiToken(); !equality.Semantic.DeepEqual(got, want) {
			t.Fatalf("case %d: the record expands to\n%+v\nwant\n%+v", i, got, want)
		}
		// What the record says unexpanded is what the ApiToken says.
		facts, ok := tokencache.FactsOf(r)
		wantFacts := tokencache.Facts{Hashed: want.Hashed() != nil, NoOtherSecrets: want.Spec.Secret.Name == "" && want.Import() == nil}
		if !ok || facts != wantFacts {
			t.Fatalf("case %d: the record's facts are %+v, %v; want %+v", i, facts, ok, wantFacts)
		}
		if f, _ := tokencache.FactsOf(want); f != wantFacts {
			t.Fatalf("case %d: the ApiToken's facts are %+v; want %+v", i, f, wantFacts)
		}
	}
	if _, ok := tokencache.FactsOf(&corev1.Secret{}); ok {
		t.Fatal("a Secret has an ApiToken's facts")
	}
}

func TestExpandedCopiesAreTheirOwn(t *testing.T) {
	r, err := tokencache.Compact(decoded(t, testutil.MakeApiToken("ns", "a").SecretLabel("k", "v").Annotation("note", "x").Obj()))
	if err != nil {
		t.Fatal(err)
	}
	c := r.ApiToken()
	c.Annotations["note"] = "changed"
	c.Spec.Secret.Labels["k"] = "changed"
	c.Status.TokenHash = "changed"
	again := r.ApiToken()
	if again.Annotations["note"] != "x" || again.Spec.Secret.Labels["k"] != "v" || again.Status.TokenHash != "" {
		t.Fatalf("changing a copy changed the record: %+v", again)
	}
}

func TestFromTellsApiTokensApart(t *testing.T) {
	tok := testutil.MakeApiToken("ns", "a").Obj()
	if got, ok := tokencache.From(tok); !ok || got != tok {
		t.Fatalf("From(ApiToken) = %p, %v; want the ApiToken itself", got, ok)
	}
	if got, ok := tokencache.From(&corev1.Secret{}); ok {
		t.Fatalf("From(Secret) = %v, true; want false", got)
	}
}

// BenchmarkRecord reports what the cache holds per ApiToken, decoded as it
// was and as a record, for the converged tokens of the 100,000-token
// benchmark (half Secret-held, half hash-only), the same per sealed
// Secret, and what making and expanding an ApiToken's record costs.
func BenchmarkRecord(b *testing.B) {
	const n = 4096
	toks := make([]*authv1alpha1.ApiToken, n)
	for i := range toks {
		toks[i] = converged(b, i, i%2 == 1)
	}
	b.Run("held", func(b *testing.B) {
		decodedSize := retained(b, n, func(i int) any { return decoded(b, toks[i]) })
		recordSize := retained(b, n, func(i int) any {
			r, err := tokencache.Compact(decoded(b, toks[i]))
			if err != nil {
				b.Fatal(err)
			}
			return r
		})
		secrets := make([]*corev1.Secret, n)
		for i := range secrets {
			v := token.NewValue(fmt.Appendf(nil, "value-%06d-abcdefghijklmnopqrstuvwxyz", i))
			secrets[i] = sealedSecret(b, fmt.Sprintf("r-%06d", i), tokensecret.State{Current: v, Hash: v.Fingerprint(), IssuedAt: time.Now(), Revision: 1})
		}
		sealedSize := retained(b, n, func(i int) any { return decoded(b, secrets[i]) })
		secretRecordSize := retained(b, n, func(i int) any {
			r, err := tokencache.CompactSecret(decoded(b, secrets[i]))
			if err != nil {
				b.Fatal(err)
			}
			return r
		})
		for b.Loop() {
		}
		b.ReportMetric(decodedSize, "decoded-B/token")
		b.ReportMetric(recordSize, "record-B/token")
		b.ReportMetric(sealedSize, "sealed-B/Secret")
		b.ReportMetric(secretRecordSize, "record-B/Secret")
	})
	records := make([]*tokencache.Record, n)
	for i := range records {
		var err error
		if records[i], err = tokencache.Compact(toks[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("compact", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := tokencache.Compact(toks[i%n]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("expand", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, ok := tokencache.From(records[i%n]); !ok {
				b.Fatal("not expanded")
			}
			i++
		}
	})
}

// retained is the live heap per object that build returns, kept n at once:
// the heap with them less the heap without them (each after two
// collections, so that a compressor left in a pool counts in neither).
func retained(b *testing.B, n int, build func(int) any) float64 {
	b.Helper()
	keep := make([]any, 0, n)
	for i := range n {
		keep = append(keep, build(i))
	}
	var with, without runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(keep)
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&without)
	return float64(int64(with.HeapAlloc)-int64(without.HeapAlloc)) / float64(n)
}

// A record costs its own values only if the dictionary holds what every
// token of a kind says: the controller's fixed condition messages.
func TestDictionaryHoldsTheFixedMessages(t *testing.T) {
	for _, msg := range policy.FixedMessages {
		if !strings.Contains(string(tokencache.Dictionary), msg) {
			t.Errorf("the dictionary lacks the condition message %q", msg)
		}
	}
}

func TestFactsOfTheCommonShapes(t *testing.T) {
	mk := func() *testutil.ApiTokenWrapper { return testutil.MakeApiToken("ns", "a") }
	cases := map[string]struct {
		tok  *authv1alpha1.ApiToken
		want tokencache.Facts
	}{
		"generated, its target named after it": {mk().Obj(), tokencache.Facts{NoOtherSecrets: true}},
		"hash-only":                            {mk().Hashed("value-of-a").Obj(), tokencache.Facts{Hashed: true, NoOtherSecrets: true}},
		"a target of another name":             {mk().SecretName("b").Obj(), tokencache.Facts{}},
		"a target named as itself, explicitly": {mk().SecretName("a").Obj(), tokencache.Facts{}},
		"imported":                             {mk().Import("source", "token", "").Obj(), tokencache.Facts{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := tokencache.Compact(decoded(t, tc.tok))
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := tokencache.FactsOf(r); !ok || got != tc.want {
				t.Fatalf("FactsOf(record) = %+v, %v; want %+v", got, ok, tc.want)
			}
		})
	}
}
