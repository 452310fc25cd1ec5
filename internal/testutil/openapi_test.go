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

package testutil_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

const tinyDoc = `
openapi: 3.1.0
info: {title: tiny, version: "1"}
servers: [{url: "https://elsewhere.example:9999"}]
paths:
  /things/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object, required: [id], additionalProperties: false, properties: {id: {type: string}}}
        "404":
          description: not found
          content:
            application/json:
              schema: {type: object, required: [error], properties: {error: {type: string}}}
`

func TestOpenAPIValidator(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/things/ok":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id": "ok"}`)
		case "/things/extra":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id": "x", "more": 1}`)
		case "/things/teapot":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTeapot)
			_, _ = io.WriteString(w, `{"error": "short and stout"}`)
		case "/console/x", "/text":
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<p>hi</p>")
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{}`)
		}
	}))
	defer srv.Close()
	v, err := testutil.NewOpenAPIValidator([]byte(tinyDoc))
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: v.Wrap(srv.Client().Transport)}
	for _, path := range []string{"/things/ok", "/things/extra", "/things/teapot", "/console/x", "/text", "/undocumented"} {
		resp, err := c.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if len(body) == 0 {
			t.Errorf("%s: the caller got no body", path)
		}
	}
	got := strings.Join(v.Failures(), "\n")
	for _, want := range []string{"GET /things/extra → 200: response body doesn't match schema", "GET /things/teapot → 418: status is not supported",
		"GET /undocumented → 200: undocumented path"} {
		if !strings.Contains(got, want) {
			t.Errorf("failures lack %q:\n%s", want, got)
		}
	}
	if n := len(v.Failures()); n != 3 {
		t.Errorf("%d failures, want 3:\n%s", n, got)
	}
}
