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
	"cmp"
	"slices"
	"sync"
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// SortField is a field rows can be ordered by.
type SortField string

// Sort fields, as the query API spells them.
const (
	SortCreationDate   SortField = "creationDate"
	SortExpirationDate SortField = "expirationDate"
	SortLastUsedDate   SortField = "lastUsedDate"
	SortName           SortField = "name"
	SortPrincipal      SortField = "principal"
	SortTTL            SortField = "apiTokenTtl"
)

// SortFields lists every SortField.
var SortFields = []SortField{SortCreationDate, SortExpirationDate, SortLastUsedDate, SortName, SortPrincipal, SortTTL}

// Snapshot is an immutable view of the rows; its orders are built on demand.
type Snapshot struct {
	built time.Time
	// Rows are the rows, in no particular order; Entry.Row indexes them.
	Rows []Row
	// Namespaces are the namespaces that hold rows, sorted; Entry.NS indexes
	// them (capped at MaxNamespaceIndex).
	Namespaces []string
	nsIndex    map[string]uint16
	mu         sync.Mutex
	orders     map[SortField]*Order
}

// Order lists rows sorted ascending by a field (ties by namespace/name);
// rows whose field is null are kept apart, so that they come last in either
// direction.
type Order struct {
	Values []Entry
	Nulls  []Entry
}

// Entry is a row's place in an order with the fields most queries filter on,
// packed in 8 bytes: a query over type, status and namespace walks the order
// sequentially without touching the rows.
type Entry struct {
	Row    int32
	Type   uint8
	Status uint8
	NS     uint16
}

// Order returns (building it once) the rows sorted by field.
func (s *Snapshot) Order(field SortField) *Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orders[field]; ok {
		return o
	}
	o := &Order{}
	for i := range s.Rows {
		r := &s.Rows[i]
		e := Entry{Row: int32(i), Type: TypeIndex(r.Type), Status: StatusIndex(r.Status), NS: s.nsIndex[r.Namespace]}
		if isNull(r, field) {
			o.Nulls = append(o.Nulls, e)
		} else {
			o.Values = append(o.Values, e)
		}
	}
	slices.SortFunc(o.Values, func(a, b Entry) int { return compareRows(&s.Rows[a.Row], &s.Rows[b.Row], field) })
	slices.SortFunc(o.Nulls, func(a, b Entry) int { return compareKeys(&s.Rows[a.Row], &s.Rows[b.Row]) })
	s.orders[field] = o
	return o
}

// MaxNamespaceIndex caps namespace indexes; namespaces beyond it share the
// last index and must be checked on the row itself.
const MaxNamespaceIndex = 1<<16 - 1

// unknownIndex is the type or status index of a value outside the enums.
const unknownIndex = 15

// TypeIndex is a type's bit in an Entry (its place in TokenTypes).
func TypeIndex(t authv1alpha1.TokenType) uint8 {
	if i := slices.Index(authv1alpha1.TokenTypes, t); i >= 0 {
		return uint8(i)
	}
	return unknownIndex
}

// StatusIndex is a status's bit in an Entry (its place in TokenStatuses).
func StatusIndex(s authv1alpha1.TokenStatus) uint8 {
	if i := slices.Index(authv1alpha1.TokenStatuses, s); i >= 0 {
		return uint8(i)
	}
	return unknownIndex
}

func isNull(r *Row, f SortField) bool {
	switch f {
	case SortCreationDate:
		return r.Created == Null
	case SortExpirationDate:
		return r.Expires == Null
	case SortLastUsedDate:
		return r.LastUsed == Null
	case SortTTL:
		return r.TTLSeconds == Null
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
