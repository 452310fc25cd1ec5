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

package readmodel

import (
	"slices"

	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// holderIndex maps each digest a row's status names (current or previous,
// revoked ones included) to the rows that name it: almost always one, so
// the first is held inline and only a duplicate costs a slice. It is keyed
// by the digest's prefix (tokensecret.DigestPrefix), and Holders keeps the
// rows that name the whole digest.
type holderIndex struct {
	first map[uint64]*Row
	more  map[uint64][]*Row
}

func newHolderIndex() holderIndex {
	return holderIndex{first: map[uint64]*Row{}, more: map[uint64][]*Row{}}
}

// digests are the digests r's status names, each once: current,
// previous and revoked.
func digests(r *Row) []tokensecret.Digest {
	var out []tokensecret.Digest
	add := func(d tokensecret.Digest) {
		if d != (tokensecret.Digest{}) && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	add(r.CurrentDigest)
	add(r.PreviousDigest())
	for _, d := range r.RevokedDigests() {
		add(d)
	}
	return out
}

// names says whether r's status names d.
func names(r *Row, d tokensecret.Digest) bool {
	return d != (tokensecret.Digest{}) && (r.CurrentDigest == d || r.PreviousDigest() == d || slices.Contains(r.RevokedDigests(), d))
}

func (x *holderIndex) replace(old, r *Row) {
	if old != nil {
		for _, d := range digests(old) {
			x.remove(tokensecret.DigestPrefix(d), old)
		}
	}
	if r != nil {
		for _, d := range digests(r) {
			x.add(tokensecret.DigestPrefix(d), r)
		}
	}
}

func (x *holderIndex) add(k uint64, r *Row) {
	if _, ok := x.first[k]; !ok {
		x.first[k] = r
		return
	}
	x.more[k] = append(x.more[k], r)
}

// remove drops one of r's places under k (a row whose two digests share a
// prefix has two).
func (x *holderIndex) remove(k uint64, r *Row) {
	if x.first[k] == r {
		if rest := x.more[k]; len(rest) > 0 {
			x.first[k] = rest[0]
			x.setMore(k, rest[1:])
		} else {
			delete(x.first, k)
		}
		return
	}
	rest := x.more[k]
	if i := slices.Index(rest, r); i >= 0 {
		x.setMore(k, slices.Delete(rest, i, i+1))
	}
}

func (x *holderIndex) setMore(k uint64, rows []*Row) {
	if len(rows) == 0 {
		delete(x.more, k)
		return
	}
	x.more[k] = rows
}

// Holders returns the rows whose status names digest d, current, previous
// or revoked (copies): who holds a fingerprint already.
func (m *Model) Holders(d tokensecret.Digest) []Row {
	m.mu.RLock()
	defer m.mu.RUnlock()
	k := tokensecret.DigestPrefix(d)
	first, ok := m.holders.first[k]
	if !ok {
		return nil
	}
	var out []Row
	var seen []*Row
	for _, r := range append([]*Row{first}, m.holders.more[k]...) {
		if names(r, d) && !slices.Contains(seen, r) {
			seen = append(seen, r)
			out = append(out, *r)
		}
	}
	return out
}
