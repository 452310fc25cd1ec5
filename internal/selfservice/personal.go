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

package selfservice

import (
	"fmt"
	"strings"
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
)

// DefaultMaxPersonalTTL is --self-service-max-ttl's default: a year.
const DefaultMaxPersonalTTL = 8760 * time.Hour

// Forbidden is a request the caller's permission does not cover; the
// message names what is missing.
type Forbidden struct{ Message string }

func (e *Forbidden) Error() string { return e.Message }

// Defaults fills what a request may leave out: the type is USER and the
// principal is the caller.
func (m *Metadata) Defaults(user string) {
	if m.Type == "" {
		m.Type = authv1alpha1.TokenTypeUser
	}
	if m.Principal == "" {
		m.Principal = user
	}
}

// Personal checks m against the rules of a personal token for user (who
// holds only create on apitokens/self): type USER, principal user, a ttl
// of at most rules.MaxTTL, only scopes that rules.Scopes covers (services
// authorize by scope, so a person may not grant themselves any). It applies
// Defaults first. The error is a *Forbidden for what the permission does
// not cover, a *FieldError for a bad ttl.
func (m *Metadata) Personal(user string, rules Rules) error {
	m.Defaults(user)
	for _, s := range m.Scopes {
		if !scope.Covers(rules.Scopes, s) {
			return &Forbidden{fmt.Sprintf("a personal token may carry only the scopes %s allows (%s), not %q: a token with other scopes needs create on apitokens.auth.apitoken.io in namespace %q",
				rules.ScopesFrom, describeScopes(rules.Scopes), s, m.Namespace)}
		}
	}
	switch {
	case m.Type != authv1alpha1.TokenTypeUser:
		return &Forbidden{fmt.Sprintf("%s may create personal tokens only (type USER, not %s): a token of another type needs create on apitokens.auth.apitoken.io in namespace %q",
			user, authv1alpha1.APIName(m.Type), m.Namespace)}
	case m.Principal != user:
		return &Forbidden{fmt.Sprintf("%s may create personal tokens for %s only, not for %q: a token for someone else needs create on apitokens.auth.apitoken.io in namespace %q",
			user, user, m.Principal, m.Namespace)}
	case m.TTL == 0:
		return fieldErr("ttl", "is required for a personal token (at most %s)", formatDuration(rules.MaxTTL))
	case m.TTL > rules.MaxTTL:
		return fieldErr("ttl", "%s is longer than a personal token may live: at most %s (%s)", formatDuration(m.TTL), formatDuration(rules.MaxTTL), rules.MaxTTLFrom)
	}
	return nil
}

// formatDuration prints whole hours as "8760h", not "8760h0m0s".
func formatDuration(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

func describeScopes(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " ")
}

// ParseScopeList reads --self-service-scopes: comma-separated scopes, each
// by the rule of spec.scopes.
func ParseScopeList(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out, scope.Validate(out)
}
