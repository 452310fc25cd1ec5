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

package query

import (
	"cmp"
	"slices"
	"sync"
)

// Model is the read model: a table of Rows, with one pre-sorted order per
// sort field built lazily after a change and reused by every query until the
// next change. It is safe for concurrent use.
type Model struct {
	mu     sync.RWMutex
	rows   map[string]Row // by namespace/name
	snap   *snapshot
	synced func() bool
}

// snapshot is an immutable view of the rows; its orders are built on demand.
type snapshot struct {
	rows       []Row
	namespaces []string
	mu         sync.Mutex
	orders     map[SortField]*order
}

// order lists row indexes sorted ascending by a field (ties by
// namespace/name); rows whose field is null are kept apart, so that they come
// last in either direction.
type order struct {
	values []int32
	nulls  []int32
}

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{rows: map[string]Row{}, synced: func() bool { return true }}
}

// Upsert adds or replaces a row.
func (m *Model) Upsert(r Row) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows[r.Namespace+"/"+r.Name] = r
	m.snap = nil
}

// Delete removes a row.
func (m *Model) Delete(namespace, name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.rows, namespace+"/"+name)
	m.snap = nil
}

// Len is the number of rows.
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
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.rows[namespace+"/"+name]
	return r, ok
}

// Namespaces lists the namespaces that hold ApiTokens.
func (m *Model) Namespaces() []string { return m.snapshot().namespaces }

func (m *Model) snapshot() *snapshot {
	m.mu.RLock()
	s := m.snap
	m.mu.RUnlock()
	if s != nil {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap == nil {
		rows := make([]Row, 0, len(m.rows))
		seen := map[string]bool{}
		var namespaces []string
		for _, r := range m.rows {
			rows = append(rows, r)
			if !seen[r.Namespace] {
				seen[r.Namespace] = true
				namespaces = append(namespaces, r.Namespace)
			}
		}
		slices.Sort(namespaces)
		m.snap = &snapshot{rows: rows, namespaces: namespaces, orders: map[SortField]*order{}}
	}
	return m.snap
}

// order returns (building it once) the rows sorted by field.
func (s *snapshot) order(field SortField) *order {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[field]; ok {
		return o
	}
	o := &order{}
	for i := range s.rows {
		if isNull(&s.rows[i], field) {
			o.nulls = append(o.nulls, int32(i))
		} else {
			o.values = append(o.values, int32(i))
		}
	}
	slices.SortFunc(o.values, func(a, b int32) int { return compareRows(&s.rows[a], &s.rows[b], field) })
	slices.SortFunc(o.nulls, func(a, b int32) int { return compareKeys(&s.rows[a], &s.rows[b]) })
	s.orders[field] = o
	return o
}

func isNull(r *Row, f SortField) bool {
	switch f {
	case SortCreationDate:
		return r.Created == null
	case SortExpirationDate:
		return r.Expires == null
	case SortLastUsedDate:
		return r.LastUsed == null
	case SortTTL:
		return r.TTLSeconds == null
	}
	return false
}

func compareRows(a, b *Row, f SortField) int {
	var c int
	switch f {
	case SortCreationDate:
		c = cmp.Compare(a.Created, b.Created)
	case SortExpirationDate:
		c = cmp.Compare(a.Expires, b.Expires)
	case SortLastUsedDate:
		c = cmp.Compare(a.LastUsed, b.LastUsed)
	case SortTTL:
		c = cmp.Compare(a.TTLSeconds, b.TTLSeconds)
	case SortName:
		c = cmp.Compare(a.Name, b.Name)
	case SortPrincipal:
		c = cmp.Compare(a.Principal, b.Principal)
	}
	if c != 0 {
		return c
	}
	return compareKeys(a, b)
}

func compareKeys(a, b *Row) int {
	if c := cmp.Compare(a.Namespace, b.Namespace); c != 0 {
		return c
	}
	return cmp.Compare(a.Name, b.Name)
}
