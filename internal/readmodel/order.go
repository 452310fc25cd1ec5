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

	"github.com/tidwall/btree"

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

// treeDegree sizes the B-tree nodes: small enough that the path a change
// copies after a snapshot is a few hundred bytes per level, large enough that
// a walk stays in cache.
const treeDegree = 32

// order keeps the rows sorted by one field, updated in place: rows whose
// field is set in values (ascending, ties by namespace/name), rows whose
// field is null in nulls (by namespace/name), so that they come last in
// either direction.
type order struct {
	field         SortField
	values, nulls *btree.BTreeG[*Row]
}

func newOrder(f SortField) *order {
	opts := btree.Options{Degree: treeDegree, NoLocks: true} // the model locks
	return &order{
		field:  f,
		values: btree.NewBTreeGOptions(func(a, b *Row) bool { return compareRows(a, b, f) < 0 }, opts),
		nulls:  btree.NewBTreeGOptions(func(a, b *Row) bool { return compareKeys(a, b) < 0 }, opts),
	}
}

func (o *order) tree(r *Row) *btree.BTreeG[*Row] {
	if isNull(r, o.field) {
		return o.nulls
	}
	return o.values
}

// replace moves old (nil for a new row) to r's place (nil for a deleted
// row): O(log n), a single replacement when the row keeps its place.
func (o *order) replace(old, r *Row) {
	if old != nil && (r == nil || o.tree(old) != o.tree(r) || compareRows(old, r, o.field) != 0) {
		o.tree(old).Delete(old)
	}
	if r != nil {
		o.tree(r).Set(r)
	}
}

// copy is a copy-on-write snapshot of the order: O(1); later changes to o
// copy the nodes they touch, and the copy never changes.
func (o *order) copy() *order {
	return &order{field: o.field, values: o.values.Copy(), nulls: o.nulls.Copy()}
}

// walk calls fn with the rows in order (descending: values from the largest,
// nulls still last and by namespace/name), starting offset rows in, until fn
// returns false. Skipping costs O(log n), not O(offset).
func (o *order) walk(desc bool, offset int, fn func(*Row) bool) {
	nv := o.values.Len()
	if offset < nv {
		more := true
		switch {
		case desc && offset == 0:
			o.values.Reverse(func(r *Row) bool { more = fn(r); return more })
		case desc:
			pivot, _ := o.values.GetAt(nv - 1 - offset)
			o.values.Descend(pivot, func(r *Row) bool { more = fn(r); return more })
		case offset == 0:
			o.values.Scan(func(r *Row) bool { more = fn(r); return more })
		default:
			pivot, _ := o.values.GetAt(offset)
			o.values.Ascend(pivot, func(r *Row) bool { more = fn(r); return more })
		}
		if !more {
			return
		}
		offset = 0
	} else {
		offset -= nv
	}
	if offset == 0 {
		o.nulls.Scan(fn)
	} else if pivot, ok := o.nulls.GetAt(offset); ok {
		o.nulls.Ascend(pivot, fn)
	}
}

// Compare orders two rows as a query sorted by field lists them: by the
// field (descending if desc), ties by namespace/name (reversed too when
// desc), rows whose field is null last and by namespace/name.
func Compare(field SortField, desc bool, a, b *Row) int {
	an, bn := isNull(a, field), isNull(b, field)
	switch {
	case an && bn:
		return compareKeys(a, b)
	case an:
		return 1
	case bn:
		return -1
	case desc:
		return compareRows(b, a, field)
	}
	return compareRows(a, b, field)
}

// unknownIndex is the type or status index of a value outside the enums.
const unknownIndex = 7

// TypeIndex is a type's bit in a Filter (its place in TokenTypes).
func TypeIndex(t authv1alpha1.TokenType) uint8 {
	if i := slices.Index(authv1alpha1.TokenTypes, t); i >= 0 && i < unknownIndex {
		return uint8(i)
	}
	return unknownIndex
}

// StatusIndex is a status's bit in a Filter (its place in TokenStatuses).
func StatusIndex(s authv1alpha1.TokenStatus) uint8 {
	if i := slices.Index(authv1alpha1.TokenStatuses, s); i >= 0 && i < unknownIndex {
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
		c = cmp.Compare(a.Principal(), b.Principal())
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
