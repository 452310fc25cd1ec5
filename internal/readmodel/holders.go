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
// the first is held inline and only a duplicate costs a slice.
type holderIndex struct {
	first map[tokensecret.Digest]*Row
	more  map[tokensecret.Digest][]*Row
}

func newHolderIndex() holderIndex {
	return holderIndex{first: map[tokensecret.Digest]*Row{}, more: map[tokensecret.Digest][]*Row{}}
}

// digests are the digests r's status names, each once.
func digests(r *Row) []tokensecret.Digest {
	var zero tokensecret.Digest
	var out []tokensecret.Digest
	if r.CurrentDigest != zero {
		out = append(out, r.CurrentDigest)
	}
	if r.PreviousDigest != zero && r.PreviousDigest != r.CurrentDigest {
		out = append(out, r.PreviousDigest)
	}
	return out
}

func (x *holderIndex) replace(old, r *Row) {
	if old != nil {
		for _, d := range digests(old) {
			x.remove(d, old)
		}
	}
	if r != nil {
		for _, d := range digests(r) {
			x.add(d, r)
		}
	}
}

func (x *holderIndex) add(d tokensecret.Digest, r *Row) {
	if _, ok := x.first[d]; !ok {
		x.first[d] = r
		return
	}
	x.more[d] = append(x.more[d], r)
}

func (x *holderIndex) remove(d tokensecret.Digest, r *Row) {
	if x.first[d] == r {
		if rest := x.more[d]; len(rest) > 0 {
			x.first[d] = rest[0]
			x.setMore(d, rest[1:])
		} else {
			delete(x.first, d)
		}
		return
	}
	x.setMore(d, slices.DeleteFunc(x.more[d], func(o *Row) bool { return o == r }))
}

func (x *holderIndex) setMore(d tokensecret.Digest, rows []*Row) {
	if len(rows) == 0 {
		delete(x.more, d)
		return
	}
	x.more[d] = rows
}

// Holders returns the rows whose status names digest d, current or
// previous, revoked or not (copies): who holds a fingerprint already.
func (m *Model) Holders(d tokensecret.Digest) []Row {
	m.mu.RLock()
	defer m.mu.RUnlock()
	first, ok := m.holders.first[d]
	if !ok {
		return nil
	}
	out := []Row{*first}
	for _, r := range m.holders.more[d] {
		out = append(out, *r)
	}
	return out
}
