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

package flags

import (
	"strings"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
)

// EnumNames spells every value as the CRD does (User, ApiClient).
func EnumNames[T ~string](all []T) []string {
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = string(v)
	}
	return out
}

// JoinNames lists names for a help text or an error: "User, Team".
func JoinNames(names []string) string { return strings.Join(names, ", ") }

// TypeNames lists the token types.
func TypeNames() string { return JoinNames(EnumNames(authv1alpha1.TokenTypes)) }

// ParseType reads --type in any spelling (User, USER, api-client).
func ParseType(s string) (authv1alpha1.TokenType, error) {
	t, ok := authv1alpha1.ParseEnum(authv1alpha1.TokenTypes, s)
	if !ok {
		return "", clierrors.Usagef("--type %q: use one of %s", s, TypeNames())
	}
	return t, nil
}

// ParseCharset reads --charset in any spelling.
func ParseCharset(s string) (authv1alpha1.Charset, error) {
	c, ok := authv1alpha1.ParseEnum(authv1alpha1.Charsets, s)
	if !ok {
		return "", clierrors.Usagef("--charset %q: use one of %s", s, JoinNames(EnumNames(authv1alpha1.Charsets)))
	}
	return c, nil
}
