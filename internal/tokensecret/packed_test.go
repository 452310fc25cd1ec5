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

package tokensecret_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// The cache's packed Secret holds no data map and no value, reads the same
// fingerprints, and unpacks to exactly the sealed Secret it was made from.
func TestPackedSecretUnpacksToTheSealedOne(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "svc").Obj()
	rotated := active(valueB, 2)
	rotated.Previous, rotated.PreviousExpiresAt = v(valueA), issuedAt.Add(time.Hour)
	whole := tokensecret.Apply(tok, nil, rotated, testutil.Marker)
	whole.Data["app.conf"] = []byte("not a token, kept sealed all the same")
	whole.Data["empty"] = nil
	whole.Annotations["team.example.com/owner"] = "payments"
	sealed := whole.DeepCopy()
	tokensecret.Seal(sealed)

	packed := sealed.DeepCopy()
	tokensecret.Pack(packed)
	if !tokensecret.IsPacked(packed) || tokensecret.IsPacked(sealed) || tokensecret.IsPacked(whole) {
		t.Fatal("IsPacked does not tell the cache's Secret from the sealed one and the API server's")
	}
	if packed.Data != nil {
		t.Errorf("a packed Secret keeps a data map: %d keys", len(packed.Data))
	}
	for k, a := range packed.Annotations {
		if strings.Contains(a, valueA) || strings.Contains(a, valueB) {
			t.Fatalf("annotation %q holds a value after Pack", k)
		}
	}
	if _, ok := packed.Annotations[tokensecret.PackedDefaultKey]; !ok {
		t.Errorf("the default key's sealed value is not under %q", tokensecret.PackedDefaultKey)
	}

	if got := tokensecret.Unpacked(packed); !reflect.DeepEqual(got, sealed) {
		t.Errorf("Unpacked = %+v\nwant the sealed Secret %+v", got, sealed)
	}
	if tokensecret.IsPacked(packed) != true || packed.Data != nil {
		t.Error("Unpacked changed the cache's copy")
	}
	inPlace := packed.DeepCopy()
	tokensecret.Unpack(inPlace)
	if !reflect.DeepEqual(inPlace, sealed) {
		t.Errorf("Unpack = %+v, want %+v", inPlace, sealed)
	}
	if got := tokensecret.Unpacked(sealed); got != sealed {
		t.Error("Unpacked of a Secret that is not packed is not that Secret")
	}

	fpPacked, ok1 := tokensecret.ReadFingerprints(packed, testutil.Marker)
	fpSealed, ok2 := tokensecret.ReadFingerprints(sealed, testutil.Marker)
	if !ok1 || !ok2 || !reflect.DeepEqual(fpPacked, fpSealed) || !fpPacked.CurrentHeld || len(fpPacked.Previous) != 1 || !fpPacked.Marked {
		t.Errorf("fingerprints of the packed Secret %+v, want %+v", fpPacked, fpSealed)
	}

	again := packed.DeepCopy()
	tokensecret.Pack(again)
	tokensecret.Seal(again)
	if !reflect.DeepEqual(again, packed) {
		t.Error("packing or sealing a packed Secret changes it")
	}
}

// Only sealed Secrets are packed: the API server's, and the signing keys'
// (a managed Secret that holds no token, which Seal leaves whole), pass.
func TestPackLeavesWhatIsNotSealed(t *testing.T) {
	keys := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: "signing-keys",
		Labels: map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue}},
		Data: map[string][]byte{"keys.json": []byte(`{"keys":[]}`)}}
	tokensecret.Seal(keys)
	whole := tokensecret.Apply(testutil.MakeApiToken(ns, "svc").Obj(), nil, active(valueB, 1), testutil.Marker)
	for _, s := range []*corev1.Secret{keys, whole} {
		before := s.DeepCopy()
		tokensecret.Pack(s)
		if !reflect.DeepEqual(s, before) || tokensecret.IsPacked(s) {
			t.Errorf("%s was packed: data %v, annotations %v", s.Name, s.Data, s.Annotations)
		}
	}
}
