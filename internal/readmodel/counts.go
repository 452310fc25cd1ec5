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

// counts keeps, per namespace, how many rows have each type and status, so
// that totalCount of a query that filters on those alone is a sum, not a
// scan. Snapshots share it copy-on-write: share marks everything shared, and
// a later change copies what it touches (a slot array of 256 bytes, and the
// per-namespace list once per snapshot).
type counts struct {
	// gen is bumped by every share; parts with an older gen are shared.
	gen     uint64
	byNS    []*slots // by namespace number
	byNSGen uint64
	total   slots
}

// slots are counts by type and status: n[typ<<3|status].
type slots struct {
	gen uint64
	n   [64]int32
}

// countView is what a snapshot sees of the counts: never changed again.
type countView struct {
	byNS  []*slots
	total [64]int32
}

func slot(r *Row) int { return int(r.typeIndex())<<3 | int(r.statusIndex()) }

// add counts r (delta 1) or uncounts it (delta -1).
func (c *counts) add(r *Row, delta int32) {
	if c.byNSGen != c.gen {
		c.byNS = append([]*slots(nil), c.byNS...)
		c.byNSGen = c.gen
	}
	for int(r.ns) >= len(c.byNS) {
		c.byNS = append(c.byNS, nil)
	}
	s := c.byNS[r.ns]
	if s == nil || s.gen != c.gen {
		s = &slots{gen: c.gen}
		if c.byNS[r.ns] != nil {
			s.n = c.byNS[r.ns].n
		}
		c.byNS[r.ns] = s
	}
	s.n[slot(r)] += delta
	c.total.n[slot(r)] += delta
}

// share returns a view for a snapshot: O(1) besides copying the totals.
func (c *counts) share() countView {
	c.gen++
	return countView{byNS: c.byNS[:len(c.byNS):len(c.byNS)], total: c.total.n}
}

// nsTotal is how many rows a namespace has.
func (v *countView) nsTotal(ns int) int {
	if ns >= len(v.byNS) || v.byNS[ns] == nil {
		return 0
	}
	n := 0
	for _, k := range v.byNS[ns].n {
		n += int(k)
	}
	return n
}

// sum adds the slots f admits, of one namespace's counts or the totals.
func sum(n *[64]int32, f *Filter) int {
	total := 0
	for t := range 8 {
		if f.Types&(1<<t) == 0 {
			continue
		}
		for s := range 8 {
			if f.Statuses&(1<<s) != 0 {
				total += int(n[t<<3|s])
			}
		}
	}
	return total
}
