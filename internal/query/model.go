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
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Model is the read model: a table of Rows, with one pre-sorted order per
// sort field built lazily after a change and reused by every query until the
// next change. It is safe for concurrent use.
type Model struct {
	mu     sync.RWMutex
	rows   map[string]Row // by namespace/name
	snap   *snapshot
	synced func() bool
	// dirty says rows changed since snap was built.
	dirty bool
	// MaxStaleness bounds how old a snapshot may be once rows have changed:
	// under a stream of changes (lastUsedDate updates), queries share one
	// rebuild per interval instead of paying one each.
	MaxStaleness time.Duration
	now          func() time.Time
}

// snapshot is an immutable view of the rows; its orders are built on demand.
type snapshot struct {
	built      time.Time
	rows       []Row
	namespaces []string
	nsIndex    map[string]uint16
	mu         sync.Mutex
	orders     map[SortField]*order
}

// order lists rows sorted ascending by a field (ties by namespace/name);
// rows whose field is null are kept apart, so that they come last in either
// direction.
type order struct {
	values []entry
	nulls  []entry
}

// entry is a row's place in an order with the fields most queries filter on,
// packed in 8 bytes: a query over type, status and namespace walks the order
// sequentially without touching the rows.
type entry struct {
	row    int32
	typ    uint8
	status uint8
	ns     uint16
}

// DefaultMaxStaleness is how far query results may lag behind a change.
const DefaultMaxStaleness = time.Second

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{rows: map[string]Row{}, synced: func() bool { return true }, MaxStaleness: DefaultMaxStaleness, now: time.Now}
}

// Upsert adds or replaces a row.
func (m *Model) Upsert(r Row) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows[r.Namespace+"/"+r.Name] = r
	m.dirty = true
}

// Delete removes a row.
func (m *Model) Delete(namespace, name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.rows, namespace+"/"+name)
	m.dirty = true
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

// Each calls f with every row, in no particular order, from the current rows
// (not a snapshot). f must not call the model.
func (m *Model) Each(f func(*Row)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for _, r := range m.rows {
		f(&r)
	}
}

// Namespaces lists the namespaces that hold ApiTokens.
func (m *Model) Namespaces() []string { return m.snapshot().namespaces }

func (m *Model) snapshot() *snapshot {
	m.mu.RLock()
	s, fresh := m.snap, m.usable()
	m.mu.RUnlock()
	if fresh {
		return s
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.usable() {
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
		nsIndex := make(map[string]uint16, len(namespaces))
		for i, ns := range namespaces {
			nsIndex[ns] = uint16(min(i, maxNamespaceIndex))
		}
		m.snap = &snapshot{built: m.now(), rows: rows, namespaces: namespaces, nsIndex: nsIndex, orders: map[SortField]*order{}}
		m.dirty = false
	}
	return m.snap
}

// usable says whether the current snapshot may answer queries: unchanged
// since it was built, or changed but younger than MaxStaleness.
func (m *Model) usable() bool {
	return m.snap != nil && (!m.dirty || m.now().Sub(m.snap.built) < m.MaxStaleness)
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
		r := &s.rows[i]
		e := entry{row: int32(i), typ: typeIndex(r.Type), status: statusIndex(r.Status), ns: s.nsIndex[r.Namespace]}
		if isNull(r, field) {
			o.nulls = append(o.nulls, e)
		} else {
			o.values = append(o.values, e)
		}
	}
	slices.SortFunc(o.values, func(a, b entry) int { return compareRows(&s.rows[a.row], &s.rows[b.row], field) })
	slices.SortFunc(o.nulls, func(a, b entry) int { return compareKeys(&s.rows[a.row], &s.rows[b.row]) })
	s.orders[field] = o
	return o
}

// maxNamespaceIndex caps namespace indexes; namespaces beyond it share the
// last index and are checked on the row itself.
const maxNamespaceIndex = 1<<16 - 1

// unknownIndex is the type or status index of a value outside the enums.
const unknownIndex = 15

func typeIndex(t authv1alpha1.TokenType) uint8 {
	if i := slices.Index(typeNames, t); i >= 0 {
		return uint8(i)
	}
	return unknownIndex
}

func statusIndex(s authv1alpha1.TokenStatus) uint8 {
	if i := slices.Index(statusNames, s); i >= 0 {
		return uint8(i)
	}
	return unknownIndex
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
