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
	"slices"
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

// Run answers a query over the rows the caller may see, from the model's
// indexes: a query that filters on type, status and namespace alone takes
// totalCount from the counts and walks the sort order only as far as its
// page; a substring search reads the trigram index's candidates only; other
// filters walk the order once. No query sorts or copies the table.
func Run(m *readmodel.Model, q Query, vis Visibility) Page {
	start := q.Page * q.PageSize
	if q.Page > 0 && start/q.Page != q.PageSize { // overflow: no such page
		start = -1
	}
	page := Page{Rows: make([]readmodel.Row, 0, min(q.PageSize, 64))}
	keep := func(r *readmodel.Row) {
		if n := page.TotalCount; start >= 0 && n >= start && n < start+q.PageSize {
			page.Rows = append(page.Rows, *r)
		}
		page.TotalCount++
	}
	if q.Search != "" {
		if found, ok := m.Search(q.Search); ok {
			found = slices.DeleteFunc(found, func(r *readmodel.Row) bool { return !vis.AllowsRow(r) || !q.Matches(r) })
			slices.SortFunc(found, func(a, b *readmodel.Row) int { return readmodel.Compare(q.Sort, q.Descending, a, b) })
			for _, r := range found {
				keep(r)
			}
			return page
		}
	}
	s := m.Snapshot()
	f := filter(&q, vis, s)
	if needsRow(&q, vis) {
		s.Walk(q.Sort, q.Descending, 0, func(r *readmodel.Row) bool {
			if f.Admits(r) && vis.AllowsRow(r) && q.Matches(r) {
				keep(r)
			}
			return true
		})
		return page
	}
	page.TotalCount = s.Count(&f)
	if start < 0 || start >= page.TotalCount {
		return page
	}
	if f.All() { // every row matches: jump to the page
		s.Walk(q.Sort, q.Descending, start, func(r *readmodel.Row) bool {
			page.Rows = append(page.Rows, *r)
			return len(page.Rows) < q.PageSize
		})
		return page
	}
	skip := start
	s.Walk(q.Sort, q.Descending, 0, func(r *readmodel.Row) bool {
		switch {
		case !f.Admits(r):
		case skip > 0:
			skip--
		default:
			page.Rows = append(page.Rows, *r)
		}
		return len(page.Rows) < q.PageSize
	})
	return page
}

// filter is the part of a query and the caller's visibility that the
// model's counts answer alone.
func filter(q *Query, vis Visibility, s *readmodel.Snapshot) readmodel.Filter {
	f := readmodel.AllRows()
	if q.Types != nil {
		f.Types = 0
		for t := range q.Types {
			f.Types |= 1 << readmodel.TypeIndex(t)
		}
	}
	if q.Statuses != nil {
		f.Statuses = 0
		for st := range q.Statuses {
			f.Statuses |= 1 << readmodel.StatusIndex(st)
		}
	}
	if q.Namespaces != nil || !vis.All {
		names := s.NamespaceNumbers()
		f.Namespaces = make([]bool, len(names))
		for i, ns := range names {
			f.Namespaces[i] = vis.Allows(ns) && (q.Namespaces == nil || q.Namespaces[ns])
		}
	}
	return f
}

// needsRow says whether the query or the visibility has checks that only
// the row itself answers.
func needsRow(q *Query, vis Visibility) bool {
	return q.Principals != nil || q.Search != "" || q.Scopes != nil || len(vis.Own) > 0 || len(q.AllOf) > 0 || len(q.AnyOf) > 0 ||
		q.Created.set() || q.Expires.set() || q.LastUsed.set() || q.PolicyViolation != nil
}

// Matches says whether a row passes every filter of the query.
func (q *Query) Matches(r *readmodel.Row) bool {
	switch {
	case q.Namespaces != nil && !q.Namespaces[r.Namespace],
		q.Types != nil && !q.Types[r.Type()],
		q.Statuses != nil && !q.Statuses[r.Status()],
		q.Principals != nil && !q.Principals[r.LowerPrincipal()],
		len(scope.Missing(r.Scopes, q.Scopes)) > 0,
		!q.Created.contains(r.Created), !q.Expires.contains(r.Expires), !q.LastUsed.contains(r.LastUsed),
		q.PolicyViolation != nil && *q.PolicyViolation != (len(r.PolicyViolations()) > 0):
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
