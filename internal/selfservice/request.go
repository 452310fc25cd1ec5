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

// Package selfservice turns the requests of the self-service token API into
// ApiTokens: it parses each body into a typed request (every error names its
// field and the rule broken), applies the rules of personal tokens, and
// builds the object to create or the change to make. It knows nothing of
// HTTP and talks to no API server; internal/writeapi authorizes the caller
// and carries the result out.
package selfservice

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/jsonbody"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
)

// MaxBodyBytes bounds every request body of the self-service API.
const MaxBodyBytes = 64 << 10

// FieldError is bad input: the field and the rule it breaks.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// ParameterName is the field, for the error shape's "parameter".
func (e *FieldError) ParameterName() string { return e.Field }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Metadata are the descriptive fields of a create or import request. Empty
// means absent.
type Metadata struct {
	Namespace   string
	Name        string
	Type        authv1alpha1.TokenType
	Principal   string
	DisplayName string
	Description string
	// TTL is zero when absent: the token never expires.
	TTL    time.Duration
	Scopes []string
}

// rawMetadata is Metadata as sent; ttl is read by each endpoint's rule.
type rawMetadata struct {
	Namespace   string   `json:"namespace"`
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Principal   string   `json:"principal"`
	DisplayName string   `json:"displayName"`
	Description string   `json:"description"`
	Scopes      []string `json:"scopes"`
}

func (m rawMetadata) parse(ttl time.Duration) (Metadata, error) {
	out := Metadata{Namespace: m.Namespace, Name: m.Name, Principal: m.Principal, DisplayName: m.DisplayName,
		Description: m.Description, TTL: ttl, Scopes: m.Scopes}
	if m.Type != "" {
		t, ok := authv1alpha1.ParseEnum(authv1alpha1.TokenTypes, m.Type)
		if !ok {
			return out, fieldErr("type", "unknown token type %q: use one of %s", m.Type, authv1alpha1.APINames(authv1alpha1.TokenTypes))
		}
		out.Type = t
	}
	if err := ValidateRef(m.Namespace, m.Name); err != nil {
		return out, err
	}
	if len(m.Scopes) > 0 {
		if err := scope.Validate(m.Scopes); err != nil {
			return out, fieldErr("scopes", "%s", err.Error())
		}
	}
	return out, nil
}

// parseDuration reads an optional Go duration ("720h") of a field: at
// least min, and no more than Go can hold.
func parseDuration(field string, s *string, min time.Duration) (time.Duration, error) {
	if s == nil || *s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(*s)
	if err != nil {
		return 0, fieldErr(field, "%q is not a duration: use a Go duration such as \"720h\" or \"30m\"", *s)
	}
	if d < min {
		return 0, fieldErr(field, "%s is too short: at least %s", *s, min)
	}
	return d, nil
}

// decode reads exactly one JSON object into v, refusing unknown fields. An
// empty body is an empty object when emptyOK.
func decode(raw []byte, v any, shape string, emptyOK bool) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		if emptyOK {
			return nil
		}
		return fieldErr("body", "is empty: send %s", shape)
	}
	switch err := jsonbody.Decode(raw, v); {
	case errors.Is(err, jsonbody.ErrTrailing):
		return fieldErr("body", "%s", err.Error())
	case err != nil:
		field := jsonbody.Field(err)
		if field == "" {
			field = "body"
		}
		return fieldErr(field, "%s; send %s", jsonbody.Problem(err), shape)
	}
	return nil
}

// ValidateRef checks a namespace and an ApiToken name as the API server
// would (either may be empty: then it is not checked), before anything is
// asked about them: a name that cannot exist costs no authorization
// question.
func ValidateRef(namespace, name string) error {
	if namespace != "" {
		if errs := validation.IsDNS1123Label(namespace); len(errs) > 0 {
			return fieldErr("namespace", "%q is not a namespace name: %s", namespace, errs[0])
		}
	}
	if name != "" {
		if errs := validation.IsDNS1123Subdomain(name); len(errs) > 0 {
			return fieldErr("name", "%q is not a valid name: %s", name, errs[0])
		}
	}
	return nil
}
