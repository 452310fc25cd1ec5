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

package writeapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/request"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/grant"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// created is what a create request came to.
type created struct {
	tok   *authv1alpha1.ApiToken
	value token.Value // zero for a Secret-held token
}

// Create answers POST /api/v1/tokens: 201 {"token", "apiToken"} for a
// hash-only token, 201 {"apiToken"} for a Secret-held one.
func (s *API) Create(parse func([]byte) (selfservice.CreateRequest, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, ok := s.createToken(w, r, parse)
		if ok {
			s.respond(w, http.StatusCreated, c.tok, c.value)
		}
	}
}

// createToken parses, authorizes and carries out a create request, and
// waits (?wait=) until the token verifies in this replica's cache. false
// means it has answered.
func (s *API) createToken(w http.ResponseWriter, r *http.Request, parse func([]byte) (selfservice.CreateRequest, error)) (created, bool) {
	req, waitFor, ok := parseWrite(w, r, parse)
	if !ok {
		return created{}, false
	}
	u, _ := request.UserFrom(r.Context())
	if !s.mayCreate(w, r, u, &req.Metadata, req.Secret != nil) {
		return created{}, false
	}
	var c created
	if req.Secret == nil {
		var err error
		if c.value, err = s.Generator.Generate(req.Generate); err != nil {
			httpserver.WriteBadInput(w, &selfservice.FieldError{Field: "generate", Message: err.Error()})
			return created{}, false
		}
		c.tok = req.HashOnly(u.GetName(), c.value)
	} else {
		c.tok = req.SecretHeld(u.GetName())
	}
	if err := s.Writer.Create(r.Context(), c.tok); err != nil {
		s.WriteFailed(w, r, err)
		return created{}, false
	}
	s.Record(c.tok, EventCreated, u)
	if c.value.IsZero() {
		Await(r.Context(), waitFor, s.RowIs(c.tok, func(row *readmodel.Row) bool { return row.Status() == authv1alpha1.TokenStatusActive }))
	} else {
		Await(r.Context(), waitFor, s.Verifies(c.value))
	}
	return c, true
}

// mayCreate authorizes creating a token described by m in its namespace:
// with create on apitokens anything goes (type USER and the caller as
// principal by default); with create on apitokens/self only a personal,
// hash-only token of the caller with a bounded ttl. false means it has
// answered.
func (s *API) mayCreate(w http.ResponseWriter, r *http.Request, u user.Info, m *selfservice.Metadata, secretHeld bool) bool {
	g, err := grant.For(r.Context(), s.Access, u, "create", m.Namespace)
	if err != nil {
		s.Access.AuthorizationFailed(w, u, err)
		return false
	}
	switch g {
	case grant.None:
		httpserver.WriteError(w, http.StatusForbidden, grant.NotAllowed(u, "create", m.Namespace))
		return false
	case grant.Own:
		if strings.HasPrefix(u.GetName(), accesstoken.SubjectPrefix) {
			// An ApiToken (through TokenReview or an exchanged access token)
			// must not mint a personal token that outlives its own
			// revocation.
			httpserver.WriteError(w, http.StatusForbidden, u.GetName()+" is an ApiToken identity, and an ApiToken may not create personal tokens: a person creates them with their own Kubernetes credentials")
			return false
		}
		if secretHeld {
			httpserver.WriteError(w, http.StatusForbidden, u.GetName()+" may create personal tokens only, and they are hash-only: a Secret-held token needs create on apitokens.auth.apitoken.io in namespace \""+m.Namespace+"\"")
			return false
		}
		if !s.personalOK(r.Context(), w, u, m) {
			return false
		}
	default:
		m.Defaults(u.GetName())
	}
	return true
}

// personalOK checks m against the rules of a personal token of u: 403 for
// what apitokens/self does not cover, 400 for a bad ttl, 503 when the rules
// cannot be read. false means it has answered.
func (s *API) personalOK(ctx context.Context, w http.ResponseWriter, u user.Info, m *selfservice.Metadata) bool {
	rules, ok := s.personalRules(ctx, w)
	if !ok {
		return false
	}
	err := m.Personal(u.GetName(), rules)
	var forbidden *selfservice.Forbidden
	switch {
	case err == nil:
		return true
	case errors.As(err, &forbidden):
		httpserver.WriteError(w, http.StatusForbidden, forbidden.Message)
	default:
		httpserver.WriteBadInput(w, err)
	}
	return false
}

// personalRules reads the personal-token rules in force; when they cannot
// be read (the ConfigMap is missing or wrong) it answers 503 with why, as
// the admission policy refuses kubectl then.
func (s *API) personalRules(ctx context.Context, w http.ResponseWriter) (selfservice.Rules, bool) {
	rules, err := s.PersonalRules.Rules(ctx)
	if err != nil {
		s.Log.Error(err, "Refused a personal-token write: the rules cannot be read")
		httpserver.WriteError(w, http.StatusServiceUnavailable, err.Error())
		return selfservice.Rules{}, false
	}
	return rules, true
}
