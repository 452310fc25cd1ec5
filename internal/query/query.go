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
	"strings"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// SortField is a field results can be sorted by.
type SortField string

// Sort fields, as the API spells them.
const (
	SortCreationDate   SortField = "creationDate"
	SortExpirationDate SortField = "expirationDate"
	SortLastUsedDate   SortField = "lastUsedDate"
	SortName           SortField = "name"
	SortPrincipal      SortField = "principal"
	SortTTL            SortField = "apiTokenTtl"
)

var sortFields = []SortField{SortCreationDate, SortExpirationDate, SortLastUsedDate, SortName, SortPrincipal, SortTTL}

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
	// Search is a lower-cased substring of name, displayName, principal or description.
	Search                     string
	AllOf, AnyOf               []Term
	Created, Expires, LastUsed Range
	Sort                       SortField
	Descending                 bool
	Page, PageSize             int
}

// Range is an inclusive range of epoch milliseconds; null ends are open.
type Range struct{ From, To int64 }

func openRange() Range { return Range{From: null, To: null} }

func (r Range) set() bool { return r.From != null || r.To != null }

func (r Range) contains(v int64) bool {
	if !r.set() {
		return true
	}
	return v != null && (r.From == null || v >= r.From) && (r.To == null || v <= r.To)
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
	return Query{Sort: SortCreationDate, PageSize: DefaultPageSize, Created: openRange(), Expires: openRange(), LastUsed: openRange()}
}

// ParamError is bad input: the parameter and the rule it breaks.
type ParamError struct {
	Parameter string
	Message   string
}

func (e *ParamError) Error() string { return e.Parameter + ": " + e.Message }

func paramErr(param, format string, args ...any) *ParamError {
	return &ParamError{Parameter: param, Message: fmt.Sprintf(format, args...)}
}

// normalize folds the spellings clients use for enum values ("API_CLIENT",
// "api-client", "ApiClient", "user") into one key.
func normalize(s string) string {
	return strings.NewReplacer("_", "", "-", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(s)))
}

var (
	typeByKey   = map[string]authv1alpha1.TokenType{}
	statusByKey = map[string]authv1alpha1.TokenStatus{}
	typeNames   = []authv1alpha1.TokenType{authv1alpha1.TokenTypeUser, authv1alpha1.TokenTypeTeam, authv1alpha1.TokenTypeSession,
		authv1alpha1.TokenTypeWorkflow, authv1alpha1.TokenTypeGlobal, authv1alpha1.TokenTypeApiClient}
	statusNames = []authv1alpha1.TokenStatus{authv1alpha1.TokenStatusPending, authv1alpha1.TokenStatusActive,
		authv1alpha1.TokenStatusExpired, authv1alpha1.TokenStatusRevoked, authv1alpha1.TokenStatusFailed}
)

func init() {
	for _, t := range typeNames {
		typeByKey[normalize(string(t))] = t
	}
	for _, s := range statusNames {
		statusByKey[normalize(string(s))] = s
	}
}

// APIName spells an enum value the way token-management REST APIs do: API_CLIENT, USER, ACTIVE.
func APIName[T ~string](v T) string {
	var b strings.Builder
	for i, c := range string(v) {
		if i > 0 && c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(c)
	}
	return strings.ToUpper(b.String())
}

func parseType(param, v string) (authv1alpha1.TokenType, error) {
	if t, ok := typeByKey[normalize(v)]; ok {
		return t, nil
	}
	return "", paramErr(param, "unknown token type %q: use one of USER, TEAM, SESSION, WORKFLOW, GLOBAL, API_CLIENT", v)
}

func parseStatus(param, v string) (authv1alpha1.TokenStatus, error) {
	if s, ok := statusByKey[normalize(v)]; ok {
		return s, nil
	}
	return "", paramErr(param, "unknown token status %q: use one of PENDING, ACTIVE, EXPIRED, REVOKED, FAILED", v)
}
