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

// Package reference embeds the OpenAPI document of the operator's HTTP APIs
// (openapi.yaml, the one source), so that the binary serves the same
// document the docs publish and the HTTP test suite validates against.
package reference

import (
	_ "embed"
	"fmt"
	"sync"

	"sigs.k8s.io/yaml"
)

// OpenAPIYAML is docs/reference/openapi.yaml as written.
//
//go:embed openapi.yaml
var OpenAPIYAML []byte

// openAPIJSON converts the document once: it never changes at run time.
var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	out, err := yaml.YAMLToJSON(OpenAPIYAML)
	if err != nil {
		return nil, fmt.Errorf("converting openapi.yaml to JSON: %w", err)
	}
	return out, nil
})

// OpenAPIJSON is the document as JSON, as the query listener serves it at
// /openapi.json. Callers must not modify the slice.
func OpenAPIJSON() ([]byte, error) { return openAPIJSON() }
