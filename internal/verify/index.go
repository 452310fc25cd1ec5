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
	"math"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
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
// ApiToken (see Verifier.join). Entries are never changed once indexed,
// except for the Ref they remember.
type entry struct {
	sum       digest
	namespace string
	// tokenName is the owning ApiToken.
	tokenName string
	// secretName is the Secret the digest was read from; empty for a
	// hash-only ApiToken's own status.
	secretName string
	// ownerUID is the UID the Secret's controller reference names when it
	// is an ApiToken's (controlled says it has one, of whatever kind), or
	// the hash-only ApiToken's own UID.
	ownerUID types.UID
	// previousUntil is when a rotation's previous token stops being
	// valid, in Unix nanoseconds.
	previousUntil int64
	// ref remembers where the owning ApiToken's row is (the read model's
	// Ref), so that a verification looks up only the digest.
	ref atomic.Pointer[readmodel.Ref]
	// next is the next source's entry for the same digest; sibling the
	// same source's next entry (its previous token's).
	next, sibling *entry
	// marked says the operator's mark covers the Secret's state.
	marked, controlled bool
	// previous marks a rotation's previous token, valid until previousUntil.
	previous bool
}

// nanos is t in Unix nanoseconds, clamped to what an int64 holds (years
// 1678 to 2262): a grace period that ends past either end is cut there.
func nanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// copyOf is a new entry saying what e says.
func copyOf(e *entry) *entry {
	return &entry{sum: e.sum, namespace: e.namespace, tokenName: e.tokenName, secretName: e.secretName, ownerUID: e.ownerUID,
		previousUntil: e.previousUntil, marked: e.marked, controlled: e.controlled, previous: e.previous}
}

// same says whether e and o say the same (their links and Refs aside).
func (e *entry) same(o *entry) bool {
	return e.sum == o.sum && e.namespace == o.namespace && e.tokenName == o.tokenName && e.secretName == o.secretName &&
		e.ownerUID == o.ownerUID && e.previousUntil == o.previousUntil && e.marked == o.marked && e.controlled == o.controlled && e.previous == o.previous
}

// maxCandidates bounds the entries one lookup walks, of its digest or of
// another sharing its prefix (see byHash). One fingerprint
// belongs to one ApiToken (the controller refuses copies), so more than one
// entry per digest is a copy that has not been refused yet, or a Secret
// somebody planted with a value they know.
const maxCandidates = 4

// source is what contributed entries: a Secret, or a hash-only ApiToken's
// status. Its strings are the cached object's: no key of its own.
type source struct {
	apiToken        bool
	namespace, name string
}

// Index maps token fingerprints to where they were found: the managed
// Secrets, and the status of hash-only ApiTokens.
type Index struct {
	mu sync.RWMutex
	// Marker checks the operator's mark on Secrets; nil checks none.
	Marker *tokensecret.Marker
	// byHash is, by the first 8 bytes of a digest (prefix), the first
	// entry of the digests that begin with them; the others follow by
	// next, and a walk compares each entry's whole digest (lookup). An
	// 8-byte key makes the table's slots 16 bytes instead of 40: the probe,
	// a cache miss into 100,000 entries, was a third of a verification.
	// Honest digests share a prefix in one index of 100,000 in 4 billion; one
	// who picks values can make two of their own share one (2^32 tries),
	// never one of somebody else's (2^64). A chain is never changed once
	// published (a change builds a new one), so a verifier walks it
	// without the lock.
	byHash map[uint64]*entry
	// bySource is each source's first entry; the others follow by sibling.
	bySource map[source]*entry
}

// NewIndex returns an empty index that checks marks with m.
func NewIndex(m *tokensecret.Marker) *Index {
	return &Index{Marker: m, byHash: map[uint64]*entry{}, bySource: map[source]*entry{}}
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
		} else {
			x.Update(o)
		}
	case *authv1alpha1.ApiToken:
		switch {
		case deleted || o.Hashed() == nil:
			// Only a hash-only ApiToken has entries of its own: the others'
			// are their Secrets'. One that was hash-only loses its entries.
			x.RemoveToken(o.Namespace, o.Name)
		default:
			x.UpdateToken(o)
		}
	}
}

// Update indexes a managed Secret: its current token (the value whose
// fingerprint the hash annotation names) and, during a grace period, the
// previous one. tokensecret reads the Secret's format.
func (x *Index) Update(s *corev1.Secret) {
	var entries []*entry
	if fp, ok := tokensecret.ReadFingerprints(s, x.Marker); ok {
		e := entry{namespace: s.Namespace, tokenName: fp.Claim.Owner, secretName: s.Name, ownerUID: fp.Claim.ControllerUID,
			controlled: fp.Claim.Controlled, marked: fp.Claim.Marked}
		if fp.CurrentHeld {
			c := copyOf(&e)
			c.sum = fp.Current
			entries = append(entries, c)
		}
		for _, sum := range fp.Previous {
			p := copyOf(&e)
			p.sum, p.previous, p.previousUntil = sum, true, nanos(fp.PreviousUntil)
			entries = append(entries, p)
		}
	}
	x.replace(source{namespace: s.Namespace, name: s.Name}, entries)
}

// Remove drops a Secret's fingerprints.
func (x *Index) Remove(namespace, name string) {
	x.replace(source{namespace: namespace, name: name}, nil)
}

// UpdateToken indexes a hash-only ApiToken: the fingerprint its status has
// accepted and, during a grace period, the previous one. A fingerprint its
// spec names but the controller has not accepted yet is not indexed; the
// accepted one stays until the controller replaces it, so a regenerated
// token's previous value never stops verifying before its grace period
// begins. Other ApiTokens contribute through their Secrets.
func (x *Index) UpdateToken(t *authv1alpha1.ApiToken) {
	var entries []*entry
	h, st := t.Hashed(), &t.Status
	if h != nil {
		if sum, ok := tokensecret.ParseDigest(st.TokenHash); ok {
			entries = append(entries, &entry{sum: sum, namespace: t.Namespace, tokenName: t.Name, ownerUID: t.UID})
		}
		if sum, ok := tokensecret.ParseDigest(st.PreviousTokenHash); ok && st.PreviousTokenExpirationDate != nil {
			entries = append(entries, &entry{sum: sum, namespace: t.Namespace, tokenName: t.Name, ownerUID: t.UID, previous: true,
				previousUntil: nanos(st.PreviousTokenExpirationDate.Time)})
		}
	}
	x.replace(source{apiToken: true, namespace: t.Namespace, name: t.Name}, entries)
}

// RemoveToken drops a hash-only ApiToken's fingerprints.
func (x *Index) RemoveToken(namespace, name string) {
	x.replace(source{apiToken: true, namespace: namespace, name: name}, nil)
}

// replace sets the entries a source contributes. A digest that another
// source holds too keeps that source's entry: the verifier decides which,
// if any, counts.
func (x *Index) replace(src source, entries []*entry) {
	// Most updates (lastUsedDate, status of other ApiTokens) change nothing
	// here: check under the read lock, so that verifications do not queue
	// behind a write that would not change anything.
	if x.holds(src, entries) {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for old := x.bySource[src]; old != nil; old = old.sibling {
		x.unlink(old)
	}
	delete(x.bySource, src)
	if len(entries) == 0 {
		return
	}
	// The source's list first: linking may copy its entries (repoint).
	for i := range entries[1:] {
		entries[i].sibling = entries[i+1]
	}
	x.bySource[src] = entries[0]
	for e := x.bySource[src]; e != nil; e = e.sibling {
		x.link(e)
	}
}

// link appends e to its digest's chain: a new chain when there is one
// already, since verifiers may be walking it.
func (x *Index) link(e *entry) {
	k := tokensecret.DigestPrefix(e.sum)
	head := x.byHash[k]
	if head == nil {
		x.byHash[k] = e
		return
	}
	x.byHash[k] = x.rebuild(head, nil, e)
}

// unlink removes e from its digest's chain.
func (x *Index) unlink(e *entry) {
	k := tokensecret.DigestPrefix(e.sum)
	head := x.byHash[k]
	if head == e && e.next == nil {
		delete(x.byHash, k)
		return
	}
	if h := x.rebuild(head, e, nil); h != nil {
		x.byHash[k] = h
	} else {
		delete(x.byHash, k)
	}
}

// rebuild is a new chain of head's entries without drop, with add at the
// end. The entries are replaced by copies, so that the sources' lists
// (bySource) point at the new ones.
func (x *Index) rebuild(head, drop, add *entry) *entry {
	var first, last *entry
	push := func(e *entry) {
		if last == nil {
			first = e
		} else {
			last.next = e
		}
		last = e
	}
	for e := head; e != nil; e = e.next {
		if e == drop {
			continue
		}
		c := copyOf(e)
		c.sibling = e.sibling
		x.repoint(e, c)
		push(c)
	}
	if add != nil {
		push(add)
	}
	return first
}

// repoint makes whatever pointed at old in the sources' lists point at c.
func (x *Index) repoint(old, c *entry) {
	src := source{apiToken: old.secretName == "", namespace: old.namespace, name: old.secretName}
	if src.apiToken {
		src.name = old.tokenName
	}
	p := x.bySource[src]
	if p == old {
		x.bySource[src] = c
		return
	}
	for ; p != nil; p = p.sibling {
		if p.sibling == old {
			p.sibling = c
			return
		}
	}
}

// holds says whether the source already contributes exactly entries.
func (x *Index) holds(src source, entries []*entry) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	e := x.bySource[src]
	for _, want := range entries {
		if e == nil || !e.same(want) {
			return false
		}
		e = e.sibling
	}
	return e == nil
}

// candidates starts a walk over the entries where a presented value's
// digest was found, which the verifier may take without the lock. The map
// is keyed by the digest, never the value; each comparison of a whole
// digest is constant-time.
func (x *Index) candidates(v token.Value) lookup {
	sum := sha256.Sum256(v.Reveal())
	x.mu.RLock()
	head := x.byHash[tokensecret.DigestPrefix(sum)]
	x.mu.RUnlock()
	return lookup{sum: sum, at: head, left: maxCandidates}
}

// lookup walks one chain for one digest: at most maxCandidates entries,
// whatever their digests (two share a chain only if somebody made them
// share a prefix, and then only their own), returning those of sum.
type lookup struct {
	sum  digest
	at   *entry
	left int
}

// next is the walk's next entry of the digest; nil once the chain or the
// walk's budget ends.
func (l *lookup) next() *entry {
	for l.at != nil && l.left > 0 {
		e := l.at
		l.at, l.left = e.next, l.left-1
		if hmac.Equal(e.sum[:], l.sum[:]) {
			return e
		}
	}
	return nil
}
