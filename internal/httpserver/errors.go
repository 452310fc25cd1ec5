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
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/apitoken-io/apitoken-operator/internal/query"
)

// ErrorBody is the JSON APIs' error: what is wrong and, for bad input,
// the parameter or field. (The issuer answers in OAuth's shape, the
// sideband API in its own.)
type ErrorBody struct {
	Error     string `json:"error"`
	Parameter string `json:"parameter,omitempty"`
}

var (
	contentTypeJSON     = []string{"application/json"}
	cacheControlNoStore = []string{"no-store"}
)

// WriteJSON answers status with body, never cached: an answer may hold a
// token's value (once) or what a caller may see.
func WriteJSON(w http.ResponseWriter, status int, body any) {
	// The header values are shared, never modified (what Header.Set would
	// allocate per answer).
	h := w.Header()
	h["Content-Type"], h["Cache-Control"] = contentTypeJSON, cacheControlNoStore
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// WriteError answers status with {"error": msg}.
func WriteError(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, ErrorBody{Error: msg})
}

// parameterError is an error that names the parameter it is about
// (query.ParamError, selfservice.FieldError).
type parameterError interface {
	error
	ParameterName() string
}

// WriteBadInput answers 400 with the error and, when it names one, its
// parameter.
func WriteBadInput(w http.ResponseWriter, err error) {
	var pe parameterError
	if errors.As(err, &pe) {
		WriteJSON(w, http.StatusBadRequest, ErrorBody{Error: pe.Error(), Parameter: pe.ParameterName()})
		return
	}
	WriteJSON(w, http.StatusBadRequest, ErrorBody{Error: err.Error()})
}

// AuthorizationFailed answers 400 for a request past its review budget,
// asking to name namespaces, else 500 when the authorizer could not be
// asked; the reason goes to the log only.
func (a *Access) AuthorizationFailed(w http.ResponseWriter, u user.Info, err error) {
	if errors.Is(err, ErrTooManyReviews) {
		held := 0
		if a.NamespacesHeld != nil {
			held = a.NamespacesHeld()
		}
		WriteJSON(w, http.StatusBadRequest, ErrorBody{Parameter: "namespace", Error: fmt.Sprintf(
			"namespace: %s may see ApiTokens in few of the %d namespaces that hold them, and finding out which would ask more than %d authorization questions: "+
				"name the namespaces to look in (namespace=a,b; at most %d)", u.GetName(), held, MaxReviewsPerRequest, query.MaxNamespaces)})
		return
	}
	a.Log.Error(err, "Failed to authorize a request", "user", u.GetName())
	WriteError(w, http.StatusInternalServerError, "authorization failed")
}
