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
	"fmt"
	"net/url"
	"strings"
	"testing"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

func TestParseListErrors(t *testing.T) {
	cases := map[string]struct {
		query     string
		parameter string
		message   string
	}{
		"negative page":          {"page=-1", "page", "≥ 0"},
		"page not a number":      {"page=two", "page", "whole number"},
		"pageSize over max":      {"pageSize=1001", "pageSize", "from 1 to 1000"},
		"pageSize zero":          {"pageSize=0", "pageSize", "from 1 to 1000"},
		"unknown sort":           {"sort=color", "sort", "unknown sort field \"color\""},
		"unknown order":          {"order=UP", "order", "use ASC or DESC"},
		"unparsable date":        {"createdFrom=yesterday", "createdFrom", "is not a date"},
		"from after to":          {"expiresFrom=2000&expiresTo=1000", "expiresFrom", "is after expiresTo"},
		"unknown type":           {"type=ROBOT", "type", "unknown token type \"ROBOT\""},
		"unknown status":         {"status=ACTIVE,GONE", "status", "unknown token status \"GONE\""},
		"unknown parameter":      {"limit=5", "limit", "unknown parameter"},
		"lastUsed from after to": {"lastUsedFrom=2026-02-01T00:00:00Z&lastUsedTo=2026-01-01T00:00:00Z", "lastUsedFrom", "is after"},
		"namespace not a label":  {"namespace=team-a,Team_B", "namespace", "\"Team_B\" is not a namespace name"},
		"too many namespaces":    {"namespace=" + namespaces(101), "namespace", "names 101 namespaces: at most 100"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.query)
			_, err := ParseList(v)
			pe, ok := err.(*ParamError)
			if !ok || pe.Parameter != tc.parameter || !strings.Contains(pe.Message, tc.message) {
				t.Fatalf("ParseList(%s) = %v, want a ParamError on %s containing %q", tc.query, err, tc.parameter, tc.message)
			}
		})
	}
}

func TestParseList(t *testing.T) {
	v, _ := url.ParseQuery("namespace=a,b&namespace=c&type=API_CLIENT&type=user&status=active&principal=Alice&search=Deploy" +
		"&createdFrom=1767225600000&createdTo=2026-02-01T00:00:00Z&sort=EXPIRATIONDATE&order=desc&page=2&pageSize=50")
	q, err := ParseList(v)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case len(q.Namespaces) != 3 || !q.Namespaces["b"]:
		t.Fatalf("namespaces = %v", q.Namespaces)
	case !q.Types[authv1alpha1.TokenTypeApiClient] || !q.Types[authv1alpha1.TokenTypeUser] || len(q.Types) != 2:
		t.Fatalf("types = %v", q.Types)
	case !q.Statuses[authv1alpha1.TokenStatusActive]:
		t.Fatalf("statuses = %v", q.Statuses)
	case !q.Principals["alice"] || q.Search != "deploy":
		t.Fatalf("principals %v search %q", q.Principals, q.Search)
	case q.Created.From != 1767225600000 || q.Created.To != 1769904000000:
		t.Fatalf("created = %+v", q.Created)
	case q.Sort != readmodel.SortExpirationDate || !q.Descending || q.Page != 2 || q.PageSize != 50:
		t.Fatalf("paging = %s desc=%v page %d size %d", q.Sort, q.Descending, q.Page, q.PageSize)
	}
	d, err := ParseList(url.Values{})
	if err != nil || d.Sort != readmodel.SortCreationDate || d.Descending || d.Page != 0 || d.PageSize != DefaultPageSize {
		t.Fatalf("defaults = %+v, %v", d, err)
	}
}

func TestParseBody(t *testing.T) {
	cases := map[string]struct {
		body      string
		parameter string
		message   string
	}{
		"malformed JSON":      {`{"searchTerms":`, "body", "malformed JSON"},
		"not an object":       {`[1,2]`, "body", "must be"},
		"unknown top field":   {`{"filter":{}}`, "body", "unknown field \"filter\""},
		"unknown term field":  {`{"searchTerms":{"allOf":[{"field":"COLOR","terms":["x"]}]}}`, "searchTerms.allOf[0].field", "unknown field \"COLOR\""},
		"unknown operator":    {`{"searchTerms":{"anyOf":[{"field":"NAME","terms":["x"],"operator":"REGEX"}]}}`, "searchTerms.anyOf[0].operator", "unknown operator \"REGEX\""},
		"no terms":            {`{"searchTerms":{"allOf":[{"field":"NAME","terms":[]}]}}`, "searchTerms.allOf[0].terms", "at least one"},
		"unknown type filter": {`{"filters":{"tokenType":["ROBOT"]}}`, "filters.tokenType", "unknown token type"},
		"bad date filter":     {`{"filters":{"createdFrom":"soon"}}`, "filters.createdFrom", "is not a date"},
		"two values":          {`{} {}`, "body", "more than one JSON value"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseBody(url.Values{}, []byte(tc.body))
			pe, ok := err.(*ParamError)
			if !ok || pe.Parameter != tc.parameter || !strings.Contains(pe.Message, tc.message) {
				t.Fatalf("ParseBody = %v, want a ParamError on %s containing %q", err, tc.parameter, tc.message)
			}
		})
	}

	q, err := ParseBody(url.Values{"pageSize": {"5"}}, []byte(
		`{"searchTerms":{"allOf":[{"field":"TOKEN_NAME","terms":["Automation"],"operator":"LIKE"}],"anyOf":[]},"filters":{"tokenType":["API_CLIENT","USER"],"tokenStatus":["ACTIVE","EXPIRED"],"createdFrom":1767225600000}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(q.AllOf) != 1 || q.AllOf[0].Terms[0] != "automation" || len(q.Types) != 2 || len(q.Statuses) != 2 || q.PageSize != 5 || q.Created.From != 1767225600000 {
		t.Fatalf("parsed %+v", q)
	}
}

func TestParseV2(t *testing.T) {
	q, err := ParseV2(url.Values{"types": {"TEAM"}, "limit": {"20"}, "fromDate": {"1000"}, "toDate": {"2000"}, "sort": {"name"}})
	if err != nil {
		t.Fatal(err)
	}
	if !q.Types[authv1alpha1.TokenTypeTeam] || q.PageSize != 20 || q.Created != (Range{1000, 2000}) || q.Sort != readmodel.SortName {
		t.Fatalf("parsed %+v", q)
	}
	if _, err := ParseV2(url.Values{"limit": {"5000"}}); err == nil || err.(*ParamError).Parameter != "limit" {
		t.Fatalf("limit over max: %v", err)
	}
}

// namespaces is a filter naming n namespaces.
func namespaces(n int) string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("ns-%d", i)
	}
	return strings.Join(names, ",")
}

func TestParseNamespaceLimit(t *testing.T) {
	v, _ := url.ParseQuery("namespace=" + namespaces(100))
	if q, err := ParseList(v); err != nil || len(q.Namespaces) != 100 {
		t.Fatalf("100 namespaces: %v, %d parsed", err, len(q.Namespaces))
	}
	_, err := ParseBody(nil, []byte(`{"filters": {"namespaces": ["a", "b.c"]}}`))
	if pe, ok := err.(*ParamError); !ok || pe.Parameter != "filters.namespaces" || !strings.Contains(pe.Message, `"b.c" is not a namespace name`) {
		t.Fatalf("ParseBody with a dotted namespace = %v, want a ParamError on filters.namespaces", err)
	}
}
