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
	"fmt"
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

// A sealed Secret (the cache's) reads as the same state, fingerprints and
// trust as the Secret itself, without holding a value.
func TestSealedSecretReadsTheSame(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "svc").Obj()
	rotated := active(valueB, 2)
	rotated.Previous, rotated.PreviousExpiresAt = v(valueA), issuedAt.Add(time.Hour)
	whole := tokensecret.Apply(tok, nil, rotated, testutil.Marker)
	sealed := whole.DeepCopy()
	tokensecret.Seal(sealed)

	if !tokensecret.IsSealed(sealed) || tokensecret.IsSealed(whole) {
		t.Fatal("IsSealed does not tell the cache's Secret from the API server's")
	}
	for k, b := range sealed.Data {
		if strings.Contains(string(b), valueA) || strings.Contains(string(b), valueB) {
			t.Fatalf("key %q holds a value after Seal", k)
		}
	}
	got, want := tokensecret.Read(tok, sealed), tokensecret.Read(tok, whole)
	if !got.Current.Sealed() || !got.Current.Equal(want.Current) || !got.Previous.Equal(want.Previous) || got.Hash != want.Hash ||
		got.Revision != want.Revision || !got.Consistent() || got.Current.LastChars(5) != want.Current.LastChars(5) {
		t.Errorf("Read(sealed) = %+v, want the state of %+v", got, want)
	}
	fpSealed, ok1 := tokensecret.ReadFingerprints(sealed, testutil.Marker)
	fpWhole, ok2 := tokensecret.ReadFingerprints(whole, testutil.Marker)
	if !ok1 || !ok2 || !reflect.DeepEqual(fpSealed, fpWhole) {
		t.Errorf("fingerprints of the sealed Secret %+v, want %+v", fpSealed, fpWhole)
	}
	again := sealed.DeepCopy()
	tokensecret.Seal(again)
	if !reflect.DeepEqual(again, sealed) {
		t.Error("sealing twice changes the Secret")
	}

	// Keeping the state writes nothing; moving the sealed current value
	// into previous needs the value itself.
	if tokensecret.NeedsPlaintext(got, got) {
		t.Error("an unchanged state needs no value")
	}
	next := got
	next.Previous, next.Current = got.Current, v("a-new-value-0123456789abcdefghij")
	if !tokensecret.NeedsPlaintext(got, next) {
		t.Error("keeping the sealed current value as previous must ask for the value")
	}
	if !reflect.DeepEqual(tokensecret.Apply(tok, sealed, got, testutil.Marker).Data, sealed.Data) {
		t.Error("applying the state read from a sealed Secret changes its data")
	}
}

// A Secret with the managed label that names no ApiToken (anyone may
// create one) is cached as metadata only; a token Secret keeps the token's
// keys only, however many others it has, and says how many it dropped.
func TestSealBoundsWhatTheCacheKeeps(t *testing.T) {
	junk := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "ops", Name: "junk",
		Labels: map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue}},
		Data: map[string][]byte{"big": make([]byte, 900<<10)}}
	tokensecret.Seal(junk)
	if junk.Data != nil {
		t.Errorf("an unowned labelled Secret keeps data: %d keys", len(junk.Data))
	}

	tok := testutil.MakeApiToken(ns, "ci").Obj()
	s := tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker)
	s.Data[tok.PreviousSecretKey()] = []byte(valueB)
	for i := range 5000 {
		s.Data[fmt.Sprintf("k%d", i)] = []byte("x")
	}
	tokensecret.Seal(s)
	if len(s.Data) != 3 || tokensecret.DroppedKeys(s) != 5000 {
		t.Errorf("a token Secret with 5,000 other keys keeps %d keys, dropped %d", len(s.Data), tokensecret.DroppedKeys(s))
	}
	if got := tokensecret.Read(tok, s); got.Current.Fingerprint() != v(valueA).Fingerprint() || got.Previous.Fingerprint() != v(valueB).Fingerprint() {
		t.Error("the token and its previous value are not read back from the sealed Secret")
	}
}

// The cache's copy of a former Secret is stripped of the same keys as the
// Secret itself, a copy of the token under another key included.
func TestStripSealed(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").Obj()
	s := tokensecret.Apply(tok, nil, active(valueB, 1), testutil.Marker)
	s.Data["copy"] = []byte(valueB)
	s.Data["app.conf"] = []byte("keep")
	tokensecret.Seal(s)
	got := tokensecret.Strip(tok, s)
	var left []string
	for k := range got.Data {
		left = append(left, k)
	}
	// app.conf is not in the cache's copy (see Seal): a merge patch from
	// that copy leaves it on the Secret.
	if _, ok := got.Data["copy"]; ok || len(got.Data) != 1 || !tokensecret.IsSealed(got) {
		t.Errorf("data keys left: %q, want only the sealed mark of the cache's copy", left)
	}
}
