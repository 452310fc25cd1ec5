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
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
)

// searchIndex finds the rows whose haystack contains a substring without
// reading every row: each trigram (three bytes) of a haystack maps to the
// set of rows that have it, a compressed bitmap of row numbers. A substring's
// candidates are the rows that have all its trigrams; the exact check runs
// on those only. Only a change of the searchable text touches it.
type searchIndex struct {
	postings map[uint32]*roaring.Bitmap
	// rows by number; free numbers are reused.
	rows []*Row
	free []uint32
}

func newSearchIndex() searchIndex { return searchIndex{postings: map[uint32]*roaring.Bitmap{}} }

// replace puts r (nil for a deletion) in old's place (nil for a new row),
// and gives r its row number.
func (x *searchIndex) replace(old, r *Row) {
	switch {
	case old == nil:
		r.id = x.take()
		eachTrigram(r.Haystack(), func(g uint32) { x.posting(g).Add(r.id) })
	case r == nil:
		x.unindex(old)
		x.rows[old.id] = nil
		x.free = append(x.free, old.id)
		return
	case old.Haystack() != r.Haystack():
		r.id = old.id
		x.unindex(old)
		eachTrigram(r.Haystack(), func(g uint32) { x.posting(g).Add(r.id) })
	default:
		r.id = old.id
	}
	x.rows[r.id] = r
}

func (x *searchIndex) take() uint32 {
	if n := len(x.free); n > 0 {
		id := x.free[n-1]
		x.free = x.free[:n-1]
		return id
	}
	x.rows = append(x.rows, nil)
	return uint32(len(x.rows) - 1)
}

func (x *searchIndex) posting(g uint32) *roaring.Bitmap {
	b := x.postings[g]
	if b == nil {
		b = roaring.New()
		x.postings[g] = b
	}
	return b
}

func (x *searchIndex) unindex(r *Row) {
	eachTrigram(r.Haystack(), func(g uint32) {
		if b := x.postings[g]; b != nil {
			b.Remove(r.id)
			if b.IsEmpty() {
				delete(x.postings, g)
			}
		}
	})
}

// find returns the rows whose haystack contains sub, or false when the
// index cannot narrow the search below limit candidates (sub shorter than a
// trigram, or too common): the caller then scans.
func (x *searchIndex) find(sub string, limit int) ([]*Row, bool) {
	if len(sub) < 3 || strings.IndexByte(sub, 0) >= 0 {
		return nil, false
	}
	var sets []*roaring.Bitmap
	missing := false
	eachTrigram(sub, func(g uint32) {
		b := x.postings[g]
		if b == nil {
			missing = true
		} else if !slices.Contains(sets, b) {
			sets = append(sets, b)
		}
	})
	if missing {
		return nil, true // some trigram is nowhere: no row matches
	}
	candidates := sets[0]
	if len(sets) > 1 {
		candidates = roaring.FastAnd(sets...)
	}
	if candidates.GetCardinality() > uint64(limit) {
		return nil, false
	}
	var out []*Row
	candidates.Iterate(func(id uint32) bool {
		if r := x.rows[id]; r != nil && strings.Contains(r.Haystack(), sub) {
			out = append(out, r)
		}
		return true
	})
	return out, true
}

// eachTrigram calls fn with every trigram of s that does not span two
// fields (no NUL byte), packed into 24 bits.
func eachTrigram(s string, fn func(uint32)) {
	for i := 0; i+3 <= len(s); i++ {
		a, b, c := s[i], s[i+1], s[i+2]
		if a == 0 || b == 0 || c == 0 {
			continue
		}
		fn(uint32(a)<<16 | uint32(b)<<8 | uint32(c))
	}
}
