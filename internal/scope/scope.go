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

// Package scope is the rule of an ApiToken's scopes: which strings are
// scopes, and which granted scopes cover a wanted one ("read:*" covers
// "read:reports"). Forward auth, the query filter, self-service requests
// and token exchange all ask it, so the rule lives in one place.
package scope

import (
	"fmt"
	"strings"
)

// Limits of spec.scopes, as the CRD enforces them.
const (
	MaxScopes = 64
	MaxLength = 128
)

// Reserved is the prefix of the scopes that grant the operator's own
// privileges (apitoken:self-rotate, apitoken:introspect): a token holds
// one only by its exact name, never through a wildcard, so that a "*"
// granted for a resource server's sake does not let a thief rotate the
// token and lock its owner out.
const Reserved = "apitoken:"

// Covers says whether the granted scopes cover wanted: one of them equals
// it, or ends in "*" and the rest of it is a prefix of wanted, unless
// wanted is Reserved.
func Covers(granted []string, wanted string) bool {
	reserved := strings.HasPrefix(wanted, Reserved)
	for _, g := range granted {
		if g == wanted {
			return true
		}
		if prefix, ok := strings.CutSuffix(g, "*"); ok && !reserved && strings.HasPrefix(wanted, prefix) {
			return true
		}
	}
	return false
}

// Missing returns the wanted scopes that granted does not cover, in order.
func Missing(granted, wanted []string) []string {
	var out []string
	for _, w := range wanted {
		if !Covers(granted, w) {
			out = append(out, w)
		}
	}
	return out
}

// Validate checks a list of scopes against the CRD's rule and names the
// first one that breaks it.
func Validate(scopes []string) error {
	if len(scopes) > MaxScopes {
		return fmt.Errorf("has %d scopes: at most %d are allowed", len(scopes), MaxScopes)
	}
	seen := make(map[string]bool, len(scopes))
	for i, s := range scopes {
		if err := validOne(s); err != nil {
			return fmt.Errorf("[%d]: %w", i, err)
		}
		if seen[s] {
			return fmt.Errorf("[%d]: %q is listed twice", i, s)
		}
		seen[s] = true
	}
	return nil
}

func validOne(s string) error {
	if s == "" || len(s) > MaxLength {
		return fmt.Errorf("must be 1 to %d characters long, got %d", MaxLength, len(s))
	}
	for _, c := range s {
		if !allowed(c) {
			return fmt.Errorf("%q has character %q: only A-Z a-z 0-9 and : . _ / * - are allowed", s, c)
		}
	}
	return nil
}

func allowed(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(":._/*-", c)
}
