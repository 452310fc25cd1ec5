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

package httpserver

import (
	"net/http"

	"github.com/apitoken-io/apitoken-operator/docs/reference"
)

// OpenAPIPath is where the query listener serves its OpenAPI document.
const OpenAPIPath = "/openapi.json"

// OpenAPIRoute serves docs/reference/openapi.yaml as JSON, without
// authentication and before the caches sync: it describes the binary, not
// the cluster.
var OpenAPIRoute = Route{Pattern: "GET " + OpenAPIPath, Static: true, Handler: http.HandlerFunc(serveOpenAPI)}

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	doc, err := reference.OpenAPIJSON()
	if err != nil {
		WriteError(w, http.StatusInternalServerError, "the OpenAPI document cannot be served")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(doc)
}
