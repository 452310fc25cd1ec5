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
	"sync"
	"sync/atomic"
)

// Model is the read model: a table of Rows with, per sort field, an ordered
// index (a B-tree) updated in place, counts by namespace, type and status,
// and a trigram index for substring search. A change costs O(log n); queries
// read a copy-on-write Snapshot taken in O(1), so no query ever pays a
// rebuild and every change is visible to the next query. It is safe for
// concurrent use.
type Model struct {
	mu       sync.RWMutex
	onChange atomic.Pointer[[]ChangeFunc]
	// rows holds each ApiToken's Ref: the same Ref for as long as the
	// ApiToken exists, pointing at its current row.
	rows   map[rowKey]*Ref
	byUID  map[string]*Row
	orders []*order // in SortFields order
	counts counts
	search searchIndex
	// personal counts each user's personal tokens by namespace.
	personal personalIndex
	// holders finds the rows that name a digest.
	holders holderIndex
	// violations counts the rows that break each policy's rule.
	violations violationCounts
	// Namespaces are numbered once and for all (Row.ns): a namespace that
	// empties keeps its number, so snapshots can share the table.
	nsNumber map[string]uint32
	nsNames  []string
	// snap is the snapshot of the current rows, nil after a change.
	snap   atomic.Pointer[Snapshot]
	synced func() bool
}

type rowKey struct{ namespace, name string }

// NewModel returns an empty model.
func NewModel() *Model {
	m := &Model{rows: map[rowKey]*Ref{}, byUID: map[string]*Row{}, search: newSearchIndex(), personal: personalIndex{}, holders: newHolderIndex(), nsNumber: map[string]uint32{}, synced: func() bool { return true }}
	for _, f := range SortFields {
		m.orders = append(m.orders, newOrder(f))
	}
	return m
}

// Upsert adds or replaces a row made by RowFor.
func (m *Model) Upsert(r Row) {
	m.mu.Lock()
	defer m.mu.Unlock()
	nr := &r
	nr.ns = m.number(r.Namespace)
	m.replace(m.rows[rowKey{r.Namespace, r.Name}].Row(), nr)
}

// Delete removes a row.
func (m *Model) Delete(namespace, name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if old := m.rows[rowKey{namespace, name}].Row(); old != nil {
		m.replace(old, nil)
	}
}

// replace puts r (nil: none) in old's place (nil: none) in every index.
// Rows are never changed once indexed, so snapshots can share them.
func (m *Model) replace(old, r *Row) {
	if old != nil {
		if m.byUID[old.UID] == old {
			delete(m.byUID, old.UID)
		}
		m.counts.add(old, -1)
		m.personal.add(old, -1)
		m.violations.add(old, -1)
	}
	for _, o := range m.orders {
		o.replace(old, r)
	}
	m.search.replace(old, r)
	m.holders.replace(old, r)
	if r != nil {
		k := rowKey{r.Namespace, r.Name}
		if ref := m.rows[k]; ref != nil {
			ref.p.Store(r)
		} else {
			ref = &Ref{}
			ref.p.Store(r)
			m.rows[k] = ref
		}
		if r.UID != "" {
			m.byUID[r.UID] = r
		}
		m.counts.add(r, 1)
		m.personal.add(r, 1)
		m.violations.add(r, 1)
	} else {
		k := rowKey{old.Namespace, old.Name}
		m.rows[k].p.Store(nil)
		delete(m.rows, k)
	}
	m.snap.Store(nil)
}

func (m *Model) number(ns string) uint32 {
	n, ok := m.nsNumber[ns]
	if !ok {
		n = uint32(len(m.nsNames))
		m.nsNumber[ns] = n
		m.nsNames = append(m.nsNames, ns)
	}
	return n
}

// Len is how many rows the model holds, without the snapshot Snapshot
// takes.
func (m *Model) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.rows)
}

// Synced says whether the model has seen every ApiToken the cache lists.
func (m *Model) Synced() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.synced()
}

// Get returns one row.
func (m *Model) Get(namespace, name string) (Row, bool) {
	r := m.Lookup(namespace, name)
	if r == nil {
		return Row{}, false
	}
	return *r, true
}

// Lookup returns the row itself, nil when there is none: no copy, for the
// verification hot path. Rows never change once indexed (a change replaces
// the row), so the caller may keep it but must not modify it.
func (m *Model) Lookup(namespace, name string) *Row {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.rows[rowKey{namespace, name}].Row()
}

// Ref is where an ApiToken's current row is, for as long as the ApiToken
// exists: a change of the row does not change its Ref, and once the
// ApiToken is deleted its Ref names no row, ever again (one created again
// under the same name has a new Ref). The verifier keeps Refs so that a
// presented token costs one lookup, of its digest.
type Ref struct{ p atomic.Pointer[Row] }

// Row is the current row, nil once the ApiToken is gone. The caller must
// not modify it.
func (r *Ref) Row() *Row {
	if r == nil {
		return nil
	}
	return r.p.Load()
}

// RefOf returns the Ref of the ApiToken namespace/name, nil when there is
// none.
func (m *Model) RefOf(namespace, name string) *Ref {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.rows[rowKey{namespace, name}]
}

// GetByUID returns the row of the ApiToken with that UID.
func (m *Model) GetByUID(uid string) (Row, bool) {
	m.mu.RLock()
	r := m.byUID[uid]
	m.mu.RUnlock()
	if r == nil {
		return Row{}, false
	}
	return *r, true
}

// Each calls f with every row of a snapshot, by namespace/name. f may call
// the model; it must not modify the row.
func (m *Model) Each(f func(*Row)) {
	m.Snapshot().order(SortName).walk(false, 0, func(r *Row) bool { f(r); return true })
}

// Namespaces lists the namespaces that hold ApiTokens, sorted.
func (m *Model) Namespaces() []string { return m.Snapshot().Namespaces() }

// Search returns the rows whose search haystack contains sub (lower-cased),
// in no particular order, from the trigram index; false when the index
// cannot narrow it down (sub shorter than three bytes, or in more than a
// quarter of the rows): then scan a Snapshot instead.
func (m *Model) Search(sub string) ([]*Row, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.search.find(sub, max(len(m.rows)/4, minSearchLimit))
}

// minSearchLimit is the fewest candidates Search accepts before scanning.
const minSearchLimit = 1024

// Snapshot returns an immutable view of the current rows for a query. It is
// O(1): the orders and counts are shared copy-on-write.
func (m *Model) Snapshot() *Snapshot {
	if s := m.snap.Load(); s != nil {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.snap.Load(); s != nil {
		return s
	}
	s := &Snapshot{counts: m.counts.share(), nsNames: m.nsNames[:len(m.nsNames):len(m.nsNames)], len: len(m.rows)}
	for _, o := range m.orders {
		s.orders = append(s.orders, o.copy())
	}
	m.snap.Store(s)
	return s
}
