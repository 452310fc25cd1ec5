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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/jsonbody"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
)

// MaxBodyBytes is the largest POST body the query endpoint accepts; the
// HTTP layer enforces it before parsing.
const MaxBodyBytes = 1 << 20

// ParseList parses the parameters of GET /api/v1/tokens.
func ParseList(v url.Values) (Query, error) {
	q := NewQuery()
	if err := rejectUnknown(v, "namespace", "type", "principal", "status", "scope", "search", "createdFrom", "createdTo",
		"expiresFrom", "expiresTo", "lastUsedFrom", "lastUsedTo", "policyViolation", "sort", "order", "page", "pageSize"); err != nil {
		return q, err
	}
	var err error
	if q.Namespaces, err = namespaceSet("namespace", list(v["namespace"])); err != nil {
		return q, err
	}
	if q.Types, err = typeSet("type", list(v["type"])); err != nil {
		return q, err
	}
	q.Principals = stringSet(list(v["principal"]), true)
	if q.Statuses, err = statusSet("status", list(v["status"])); err != nil {
		return q, err
	}
	if q.Scopes, err = scopeList("scope", list(v["scope"])); err != nil {
		return q, err
	}
	q.Search = strings.ToLower(v.Get("search"))
	for _, r := range []struct {
		from, to string
		into     *Range
	}{{"createdFrom", "createdTo", &q.Created}, {"expiresFrom", "expiresTo", &q.Expires}, {"lastUsedFrom", "lastUsedTo", &q.LastUsed}} {
		if *r.into, err = parseRange(r.from, v.Get(r.from), r.to, v.Get(r.to)); err != nil {
			return q, err
		}
	}
	if raw, ok := v["policyViolation"]; ok {
		b, err := strconv.ParseBool(raw[0])
		if err != nil || len(raw) > 1 {
			return q, paramErr("policyViolation", "must be true or false, once")
		}
		q.PolicyViolation = &b
	}
	return q, parsePaging(&q, v, "pageSize")
}

// ParseV2 parses GET /api/v2/token/query: types, principals, limit, page,
// order, sort, fromDate, toDate (epoch ms on creationDate).
func ParseV2(v url.Values) (Query, error) {
	q := NewQuery()
	if err := rejectUnknown(v, "types", "principals", "limit", "page", "order", "sort", "fromDate", "toDate"); err != nil {
		return q, err
	}
	var err error
	if q.Types, err = typeSet("types", list(v["types"])); err != nil {
		return q, err
	}
	q.Principals = stringSet(list(v["principals"]), true)
	if q.Created, err = parseRange("fromDate", v.Get("fromDate"), "toDate", v.Get("toDate")); err != nil {
		return q, err
	}
	return q, parsePaging(&q, v, "limit")
}

// Body is the POST /api/v1/tokens/query request.
type Body struct {
	SearchTerms *struct {
		AllOf []BodyTerm `json:"allOf"`
		AnyOf []BodyTerm `json:"anyOf"`
	} `json:"searchTerms"`
	Filters *struct {
		TokenType    []string  `json:"tokenType"`
		TokenStatus  []string  `json:"tokenStatus"`
		Principals   []string  `json:"principals"`
		Namespaces   []string  `json:"namespaces"`
		Scopes       []string  `json:"scopes"`
		CreatedFrom  DateParam `json:"createdFrom"`
		CreatedTo    DateParam `json:"createdTo"`
		ExpiresFrom  DateParam `json:"expiresFrom"`
		ExpiresTo    DateParam `json:"expiresTo"`
		LastUsedFrom DateParam `json:"lastUsedFrom"`
		LastUsedTo   DateParam `json:"lastUsedTo"`
	} `json:"filters"`
}

// BodyTerm is one search term as sent.
type BodyTerm struct {
	Field    string   `json:"field"`
	Terms    []string `json:"terms"`
	Operator string   `json:"operator"`
}

// DateParam is a date sent as epoch milliseconds or an RFC 3339 string.
type DateParam struct{ raw string }

// UnmarshalJSON keeps the raw value; it is parsed with the parameter's name.
func (d *DateParam) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		d.raw = s
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("must be epoch milliseconds or an RFC 3339 string")
	}
	d.raw = n.String()
	return nil
}

// ParseBody parses POST /api/v1/tokens/query: paging in the URL, the search
// in the body (read in full, at most MaxBodyBytes, by the caller).
func ParseBody(v url.Values, raw []byte) (Query, error) {
	q := NewQuery()
	if err := rejectUnknown(v, "page", "pageSize", "sort", "order"); err != nil {
		return q, err
	}
	if err := parsePaging(&q, v, "pageSize"); err != nil {
		return q, err
	}
	var b Body
	var err error
	if len(bytes.TrimSpace(raw)) > 0 {
		switch err := jsonbody.Decode(raw, &b); {
		case errors.Is(err, jsonbody.ErrTrailing):
			return q, paramErr("body", "%s", err.Error())
		case err != nil:
			return q, paramErr("body", "is not a valid query: %s", jsonbody.Problem(err))
		}
	}
	if st := b.SearchTerms; st != nil {
		if q.AllOf, err = parseTerms("searchTerms.allOf", st.AllOf); err != nil {
			return q, err
		}
		if q.AnyOf, err = parseTerms("searchTerms.anyOf", st.AnyOf); err != nil {
			return q, err
		}
	}
	if f := b.Filters; f != nil {
		if q.Types, err = typeSet("filters.tokenType", f.TokenType); err != nil {
			return q, err
		}
		if q.Statuses, err = statusSet("filters.tokenStatus", f.TokenStatus); err != nil {
			return q, err
		}
		q.Principals = stringSet(f.Principals, true)
		if q.Namespaces, err = namespaceSet("filters.namespaces", f.Namespaces); err != nil {
			return q, err
		}
		if q.Scopes, err = scopeList("filters.scopes", f.Scopes); err != nil {
			return q, err
		}
		for _, r := range []struct {
			from, to string
			fromV    DateParam
			toV      DateParam
			into     *Range
		}{
			{"filters.createdFrom", "filters.createdTo", f.CreatedFrom, f.CreatedTo, &q.Created},
			{"filters.expiresFrom", "filters.expiresTo", f.ExpiresFrom, f.ExpiresTo, &q.Expires},
			{"filters.lastUsedFrom", "filters.lastUsedTo", f.LastUsedFrom, f.LastUsedTo, &q.LastUsed},
		} {
			if *r.into, err = parseRange(r.from, r.fromV.raw, r.to, r.toV.raw); err != nil {
				return q, err
			}
		}
	}
	return q, nil
}

func parseTerms(param string, in []BodyTerm) ([]Term, error) {
	out := make([]Term, 0, len(in))
	for i, t := range in {
		p := fmt.Sprintf("%s[%d]", param, i)
		field := TermField(strings.ToUpper(strings.TrimSpace(t.Field)))
		if !slices.Contains(termFields, field) {
			return nil, paramErr(p+".field", "unknown field %q: use one of %s", t.Field, joinAny(termFields))
		}
		op := Operator(strings.ToUpper(strings.TrimSpace(t.Operator)))
		if op == "" {
			op = OpLike
		}
		if !slices.Contains(operators, op) {
			return nil, paramErr(p+".operator", "unknown operator %q: use one of %s", t.Operator, joinAny(operators))
		}
		if len(t.Terms) == 0 {
			return nil, paramErr(p+".terms", "must hold at least one term")
		}
		terms := make([]string, len(t.Terms))
		for j, s := range t.Terms {
			terms[j] = strings.ToLower(s)
		}
		out = append(out, Term{Field: field, Operator: op, Terms: terms})
	}
	return out, nil
}

func parsePaging(q *Query, v url.Values, sizeParam string) error {
	if s := v.Get("sort"); s != "" {
		i := slices.IndexFunc(readmodel.SortFields, func(f readmodel.SortField) bool { return strings.EqualFold(string(f), s) })
		if i < 0 {
			return paramErr("sort", "unknown sort field %q: use one of %s", s, joinAny(readmodel.SortFields))
		}
		q.Sort = readmodel.SortFields[i]
	}
	switch o := strings.ToUpper(v.Get("order")); o {
	case "", "ASC":
	case "DESC":
		q.Descending = true
	default:
		return paramErr("order", "unknown order %q: use ASC or DESC", v.Get("order"))
	}
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return paramErr("page", "must be a whole number ≥ 0 (pages count from 0), got %q", s)
		}
		q.Page = n
	}
	if s := v.Get(sizeParam); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageSize {
			return paramErr(sizeParam, "must be a whole number from 1 to %d, got %q", MaxPageSize, s)
		}
		q.PageSize = n
	}
	return nil
}

func parseRange(fromParam, from, toParam, to string) (Range, error) {
	r := openRange()
	var err error
	if r.From, err = parseDate(fromParam, from); err != nil {
		return r, err
	}
	if r.To, err = parseDate(toParam, to); err != nil {
		return r, err
	}
	if r.From != readmodel.Null && r.To != readmodel.Null && r.From > r.To {
		return r, paramErr(fromParam, "is after %s", toParam)
	}
	return r, nil
}

// parseDate accepts epoch milliseconds or RFC 3339; empty is readmodel.Null.
func parseDate(param, s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return readmodel.Null, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return readmodel.Null, paramErr(param, "%q is not a date: use epoch milliseconds (1767225600000) or RFC 3339 (2026-01-01T00:00:00Z)", s)
	}
	return t.UnixMilli(), nil
}

func rejectUnknown(v url.Values, known ...string) error {
	for k := range v {
		if k == "" {
			return paramErr("query", "has a parameter with an empty name")
		}
		if !slices.Contains(known, k) {
			return paramErr(k, "unknown parameter: use %s", strings.Join(known, ", "))
		}
	}
	return nil
}

// list splits repeated and comma-separated values.
func list(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// MaxNamespaces is how many namespaces one query may name: each may cost
// an authorization question.
const MaxNamespaces = 100

// namespaceSet is a namespace filter: at most MaxNamespaces names, each one
// a namespace could have (a DNS-1123 label).
func namespaceSet(param string, vals []string) (map[string]bool, error) {
	set := stringSet(vals, false)
	if len(set) > MaxNamespaces {
		return nil, paramErr(param, "names %d namespaces: at most %d are accepted in one query", len(set), MaxNamespaces)
	}
	for _, ns := range vals {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			return nil, paramErr(param, "%q is not a namespace name: %s", ns, errs[0])
		}
	}
	return set, nil
}

func stringSet(vals []string, lower bool) map[string]bool {
	if len(vals) == 0 {
		return nil
	}
	m := make(map[string]bool, len(vals))
	for _, v := range vals {
		if lower {
			v = strings.ToLower(v)
		}
		m[v] = true
	}
	return m
}

func typeSet(param string, vals []string) (map[authv1alpha1.TokenType]bool, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	m := map[authv1alpha1.TokenType]bool{}
	for _, v := range vals {
		t, err := parseType(param, v)
		if err != nil {
			return nil, err
		}
		m[t] = true
	}
	return m, nil
}

func statusSet(param string, vals []string) (map[authv1alpha1.TokenStatus]bool, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	m := map[authv1alpha1.TokenStatus]bool{}
	for _, v := range vals {
		s, err := parseStatus(param, v)
		if err != nil {
			return nil, err
		}
		m[s] = true
	}
	return m, nil
}

func joinAny[T ~string](vals []T) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// scopeList checks the scopes a query asks for; nil when none.
func scopeList(param string, in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if err := scope.Validate(in); err != nil {
		return nil, paramErr(param, "%s", err.Error())
	}
	return in, nil
}
