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

package testutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// OpenAPIValidator checks the responses a test's HTTP clients receive
// against an OpenAPI document, so that the document cannot drift from the
// handlers: a JSON answer on a path or method the document does not list,
// a status code it does not list for the operation, or a body that does not
// match the schema, is a failure. Paths under /console/ (HTML) and non-JSON
// answers on paths the document does not list are not checked. It is safe
// for concurrent use.
type OpenAPIValidator struct {
	router routers.Router

	mu       sync.Mutex
	failures []string
	checked  int
}

// NewOpenAPIValidator loads and validates doc (YAML or JSON). Routes match
// on the path alone: the document's server URLs (the listeners' addresses)
// do not matter, so that one validator serves every listener of a test.
func NewOpenAPIValidator(doc []byte) (*OpenAPIValidator, error) {
	t, err := openapi3.NewLoader().LoadFromData(doc)
	if err != nil {
		return nil, fmt.Errorf("loading the OpenAPI document: %w", err)
	}
	if err := t.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validating the OpenAPI document: %w", err)
	}
	t.Servers = nil
	for _, item := range t.Paths.Map() {
		item.Servers = nil
	}
	router, err := gorillamux.NewRouter(t)
	if err != nil {
		return nil, fmt.Errorf("routing the OpenAPI document: %w", err)
	}
	return &OpenAPIValidator{router: router}, nil
}

// Wrap returns a RoundTripper that checks every response rt returns. The
// caller reads the body as it would without the check.
func (v *OpenAPIValidator) Wrap(rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := rt.RoundTrip(req)
		if err != nil || req.Method == http.MethodHead || strings.HasPrefix(req.URL.Path, "/console/") {
			return resp, err
		}
		body, readErr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{readErr}))
		if readErr == nil {
			v.check(req, resp, body)
		}
		return resp, nil
	})
}

// Failures lists every response that broke the document, as
// "METHOD path → status: reason".
func (v *OpenAPIValidator) Failures() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]string(nil), v.failures...)
}

// Checked is how many responses were checked against the document.
func (v *OpenAPIValidator) Checked() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.checked
}

func (v *OpenAPIValidator) check(req *http.Request, resp *http.Response, body []byte) {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		// A path or method the document does not list: a failure when the
		// answer is JSON (an endpoint of ours), else someone else's answer
		// (the mux's 404 and 405, the forward-auth listener on any path).
		if isJSON(resp.Header.Get("Content-Type")) {
			v.fail(req, resp, "undocumented path or method: "+err.Error())
		} else {
			v.count()
		}
		return
	}
	v.count()
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		v.fail(req, resp, reason(err))
	}
}

func (v *OpenAPIValidator) count() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.checked++
}

func (v *OpenAPIValidator) fail(req *http.Request, resp *http.Response, why string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.checked++
	v.failures = append(v.failures, fmt.Sprintf("%s %s → %d: %s", req.Method, req.URL.Path, resp.StatusCode, why))
}

// reason is a failure on one line.
func reason(err error) string {
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) && re.Err != nil {
		return re.Reason + ": " + strings.Join(strings.Fields(re.Err.Error()), " ")
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}

// isJSON says whether a Content-Type is application/json or a +json type.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

// errReader replays a read error after the bytes read before it; nil is EOF.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
