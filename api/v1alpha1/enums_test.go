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

import "testing"

func TestEnumSpellings(t *testing.T) {
	for in, want := range map[string]TokenType{
		"API_CLIENT": TokenTypeApiClient, "api-client": TokenTypeApiClient, "ApiClient": TokenTypeApiClient,
		" apiclient ": TokenTypeApiClient, "USER": TokenTypeUser, "workflow": TokenTypeWorkflow,
	} {
		if got, ok := ParseEnum(TokenTypes, in); !ok || got != want {
			t.Errorf("ParseEnum(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "API", "api_client_x", "Active"} {
		if got, ok := ParseEnum(TokenTypes, bad); ok {
			t.Errorf("ParseEnum(%q) = %q; want no match", bad, got)
		}
	}
	for _, typ := range TokenTypes {
		if got, ok := ParseEnum(TokenTypes, APIName(typ)); !ok || got != typ {
			t.Errorf("%s does not round-trip through %s", typ, APIName(typ))
		}
	}
	if got := APIName(TokenTypeApiClient); got != "API_CLIENT" {
		t.Errorf("APIName(ApiClient) = %s", got)
	}
	if got := APINames(TokenStatuses); got != "PENDING, ACTIVE, EXPIRED, REVOKED, FAILED" {
		t.Errorf("APINames(TokenStatuses) = %s", got)
	}
}
