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
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokencache"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

var _ client.Object = &tokencache.SecretRecord{}

// sealedSecret is a token's Secret as the controller writes it, sealed the
// way the cache transform seals it.
func sealedSecret(t testing.TB, name string, st tokensecret.State) *corev1.Secret {
	t.Helper()
	marker, err := tokensecret.NewMarker(make([]byte, tokensecret.MarkKeyBytes))
	if err != nil {
		t.Fatal(err)
	}
	s := tokensecret.Apply(testutil.MakeApiToken("tenant-a", name).UID("uid-"+name).Obj(), nil, st, marker)
	s.ResourceVersion = "42"
	tokensecret.Seal(s)
	return s
}

func TestSecretRecordExpandsToTheSealedSecret(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	current, previous := token.NewValue([]byte("current-value")), token.NewValue([]byte("previous-value"))
	immutable := true
	withEmpty := sealedSecret(t, "empty-key", tokensecret.State{Current: current, Hash: current.Fingerprint(), IssuedAt: now, Revision: 1})
	withEmpty.Data["extra"] = token.Seal(nil)
	withEmpty.Data["zero"] = []byte{}
	withEmpty.Immutable = &immutable
	for name, s := range map[string]*corev1.Secret{
		"one token": sealedSecret(t, "one", tokensecret.State{Current: current, Hash: current.Fingerprint(), IssuedAt: now, Revision: 1}),
		"grace period": sealedSecret(t, "graced", tokensecret.State{Current: current, Previous: previous, Hash: current.Fingerprint(),
			IssuedAt: now, Revision: 2, PreviousExpiresAt: now.Add(time.Hour)}),
		"empty values, immutable": withEmpty,
	} {
		t.Run(name, func(t *testing.T) {
			want := s.DeepCopy()
			want.APIVersion, want.Kind = "v1", "Secret"
			r, err := tokencache.CompactSecret(s)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Secret(); !equality.Semantic.DeepEqual(got, want) {
				t.Fatalf("the record expands to\n%+v\nwant\n%+v", got, want)
			}
			if got, ok := r.DeepCopyObject().(*corev1.Secret); !ok || !equality.Semantic.DeepEqual(got, want) {
				t.Fatalf("DeepCopyObject() = %+v; want the sealed Secret", r.DeepCopyObject())
			}
			if got, ok := tokencache.SecretFrom(r); !ok || !equality.Semantic.DeepEqual(got, want) {
				t.Fatalf("SecretFrom(record) = %+v, %v; want the sealed Secret", got, ok)
			}
			if got := r.GetAnnotations(); !equality.Semantic.DeepEqual(got, want.Annotations) {
				t.Fatalf("the record's annotations are %v, want %v", got, want.Annotations)
			}
		})
	}
}

func TestSecretRecordCopiesAreTheirOwn(t *testing.T) {
	v := token.NewValue([]byte("value"))
	r, err := tokencache.CompactSecret(sealedSecret(t, "a", tokensecret.State{Current: v, Hash: v.Fingerprint(), Revision: 1}))
	if err != nil {
		t.Fatal(err)
	}
	c := r.Secret()
	for k := range c.Annotations {
		c.Annotations[k] = "changed"
	}
	c.Data["token"][0] ^= 0xff
	c.Labels["x"] = "y"
	again := r.Secret()
	for k, a := range again.Annotations {
		if a == "changed" {
			t.Fatalf("changing a copy changed the record's annotation %q", k)
		}
	}
	if token.Unseal(again.Data["token"]).Digest() != v.Digest() || again.Labels["x"] != "" {
		t.Fatalf("changing a copy changed the record: %+v", again)
	}
}

func TestSecretFromTellsSecretsApart(t *testing.T) {
	s := testutil.MakeSecret("ns", "a").Obj()
	if got, ok := tokencache.SecretFrom(s); !ok || got != s {
		t.Fatalf("SecretFrom(Secret) = %p, %v; want the Secret itself", got, ok)
	}
	if got, ok := tokencache.SecretFrom(testutil.MakeApiToken("ns", "a").Obj()); ok {
		t.Fatalf("SecretFrom(ApiToken) = %v, true; want false", got)
	}
}
