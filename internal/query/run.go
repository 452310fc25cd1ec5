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
	"strings"

	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
)

// Visibility says which tokens a caller may see.
type Visibility struct {
	// All is cluster-wide permission.
	All bool
	// Namespaces are the namespaces the caller may see whole when All is false.
	Namespaces map[string]bool
	// Own are the namespaces where the caller may see only their own
	// personal tokens (readmodel.Row.PersonalTo User).
	Own  map[string]bool
	User string
}

// Allows says whether the caller may see some tokens of a namespace.
func (v Visibility) Allows(ns string) bool { return v.All || v.Namespaces[ns] || v.Own[ns] }

// AllowsRow says whether the caller may see a token.
func (v Visibility) AllowsRow(r *readmodel.Row) bool {
	return v.All || v.Namespaces[r.Namespace] || v.Own[r.Namespace] && r.PersonalTo(v.User)
}

// Page is one page of results and the total that matched.
type Page struct {
	Rows       []readmodel.Row
	TotalCount int
}

// Run answers a query over the rows the caller may see. It walks the
// pre-sorted order of the sort field once, counting every match and keeping
// only those on the requested page: no per-request sort, no copy of the table.
func Run(m *readmodel.Model, q Query, vis Visibility) Page {
	s := m.Snapshot()
	o := s.Order(q.Sort)
	c := compile(&q, vis, s)
	start := q.Page * q.PageSize
	if q.Page > 0 && start/q.Page != q.PageSize { // overflow: no such page
		start = -1
	}
	page := Page{Rows: make([]readmodel.Row, 0, min(q.PageSize, 64))}
	// Checks that need the row run first, in one sequential pass over the
	// rows (cache-friendly); the walk in sort order then reads one bit per row.
	var matched []bool
	if c.rowChecks {
		matched = make([]bool, len(s.Rows))
		for i := range s.Rows {
			r := &s.Rows[i]
			matched[i] = vis.AllowsRow(r) && q.Matches(r)
		}
	}
	visit := func(e readmodel.Entry) {
		if c.typeMask&(1<<e.Type) == 0 || c.statusMask&(1<<e.Status) == 0 || (c.namespaces != nil && !c.namespaces[e.NS]) {
			return
		}
		if matched != nil && !matched[e.Row] {
			return
		}
		if n := page.TotalCount; start >= 0 && n >= start && n < start+q.PageSize {
			page.Rows = append(page.Rows, s.Rows[e.Row])
		}
		page.TotalCount++
	}
	if q.Descending {
		for i := len(o.Values) - 1; i >= 0; i-- {
			visit(o.Values[i])
		}
	} else {
		for _, e := range o.Values {
			visit(e)
		}
	}
	for _, e := range o.Nulls {
		visit(e)
	}
	return page
}

// compiled is the part of a query that an order entry can answer alone.
type compiled struct {
	typeMask, statusMask uint16
	// namespaces is indexed by namespace index; nil allows every namespace.
	namespaces []bool
	// rowChecks says the row itself must be checked as well.
	rowChecks bool
}

func compile(q *Query, vis Visibility, s *readmodel.Snapshot) compiled {
	c := compiled{typeMask: 0xffff, statusMask: 0xffff}
	if q.Types != nil {
		c.typeMask = 0
		for t := range q.Types {
			c.typeMask |= 1 << readmodel.TypeIndex(t)
		}
	}
	if q.Statuses != nil {
		c.statusMask = 0
		for st := range q.Statuses {
			c.statusMask |= 1 << readmodel.StatusIndex(st)
		}
	}
	if q.Namespaces != nil || !vis.All {
		c.namespaces = make([]bool, len(s.Namespaces))
		for i, ns := range s.Namespaces {
			c.namespaces[min(i, readmodel.MaxNamespaceIndex)] = vis.Allows(ns) && (q.Namespaces == nil || q.Namespaces[ns])
		}
	}
	c.rowChecks = q.Principals != nil || q.Search != "" || q.Scopes != nil || len(vis.Own) > 0 || len(q.AllOf) > 0 || len(q.AnyOf) > 0 ||
		q.Created.set() || q.Expires.set() || q.LastUsed.set() || len(s.Namespaces) > readmodel.MaxNamespaceIndex
	return c
}

// Matches says whether a row passes every filter of the query.
func (q *Query) Matches(r *readmodel.Row) bool {
	switch {
	case q.Namespaces != nil && !q.Namespaces[r.Namespace],
		q.Types != nil && !q.Types[r.Type],
		q.Statuses != nil && !q.Statuses[r.Status],
		q.Principals != nil && !q.Principals[r.LowerPrincipal()],
		len(scope.Missing(r.Scopes, q.Scopes)) > 0,
		!q.Created.contains(r.Created), !q.Expires.contains(r.Expires), !q.LastUsed.contains(r.LastUsed):
		return false
	}
	if q.Search != "" && !strings.Contains(r.Haystack(), q.Search) {
		return false
	}
	for i := range q.AllOf {
		if !q.AllOf[i].matches(r) {
			return false
		}
	}
	if len(q.AnyOf) == 0 {
		return true
	}
	for i := range q.AnyOf {
		if q.AnyOf[i].matches(r) {
			return true
		}
	}
	return false
}

func (t *Term) matches(r *readmodel.Row) bool {
	var v string
	switch t.Field {
	case FieldTokenName:
		v = r.LowerTokenName()
	case FieldPrincipal, FieldClientID:
		v = r.LowerPrincipal()
	case FieldDescription:
		v = r.LowerDescription()
	case FieldNamespace:
		v = strings.ToLower(r.Namespace)
	case FieldName:
		v = r.LowerName()
	}
	for _, term := range t.Terms {
		switch t.Operator {
		case OpEquals:
			if v == term {
				return true
			}
		case OpStartsWith:
			if strings.HasPrefix(v, term) {
				return true
			}
		default:
			if strings.Contains(v, term) {
				return true
			}
		}
	}
	return false
}
