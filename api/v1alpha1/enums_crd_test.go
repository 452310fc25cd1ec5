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

package v1alpha1_test

import (
	"encoding/json"
	"slices"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// TestEnumListsMatchTheCRD keeps TokenTypes, TokenStatuses and Charsets, which the
// query API, verify and metrics use, equal to the enums the generated CRD
// enforces (from the kubebuilder markers).
func TestEnumListsMatchTheCRD(t *testing.T) {
	schema := generatedSchema(t)
	enum := func(p apiextensionsv1.JSONSchemaProps) []string {
		var out []string
		for _, v := range p.Enum {
			var s string
			if err := json.Unmarshal(v.Raw, &s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	var types, statuses []string
	for _, v := range authv1alpha1.TokenTypes {
		types = append(types, string(v))
	}
	for _, v := range authv1alpha1.TokenStatuses {
		statuses = append(statuses, string(v))
	}
	if got := enum(schema.Properties["spec"].Properties["type"]); !slices.Equal(got, types) {
		t.Errorf("the CRD's spec.type enum is %v, TokenTypes %v", got, types)
	}
	var charsets []string
	for _, v := range authv1alpha1.Charsets {
		charsets = append(charsets, string(v))
	}
	if got := enum(schema.Properties["spec"].Properties["source"].Properties["generate"].Properties["charset"]); !slices.Equal(got, charsets) {
		t.Errorf("the CRD's spec.source.generate.charset enum is %v, Charsets %v", got, charsets)
	}
	if got := enum(schema.Properties["status"].Properties["tokenStatus"]); !slices.Equal(got, statuses) {
		t.Errorf("the CRD's status.tokenStatus enum is %v, TokenStatuses %v", got, statuses)
	}
}
