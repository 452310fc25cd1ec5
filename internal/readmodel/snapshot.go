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
	"sync"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Snapshot is an immutable view of the rows at one instant: the orders and
// counts as they were, shared copy-on-write with the model.
type Snapshot struct {
	orders  []*order
	counts  countView
	nsNames []string
	len     int

	nsOnce     sync.Once
	namespaces []string
}

// Filter is the part of a query the model answers without reading a row's
// text: sets of types, statuses and namespaces.
type Filter struct {
	// Types and Statuses have bit TypeIndex(t) and StatusIndex(s) set for
	// each type and status admitted.
	Types, Statuses uint8
	// Namespaces admits namespace number i when Namespaces[i] (see
	// Snapshot.NamespaceNumbers); nil admits every namespace.
	Namespaces []bool
}

// AllRows is the filter that admits every row.
func AllRows() Filter { return Filter{Types: 0xff, Statuses: 0xff} }

// All says whether f admits every row.
func (f *Filter) All() bool { return f.Types == 0xff && f.Statuses == 0xff && f.Namespaces == nil }

// Admits says whether f admits r.
func (f *Filter) Admits(r *Row) bool {
	return f.Types&(1<<r.typeIndex()) != 0 && f.Statuses&(1<<r.statusIndex()) != 0 &&
		(f.Namespaces == nil || int(r.ns) < len(f.Namespaces) && f.Namespaces[r.ns])
}

// Len is the number of rows.
func (s *Snapshot) Len() int { return s.len }

// Count is how many rows f admits: a sum over the counts, O(namespaces).
func (s *Snapshot) Count(f *Filter) int {
	if f.Namespaces == nil {
		return sum(&s.counts.total, f)
	}
	n := 0
	for i, ok := range f.Namespaces {
		if ok && i < len(s.counts.byNS) && s.counts.byNS[i] != nil {
			n += sum(&s.counts.byNS[i].n, f)
		}
	}
	return n
}

// Totals calls fn with each type and status some rows have and how many
// have them (empty for a value outside the enums): the counts, no row read.
func (s *Snapshot) Totals(fn func(authv1alpha1.TokenType, authv1alpha1.TokenStatus, int)) {
	for i, n := range s.counts.total {
		if n > 0 {
			fn(typeAt(uint8(i>>3)), statusAt(uint8(i&7)), int(n))
		}
	}
}

// Walk calls fn with the rows sorted by field (see Compare), starting offset
// rows in, until fn returns false. Skipping rows costs O(log n).
func (s *Snapshot) Walk(field SortField, desc bool, offset int, fn func(*Row) bool) {
	s.order(field).walk(desc, offset, fn)
}

func (s *Snapshot) order(field SortField) *order {
	return s.orders[slices.Index(SortFields, field)]
}

// NamespaceNumbers are the namespaces by number, for Filter.Namespaces; it
// includes namespaces that no longer hold rows.
func (s *Snapshot) NamespaceNumbers() []string { return s.nsNames }

// Namespaces lists the namespaces that hold rows, sorted.
func (s *Snapshot) Namespaces() []string {
	s.nsOnce.Do(func() {
		for i, ns := range s.nsNames {
			if s.counts.nsTotal(i) > 0 {
				s.namespaces = append(s.namespaces, ns)
			}
		}
		slices.Sort(s.namespaces)
	})
	return s.namespaces
}
