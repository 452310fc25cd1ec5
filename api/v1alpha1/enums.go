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

package v1alpha1

import "strings"

// TokenTypes lists every TokenType, in the order of the CRD's enum.
var TokenTypes = []TokenType{TokenTypeUser, TokenTypeTeam, TokenTypeSession, TokenTypeWorkflow, TokenTypeGlobal, TokenTypeApiClient}

// TokenStatuses lists every TokenStatus, in the order of the CRD's enum.
var TokenStatuses = []TokenStatus{TokenStatusPending, TokenStatusActive, TokenStatusExpired, TokenStatusRevoked, TokenStatusFailed}

// Charsets lists every Charset, in the order of the CRD's enum.
var Charsets = []Charset{CharsetLowerAlphanumeric, CharsetAlphanumeric, CharsetHex, CharsetBase64URL}

// APIName spells an enum value the way token-management REST APIs do:
// ApiClient is API_CLIENT, Active is ACTIVE.
func APIName[T ~string](v T) string {
	if name, ok := apiNames[string(v)]; ok {
		return name
	}
	return apiName(string(v))
}

// apiNames are the API names of every enum value, computed once: the
// forward-auth hot path names the token's type on every answer.
var apiNames = func() map[string]string {
	names := map[string]string{}
	for _, all := range [][]string{enumStrings(TokenTypes), enumStrings(TokenStatuses), enumStrings(Charsets)} {
		for _, v := range all {
			names[v] = apiName(v)
		}
	}
	return names
}()

func enumStrings[T ~string](all []T) []string {
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = string(v)
	}
	return out
}

func apiName(v string) string {
	var b strings.Builder
	for i, c := range v {
		if i > 0 && c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
		}
		b.WriteRune(c)
	}
	return strings.ToUpper(b.String())
}

// ParseEnum finds the value of all that s names in any spelling clients
// use: "API_CLIENT", "api-client", "ApiClient", "apiclient".
func ParseEnum[T ~string](all []T, s string) (T, bool) {
	key := enumKey(s)
	for _, v := range all {
		if enumKey(string(v)) == key {
			return v, true
		}
	}
	var zero T
	return zero, false
}

// APINames spells every value of all with APIName, comma-separated, for
// error messages.
func APINames[T ~string](all []T) string {
	names := make([]string, len(all))
	for i, v := range all {
		names[i] = APIName(v)
	}
	return strings.Join(names, ", ")
}

// enumKey folds case, underscores, dashes and spaces away.
func enumKey(s string) string { return enumFolder.Replace(strings.ToLower(strings.TrimSpace(s))) }

// enumFolder is built once: a Replacer builds its tables on first use, which
// costs more than the rest of parsing a query.
var enumFolder = strings.NewReplacer("_", "", "-", "", " ", "")
