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

// Package verify answers "is this token valid, and whose is it?" from
// memory: an index of token fingerprints built from the managed Secrets and
// the hash-only ApiTokens in the informer cache, joined with the ApiToken
// read model. No API request
// and no Secret read per verification; the index holds fingerprints only,
// never values.
package verify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// digest is a token's SHA-256: the index keeps 32 bytes per token, not the
// 71-character "sha256:<hex>" fingerprint.
type digest = tokensecret.Digest

// entry is where a digest was found. It says only where to look: the
// verifier counts it only if the owning ApiToken's status (which only the
// operator writes) names the same Secret and the same digest, and the
// Secret's controller reference or the operator's mark ties it to that
// ApiToken (see Verifier.join).
type entry struct {
	sum       digest
	namespace string
	// tokenName is the owning ApiToken.
	tokenName string
	// secretName is the Secret the digest was read from; empty for a
	// hash-only ApiToken's own status.
	secretName string
	// ownerUID is the UID the Secret's controller reference names, or the
	// hash-only ApiToken's own UID.
	ownerUID types.UID
	// marked says the operator's mark covers the Secret's state.
	marked bool
	// source is the bySource key that contributed the entry.
	source string
	// previous marks a rotation's previous token, valid until previousUntil.
	previous      bool
	previousUntil time.Time
}

// maxCandidates bounds the entries one lookup considers. One fingerprint
// belongs to one ApiToken (the controller refuses copies), so more than one
// entry per digest is a copy that has not been refused yet, or a Secret
// somebody planted with a value they know.
const maxCandidates = 4

// Index maps token fingerprints to where they were found: the managed
// Secrets, and the status of hash-only ApiTokens.
type Index struct {
	mu sync.RWMutex
	// Marker checks the operator's mark on Secrets; nil checks none.
	Marker *tokensecret.Marker
	byHash map[digest][]entry
	// bySource are the digests each source contributed: "namespace/secret"
	// for a Secret, "apitoken/namespace/name" for a hash-only ApiToken.
	bySource map[string][]digest
}

// NewIndex returns an empty index that checks marks with m.
func NewIndex(m *tokensecret.Marker) *Index {
	return &Index{Marker: m, byHash: map[digest][]entry{}, bySource: map[string][]digest{}}
}

// Bind follows the managed Secrets (the operator's cache holds only those)
// and the ApiTokens of the cache on every replica. The returned function
// says whether both have delivered every object.
func (x *Index) Bind(ctx context.Context, c cache.Informers) (func() bool, error) {
	var synced []func() bool
	for _, obj := range []client.Object{&corev1.Secret{}, &authv1alpha1.ApiToken{}} {
		inf, err := c.GetInformer(ctx, obj)
		if err != nil {
			return nil, fmt.Errorf("getting the %T informer: %w", obj, err)
		}
		reg, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { x.apply(obj, false) },
			UpdateFunc: func(_, obj any) { x.apply(obj, false) },
			DeleteFunc: func(obj any) { x.apply(obj, true) },
		})
		if err != nil {
			return nil, err
		}
		synced = append(synced, reg.HasSynced)
	}
	return func() bool { return synced[0]() && synced[1]() }, nil
}

func (x *Index) apply(obj any, deleted bool) {
	if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj, deleted = d.Obj, true
	}
	switch o := obj.(type) {
	case *corev1.Secret:
		if deleted {
			x.Remove(o.Namespace, o.Name)
			return
		}
		x.Update(o)
	case *authv1alpha1.ApiToken:
		if deleted {
			x.RemoveToken(o.Namespace, o.Name)
			return
		}
		x.UpdateToken(o)
	}
}

// Update indexes a managed Secret: its current token (the value whose
// fingerprint the hash annotation names) and, during a grace period, the
// previous one. tokensecret reads the Secret's format.
func (x *Index) Update(s *corev1.Secret) {
	var entries []entry
	if fp, ok := tokensecret.ReadFingerprints(s, x.Marker); ok {
		e := entry{namespace: s.Namespace, tokenName: fp.Owner, secretName: s.Name, ownerUID: fp.ControllerUID, marked: fp.Marked}
		if fp.CurrentHeld {
			e.sum = fp.Current
			entries = append(entries, e)
		}
		for _, sum := range fp.Previous {
			e.sum, e.previous, e.previousUntil = sum, true, fp.PreviousUntil
			entries = append(entries, e)
		}
	}
	x.replace(s.Namespace+"/"+s.Name, entries)
}

// Remove drops a Secret's fingerprints.
func (x *Index) Remove(namespace, name string) {
	x.replace(namespace+"/"+name, nil)
}

// UpdateToken indexes a hash-only ApiToken: the fingerprint its status has
// accepted and, during a grace period, the previous one. A fingerprint its
// spec names but the controller has not accepted yet is not indexed; the
// accepted one stays until the controller replaces it, so a regenerated
// token's previous value never stops verifying before its grace period
// begins. Other ApiTokens contribute through their Secrets.
func (x *Index) UpdateToken(t *authv1alpha1.ApiToken) {
	var entries []entry
	h, st := t.Hashed(), &t.Status
	if h != nil {
		if sum, ok := tokensecret.ParseDigest(st.TokenHash); ok {
			entries = append(entries, entry{sum: sum, namespace: t.Namespace, tokenName: t.Name, ownerUID: t.UID})
		}
		if sum, ok := tokensecret.ParseDigest(st.PreviousTokenHash); ok && st.PreviousTokenExpirationDate != nil {
			entries = append(entries, entry{sum: sum, namespace: t.Namespace, tokenName: t.Name, ownerUID: t.UID, previous: true,
				previousUntil: st.PreviousTokenExpirationDate.Time})
		}
	}
	x.replace(tokenKey(t.Namespace, t.Name), entries)
}

// RemoveToken drops a hash-only ApiToken's fingerprints.
func (x *Index) RemoveToken(namespace, name string) {
	x.replace(tokenKey(namespace, name), nil)
}

func tokenKey(namespace, name string) string { return "apitoken/" + namespace + "/" + name }

// replace sets the entries a source contributes. A digest that another
// source holds too keeps that source's entry: the verifier decides which,
// if any, counts.
func (x *Index) replace(key string, entries []entry) {
	// Most updates (lastUsedDate, status of other ApiTokens) change nothing
	// here: check under the read lock, so that verifications do not queue
	// behind a write that would not change anything.
	if x.holds(key, entries) {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, h := range x.bySource[key] {
		kept := slices.DeleteFunc(x.byHash[h], func(e entry) bool { return e.source == key })
		if len(kept) == 0 {
			delete(x.byHash, h)
		} else {
			x.byHash[h] = kept
		}
	}
	delete(x.bySource, key)
	if len(entries) == 0 {
		return
	}
	sums := make([]digest, 0, len(entries))
	for _, e := range entries {
		e.source = key
		x.byHash[e.sum] = append(x.byHash[e.sum], e)
		sums = append(sums, e.sum)
	}
	x.bySource[key] = sums
}

// holds says whether the source already contributes exactly entries.
func (x *Index) holds(key string, entries []entry) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	sums := x.bySource[key]
	if len(sums) != len(entries) {
		return false
	}
	for i, e := range entries {
		e.source = key
		if sums[i] != e.sum || !slices.Contains(x.byHash[e.sum], e) {
			return false
		}
	}
	return true
}

// candidates are where a presented value's digest was found, at most
// maxCandidates of them, copied out so that no lock is held while the
// verifier joins them with the read model. The map is keyed by the digest,
// never the value; the final comparison is constant-time.
func (x *Index) candidates(v token.Value, out *[maxCandidates]entry) int {
	sum := sha256.Sum256(v.Reveal())
	x.mu.RLock()
	n := copy(out[:], x.byHash[sum])
	x.mu.RUnlock()
	if n > 0 && !hmac.Equal(out[0].sum[:], sum[:]) {
		return 0
	}
	return n
}
