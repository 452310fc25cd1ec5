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
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	testingclock "k8s.io/utils/clock/testing"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// lookup is the first place a value's digest was found.
func (x *Index) lookup(v token.Value) (*entry, bool) {
	l := x.candidates(v)
	e := l.next()
	return e, e != nil
}

func hashedToken(name string, spec, status token.Value) *authv1alpha1.ApiToken {
	return &authv1alpha1.ApiToken{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: name},
		Spec:       authv1alpha1.ApiTokenSpec{Source: &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: spec.Fingerprint()}}},
		Status:     authv1alpha1.ApiTokenStatus{TokenHash: status.Fingerprint()},
	}
}

func managedSecret(name, owner string, v token.Value) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: name,
			Labels:      map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue},
			Annotations: map[string]string{authv1alpha1.OwnerAnnotation: owner, authv1alpha1.TokenHashAnnotation: v.Fingerprint()}},
		Data: map[string][]byte{"token": v.Reveal()},
	}
}

func TestIndexHashedTokens(t *testing.T) {
	a, b := token.NewValue([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")), token.NewValue([]byte("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"))
	cases := map[string]struct {
		tok      *authv1alpha1.ApiToken
		want     map[string]bool // value -> indexed
		previous bool
	}{
		"accepted fingerprint": {tok: hashedToken("t", a, a), want: map[string]bool{"a": true, "b": false}},
		// The spec names b, status still a: a stays until the controller
		// accepts b (and moves a to previous if it keeps it); b waits.
		"spec ahead of status": {tok: hashedToken("t", b, a), want: map[string]bool{"a": true, "b": false}},
		"not hash-only": {tok: func() *authv1alpha1.ApiToken {
			t := hashedToken("t", a, a)
			t.Spec.Source = nil
			return t
		}(), want: map[string]bool{"a": false}},
		"previous during grace": {tok: func() *authv1alpha1.ApiToken {
			t := hashedToken("t", a, a)
			t.Status.PreviousTokenHash, t.Status.PreviousTokenExpirationDate = b.Fingerprint(), &metav1.Time{Time: time.Now().Add(time.Hour)}
			return t
		}(), want: map[string]bool{"a": true, "b": true}},
		"previous without an end is not indexed": {tok: func() *authv1alpha1.ApiToken {
			t := hashedToken("t", a, a)
			t.Status.PreviousTokenHash = b.Fingerprint()
			return t
		}(), want: map[string]bool{"a": true, "b": false}},
	}
	values := map[string]token.Value{"a": a, "b": b}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			idx := NewIndex(nil)
			idx.UpdateToken(tc.tok)
			for k, want := range tc.want {
				if _, got := idx.lookup(values[k]); got != want {
					t.Errorf("value %s indexed = %v, want %v", k, got, want)
				}
			}
			idx.RemoveToken("team-a", "t")
			if _, got := idx.lookup(a); got {
				t.Error("RemoveToken left a fingerprint behind")
			}
		})
	}
}

func TestIndexSharedDigestSurvivesTheOtherSource(t *testing.T) {
	v := token.NewValue([]byte("shared-value-imported-by-two-tokens"))
	idx := NewIndex(nil)
	idx.Update(managedSecret("one", "one", v))
	idx.Update(managedSecret("two", "two", v))
	idx.Remove("team-a", "one")
	e, ok := idx.lookup(v)
	if !ok || e.tokenName != "two" {
		t.Fatalf("after removing Secret one: entry %+v, found %v; want ApiToken two's", e, ok)
	}
	idx.Remove("team-a", "two")
	if _, ok := idx.lookup(v); ok {
		t.Fatal("the digest outlived both Secrets")
	}
}

// TestIndexChainsKeepEverySource: one digest held by several sources is a
// chain; taking a source out of the middle, changing one, or a source whose
// two entries share the digest leaves exactly the others, in order, and
// each source's list still reaches its own entries.
func TestIndexChainsKeepEverySource(t *testing.T) {
	v, w := token.NewValue([]byte("shared-value-imported-by-three-tokens")), token.NewValue([]byte("another-value-0123456789abcdef01"))
	chain := func(idx *Index, val token.Value) []string {
		var names []string
		l := idx.candidates(val)
		for e := l.next(); e != nil; e = l.next() {
			names = append(names, e.secretName)
		}
		return names
	}
	idx := NewIndex(nil)
	for _, n := range []string{"one", "two", "three"} {
		idx.Update(managedSecret(n, n, v))
	}
	if got := chain(idx, v); !slices.Equal(got, []string{"one", "two", "three"}) {
		t.Fatalf("chain %v, want one, two, three", got)
	}
	idx.Remove("team-a", "two")
	if got := chain(idx, v); !slices.Equal(got, []string{"one", "three"}) {
		t.Fatalf("after removing two: %v, want one, three", got)
	}
	// Secret three moves to another value: its entry leaves v's chain,
	// and its source still knows where its entry is (removing it later
	// removes it).
	idx.Update(managedSecret("three", "three", w))
	if got := chain(idx, v); !slices.Equal(got, []string{"one"}) {
		t.Fatalf("after three moved on: %v, want one", got)
	}
	idx.Remove("team-a", "three")
	if got := chain(idx, w); got != nil {
		t.Fatalf("after removing three its value is still indexed: %v", got)
	}
	// A hash-only ApiToken whose status names v as current and previous:
	// two entries of one source in one chain, both gone with it.
	four := hashedToken("four", v, v)
	four.Status.PreviousTokenHash, four.Status.PreviousTokenExpirationDate = v.Fingerprint(), &metav1.Time{Time: time.Now().Add(time.Hour)}
	idx.UpdateToken(four)
	if got := chain(idx, v); !slices.Equal(got, []string{"one", "", ""}) {
		t.Fatalf("with four's two entries: %q, want one and four's two", got)
	}
	idx.Remove("team-a", "one")
	idx.RemoveToken("team-a", "four")
	if got := chain(idx, v); got != nil {
		t.Fatalf("every source removed, chain %v left", got)
	}
	if len(idx.byHash) != 0 || len(idx.bySource) != 0 {
		t.Fatalf("empty index keeps %d digests and %d sources", len(idx.byHash), len(idx.bySource))
	}
}

// TestDigestsSharingAPrefix: the index is keyed by the first 8 bytes of a
// digest, so digests that share them share a chain. A value verifies only
// for an entry of its whole digest, wherever in the chain, and removing
// one digest's holder leaves the other's.
func TestDigestsSharingAPrefix(t *testing.T) {
	v := token.NewValue([]byte("a-value-whose-digest-is-shared-0"))
	sum := sha256.Sum256(v.Reveal())
	twin := sum
	twin[31] ^= 0xff // the same prefix, another digest: nobody holds its value
	twinFingerprint := "sha256:" + hex.EncodeToString(twin[:])
	holder, other := hashedToken("holder", v, v), hashedToken("other", v, v)
	other.Status.TokenHash = twinFingerprint
	other.Spec.Source.Hashed.TokenHash = twinFingerprint
	for i, tok := range []*authv1alpha1.ApiToken{holder, other} {
		tok.UID = types.UID(fmt.Sprintf("uid-%d", i))
		tok.Status.TokenStatus = authv1alpha1.TokenStatusActive
	}
	for _, order := range [][]*authv1alpha1.ApiToken{{holder, other}, {other, holder}} {
		idx, model := NewIndex(nil), readmodel.NewModel()
		for _, tok := range order {
			idx.UpdateToken(tok)
			model.Upsert(readmodel.RowFor(tok))
		}
		if len(idx.byHash) != 1 {
			t.Fatalf("%d chains, want the two digests in one", len(idx.byHash))
		}
		ver := &Verifier{Index: idx, Model: model, Clock: testingclock.NewFakeClock(time.Now())}
		if id, ok := ver.Check(v); !ok || id.Name != "holder" {
			t.Fatalf("indexed %s then %s: verifies as %q (%v), want the holder of its digest", order[0].Name, order[1].Name, id.Name, ok)
		}
		idx.RemoveToken("team-a", "holder")
		if id, ok := ver.Check(v); ok {
			t.Fatalf("the holder removed: verifies as %q through the other digest of its chain", id.Name)
		}
		idx.UpdateToken(holder)
		idx.RemoveToken("team-a", "other")
		if id, ok := ver.Check(v); !ok || id.Name != "holder" {
			t.Fatalf("the other removed: verifies as %q (%v), want the holder", id.Name, ok)
		}
	}
}
