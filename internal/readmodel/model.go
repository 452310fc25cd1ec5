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
	"time"

	"k8s.io/utils/clock"
)

// Model is the read model: a table of Rows, with one pre-sorted order per
// sort field built lazily after a change and reused by every query until the
// next change. It is safe for concurrent use.
type Model struct {
	mu     sync.RWMutex
	rows   map[string]Row // by namespace/name
	byUID  map[string]string
	snap   *Snapshot
	synced func() bool
	// dirty says rows changed since snap was built.
	dirty bool
	// MaxStaleness bounds how old a snapshot may be once rows have changed:
	// under a stream of changes (lastUsedDate updates), queries share one
	// rebuild per interval instead of paying one each.
	MaxStaleness time.Duration
	// Clock tells the snapshot's age; a fake one in tests.
	Clock clock.PassiveClock
}

// DefaultMaxStaleness is how far query results may lag behind a change.
const DefaultMaxStaleness = time.Second

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{rows: map[string]Row{}, byUID: map[string]string{}, synced: func() bool { return true }, MaxStaleness: DefaultMaxStaleness, Clock: clock.RealClock{}}
}

// Upsert adds or replaces a row.
func (m *Model) Upsert(r Row) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := r.Namespace + "/" + r.Name
	if old, ok := m.rows[key]; ok && old.UID != r.UID {
		delete(m.byUID, old.UID)
	}
	m.rows[key] = r
	if r.UID != "" {
		m.byUID[r.UID] = key
	}
	m.dirty = true
}

// Delete removes a row.
func (m *Model) Delete(namespace, name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := namespace + "/" + name
	if old, ok := m.rows[key]; ok {
		delete(m.byUID, old.UID)
	}
	delete(m.rows, key)
	m.dirty = true
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

// GetByUID returns the row of the ApiToken with that UID.
func (m *Model) GetByUID(uid string) (Row, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	r, ok := m.rows[m.byUID[uid]]
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
func (m *Model) Namespaces() []string { return m.Snapshot().Namespaces }

// Snapshot returns an immutable view of the rows for a query: the current
// one while it is fresh (see MaxStaleness), else a new one.
func (m *Model) Snapshot() *Snapshot {
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
			nsIndex[ns] = uint16(min(i, MaxNamespaceIndex))
		}
		m.snap = &Snapshot{built: m.Clock.Now(), Rows: rows, Namespaces: namespaces, nsIndex: nsIndex, orders: map[SortField]*Order{}}
		m.dirty = false
	}
	return m.snap
}

// usable says whether the current snapshot may answer queries: unchanged
// since it was built, or changed but younger than MaxStaleness.
func (m *Model) usable() bool {
	return m.snap != nil && (!m.dirty || m.Clock.Now().Sub(m.snap.built) < m.MaxStaleness)
}
