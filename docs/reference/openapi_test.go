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

package reference_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/apitoken-io/apitoken-operator/docs/reference"
)

// TestOpenAPIDocumentIsValid loads the document as OpenAPI 3.1 and
// validates it, from the YAML and from the JSON the query listener serves.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	asJSON, err := reference.OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string][]byte{"yaml": reference.OpenAPIYAML, "json": asJSON} {
		t.Run(name, func(t *testing.T) {
			doc, err := openapi3.NewLoader().LoadFromData(raw)
			if err != nil {
				t.Fatalf("loading: %v", err)
			}
			if doc.OpenAPI != "3.1.0" || !doc.IsOpenAPI31OrLater() {
				t.Errorf("openapi is %q, want 3.1.0", doc.OpenAPI)
			}
			if err := doc.Validate(context.Background()); err != nil {
				t.Errorf("validating: %v", err)
			}
		})
	}
	var top map[string]any
	if err := json.Unmarshal(asJSON, &top); err != nil {
		t.Fatalf("the JSON form does not parse: %v", err)
	}
}
