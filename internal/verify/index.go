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
// memory: an index of token fingerprints built from the managed Secrets in
// the informer cache, joined with the ApiToken read model. No API request
// and no Secret read per verification; the index holds fingerprints only,
// never values.
package verify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// digest is a token's SHA-256: the index keeps 32 bytes per token, not the
// 71-character "sha256:<hex>" fingerprint.
type digest = tokensecret.Digest

// entry is where a digest was found.
type entry struct {
	sum       digest
	namespace string
	// tokenName is the owning ApiToken.
	tokenName string
	// previous marks a rotation's previous token, valid until previousUntil.
	previous      bool
	previousUntil time.Time
}

// Index maps token fingerprints to the ApiTokens whose Secrets hold them.
type Index struct {
	mu       sync.RWMutex
	byHash   map[digest]entry
	bySecret map[string][]digest // namespace/secret -> digests it contributed
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{byHash: map[digest]entry{}, bySecret: map[string][]digest{}}
}

// Bind follows the managed Secrets of the cache (the operator's cache holds
// only those) on every replica.
func (x *Index) Bind(ctx context.Context, c cache.Informers) (func() bool, error) {
	inf, err := c.GetInformer(ctx, &corev1.Secret{})
	if err != nil {
		return nil, fmt.Errorf("getting the Secret informer: %w", err)
	}
	reg, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { x.apply(obj, false) },
		UpdateFunc: func(_, obj any) { x.apply(obj, false) },
		DeleteFunc: func(obj any) { x.apply(obj, true) },
	})
	if err != nil {
		return nil, err
	}
	return reg.HasSynced, nil
}

func (x *Index) apply(obj any, deleted bool) {
	if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj, deleted = d.Obj, true
	}
	s, ok := obj.(*corev1.Secret)
	if !ok {
		return
	}
	if deleted {
		x.Remove(s.Namespace, s.Name)
		return
	}
	x.Update(s)
}

// Update indexes a managed Secret: its current token (the value whose
// fingerprint the hash annotation names) and, during a grace period, the
// previous one. tokensecret reads the Secret's format.
func (x *Index) Update(s *corev1.Secret) {
	var entries []entry
	if fp, ok := tokensecret.ReadFingerprints(s); ok {
		if fp.CurrentHeld {
			entries = append(entries, entry{sum: fp.Current, namespace: s.Namespace, tokenName: fp.Owner})
		}
		for _, sum := range fp.Previous {
			entries = append(entries, entry{sum: sum, namespace: s.Namespace, tokenName: fp.Owner, previous: true, previousUntil: fp.PreviousUntil})
		}
	}
	key := s.Namespace + "/" + s.Name
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeLocked(key)
	if len(entries) == 0 {
		return
	}
	sums := make([]digest, 0, len(entries))
	for _, e := range entries {
		x.byHash[e.sum] = e
		sums = append(sums, e.sum)
	}
	x.bySecret[key] = sums
}

// Remove drops a Secret's fingerprints.
func (x *Index) Remove(namespace, name string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.removeLocked(namespace + "/" + name)
}

func (x *Index) removeLocked(key string) {
	for _, h := range x.bySecret[key] {
		delete(x.byHash, h)
	}
	delete(x.bySecret, key)
}

// lookup finds the entry of a presented value. The map is keyed by the
// digest, never the value; the final comparison is constant-time.
func (x *Index) lookup(v token.Value) (entry, bool) {
	sum := sha256.Sum256(v.Reveal())
	x.mu.RLock()
	e, ok := x.byHash[sum]
	x.mu.RUnlock()
	if !ok || !hmac.Equal(e.sum[:], sum[:]) {
		return entry{}, false
	}
	return e, true
}
