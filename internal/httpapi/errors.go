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

package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
)

// errorBody is the one error shape of every JSON endpoint: what is wrong and,
// for bad input, the parameter that breaks a rule.
type errorBody struct {
	Error     string `json:"error"`
	Parameter string `json:"parameter,omitempty"`
}

var (
	contentTypeJSON     = []string{"application/json"}
	cacheControlNoStore = []string{"no-store"}
)

// writeJSON writes a JSON response that no cache may keep.
func writeJSON(w http.ResponseWriter, status int, body any) {
	// The header values are shared, never modified (what Header.Set would
	// allocate per answer).
	h := w.Header()
	h["Content-Type"], h["Cache-Control"] = contentTypeJSON, cacheControlNoStore
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// writeError answers with the error shape.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// parameterError is bad input that names its parameter or field
// (query.ParamError, selfservice.FieldError).
type parameterError interface {
	error
	ParameterName() string
}

// writeBadInput answers 400, naming the parameter when err knows it.
func writeBadInput(w http.ResponseWriter, err error) {
	var pe parameterError
	if errors.As(err, &pe) {
		writeJSON(w, http.StatusBadRequest, errorBody{Error: pe.Error(), Parameter: pe.ParameterName()})
		return
	}
	writeJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
}
