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

// Package query answers token queries from the read model: it parses the
// parameters and bodies of the list endpoints into one typed Query (pure,
// every error names its parameter), runs it over a read-model snapshot
// (filter, sort, page, total count) and shapes the response. It knows
// nothing of HTTP; internal/queryapi serves it.
package query

import (
	"fmt"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// Paging limits.
const (
	DefaultPageSize = 10
	MaxPageSize     = 1000
)

// Query is a parsed, validated request: every list endpoint parses into one.
type Query struct {
	Namespaces map[string]bool
	Types      map[authv1alpha1.TokenType]bool
	// Principals holds lower-cased principals (matched case-insensitively).
	Principals map[string]bool
	Statuses   map[authv1alpha1.TokenStatus]bool
	// Scopes must all be covered by a token's scopes (scope.Covers).
	Scopes []string
	// Search is a lower-cased substring of name, displayName, principal or description.
	Search                     string
	AllOf, AnyOf               []Term
	Created, Expires, LastUsed Range
	// PolicyViolation, when set, keeps the rows that break an
	// ApiTokenPolicy's rule (true) or those that break none (false).
	PolicyViolation *bool
	Sort            readmodel.SortField
	Descending      bool
	Page, PageSize  int
}

// Range is an inclusive range of epoch milliseconds; null ends are open.
type Range struct{ From, To int64 }

func openRange() Range { return Range{From: readmodel.Null, To: readmodel.Null} }

func (r Range) set() bool { return r.From != readmodel.Null || r.To != readmodel.Null }

func (r Range) contains(v int64) bool {
	if !r.set() {
		return true
	}
	return v != readmodel.Null && (r.From == readmodel.Null || v >= r.From) && (r.To == readmodel.Null || v <= r.To)
}

// Term is one search term of the POST query body.
type Term struct {
	Field    TermField
	Operator Operator
	// Terms are lower-cased; the term matches when any of them does.
	Terms []string
}

// TermField is a field a search term looks at.
type TermField string

// Search term fields.
const (
	FieldTokenName   TermField = "TOKEN_NAME"
	FieldPrincipal   TermField = "PRINCIPAL_NAME"
	FieldClientID    TermField = "CLIENT_ID"
	FieldDescription TermField = "TOKEN_DESCRIPTION"
	FieldNamespace   TermField = "NAMESPACE"
	FieldName        TermField = "NAME"
)

var termFields = []TermField{FieldTokenName, FieldPrincipal, FieldClientID, FieldDescription, FieldNamespace, FieldName}

// Operator is how a search term compares.
type Operator string

// Operators.
const (
	OpLike       Operator = "LIKE"
	OpEquals     Operator = "EQUALS"
	OpStartsWith Operator = "STARTS_WITH"
)

var operators = []Operator{OpLike, OpEquals, OpStartsWith}

// NewQuery is a query with the defaults: everything, by creationDate ascending, first page of 10.
func NewQuery() Query {
	return Query{Sort: readmodel.SortCreationDate, PageSize: DefaultPageSize, Created: openRange(), Expires: openRange(), LastUsed: openRange()}
}

// ParamError is bad input: the parameter and the rule it breaks.
type ParamError struct {
	Parameter string
	Message   string
}

func (e *ParamError) Error() string { return e.Parameter + ": " + e.Message }

// ParameterName is the parameter, for the error shape's "parameter".
func (e *ParamError) ParameterName() string { return e.Parameter }

func paramErr(param, format string, args ...any) *ParamError {
	return &ParamError{Parameter: param, Message: fmt.Sprintf(format, args...)}
}

func parseType(param, v string) (authv1alpha1.TokenType, error) {
	if t, ok := authv1alpha1.ParseEnum(authv1alpha1.TokenTypes, v); ok {
		return t, nil
	}
	return "", paramErr(param, "unknown token type %q: use one of %s", v, authv1alpha1.APINames(authv1alpha1.TokenTypes))
}

func parseStatus(param, v string) (authv1alpha1.TokenStatus, error) {
	if s, ok := authv1alpha1.ParseEnum(authv1alpha1.TokenStatuses, v); ok {
		return s, nil
	}
	return "", paramErr(param, "unknown token status %q: use one of %s", v, authv1alpha1.APINames(authv1alpha1.TokenStatuses))
}
