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

// Package queryapi serves the query API from the informer cache: GET
// /api/v1/tokens, POST /api/v1/tokens/query, GET /api/v2/token/query and
// GET /api/v1/tokens/{namespace}/{name}. A caller sees the ApiTokens of the
// namespaces where they may list apitokens, and their own personal tokens
// where they may create apitokens/self.
package queryapi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/request"

	"github.com/apitoken-io/apitoken-operator/internal/grant"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// API is what the query API serves from.
type API struct {
	Model  *readmodel.Model
	Access *httpserver.Access
	// Links are the issuer's URLs a row names; empty without the issuer.
	Links query.Links
}

// Parser turns a request into a Query; false means it has answered.
type Parser func(w http.ResponseWriter, r *http.Request) (query.Query, bool)

// FromURL reads a query from the URL's parameters with parse.
func FromURL(parse func(url.Values) (query.Query, error)) Parser {
	return func(w http.ResponseWriter, r *http.Request) (query.Query, bool) {
		q, err := parse(r.URL.Query())
		if err != nil {
			httpserver.WriteBadInput(w, err)
			return q, false
		}
		return q, true
	}
}

// FromBody reads a query from the body (its route's MaxBody is
// query.MaxBodyBytes) and the URL's paging parameters.
func FromBody(w http.ResponseWriter, r *http.Request) (query.Query, bool) {
	q, err := query.ParseBody(r.URL.Query(), httpserver.Body(r))
	if err != nil {
		httpserver.WriteBadInput(w, err)
		return q, false
	}
	return q, true
}

// List answers a list endpoint: one page of what the caller may see.
func (s *API) List(parse Parser) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, ok := parse(w, r)
		if !ok {
			return
		}
		u, _ := request.UserFrom(r.Context())
		// Only namespaces that hold ApiTokens are asked about, and of those
		// only the ones the query names (at most query.MaxNamespaces): a
		// name that holds none costs no authorization question. Answers are
		// cached per caller, so a repeat asks nothing.
		candidates := held(s.Model.Namespaces(), q.Namespaces)
		// A named namespace that holds none has nothing to hide: the caller
		// gets an empty page for it, not a 403 (a new namespace's admin
		// lists it before its first ApiToken).
		someEmpty := q.Namespaces != nil && len(candidates) < len(q.Namespaces)
		vis, err := s.visibility(r.Context(), u, candidates)
		if err == nil && !someEmpty && !vis.All && len(vis.Namespaces) == 0 && len(vis.Own) == 0 {
			// Nothing to see. A caller who may keep personal tokens
			// somewhere gets an empty page, not a 403.
			var selfServe map[string]bool
			if selfServe, err = s.Access.AllowedIn(r.Context(), u, "create", candidates, "apitokens", grant.SelfSubresource); err == nil && len(selfServe) == 0 {
				where := "in any namespace"
				if q.Namespaces != nil {
					where = "in any namespace named by the query"
				}
				httpserver.WriteError(w, http.StatusForbidden, fmt.Sprintf("%s may not list apitokens.auth.apitoken.io %s (nor create apitokens/self to see their own personal tokens)", u.GetName(), where))
				return
			}
		}
		if err != nil {
			s.Access.AuthorizationFailed(w, u, err)
			return
		}
		httpserver.WriteJSON(w, http.StatusOK, query.NewResponse(q, query.Run(s.Model, q, vis), s.Links))
	}
}

// Get answers one ApiToken; one the caller may not see is not found, so
// that its existence is not disclosed.
func (s *API) Get(w http.ResponseWriter, r *http.Request) {
	ns, name := r.PathValue("namespace"), r.PathValue("name")
	notFound := fmt.Sprintf("ApiToken %s/%s not found", ns, name)
	row, ok := s.Model.Get(ns, name)
	if !ok {
		httpserver.WriteError(w, http.StatusNotFound, notFound)
		return
	}
	u, _ := request.UserFrom(r.Context())
	vis, err := s.visibility(r.Context(), u, []string{ns})
	if err != nil {
		s.Access.AuthorizationFailed(w, u, err)
		return
	}
	if !vis.AllowsRow(&row) {
		httpserver.WriteError(w, http.StatusNotFound, notFound)
		return
	}
	httpserver.WriteJSON(w, http.StatusOK, query.DTO(&row, s.Links))
}

// visibility returns what u may see out of the candidate namespaces: those
// where u may list apitokens (all of them with cluster-wide permission),
// and, of those holding u's own personal tokens, those where u may create
// apitokens/self.
func (s *API) visibility(ctx context.Context, u user.Info, candidates []string) (query.Visibility, error) {
	all, err := s.Access.Allowed(ctx, u, "list", "", "apitokens", "")
	if err != nil || all {
		return query.Visibility{All: all}, err
	}
	vis := query.Visibility{User: u.GetName()}
	if vis.Namespaces, err = s.Access.AllowedIn(ctx, u, "list", candidates, "apitokens", ""); err != nil {
		return vis, err
	}
	// Whether the caller may see their own personal tokens matters only
	// where they have some and may not list everything anyway.
	personal := s.Model.PersonalNamespaces(u.GetName())
	var ownCandidates []string
	for _, ns := range candidates {
		if personal[ns] && !vis.Namespaces[ns] {
			ownCandidates = append(ownCandidates, ns)
		}
	}
	vis.Own, err = s.Access.AllowedIn(ctx, u, "create", ownCandidates, "apitokens", grant.SelfSubresource)
	return vis, err
}

// held is the namespaces of holding (sorted) that named names, all of them
// when named is nil.
func held(holding []string, named map[string]bool) []string {
	if named == nil {
		return holding
	}
	out := make([]string, 0, min(len(named), len(holding)))
	for ns := range named {
		if _, found := slices.BinarySearch(holding, ns); found {
			out = append(out, ns)
		}
	}
	slices.Sort(out)
	return out
}
