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
	"fmt"
	"net/http"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apiserver/pkg/endpoints/request"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/grant"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// Import answers PUT /api/v1/tokens/{namespace}/{name}: the caller's
// own value, stored hash-only and never echoed. 201 when the ApiToken is
// new, 200 when the value replaced a hash-only token's.
func (s *API) Import(w http.ResponseWriter, r *http.Request) {
	ns, name := r.PathValue("namespace"), r.PathValue("name")
	req, waitFor, ok := parseWrite(w, r, func(raw []byte) (selfservice.ImportRequest, error) { return selfservice.ParseImport(ns, name, raw) })
	if !ok {
		return
	}
	// "Already held" tells whether a value is someone's live token: each
	// such answer counts as a failed guess, as at the verify endpoint.
	caller := httpserver.CallerClient(r)
	if wait, throttled := httpserver.Throttled(s.Limiter, "import", caller); throttled {
		httpserver.WriteThrottled(w, wait, true)
		return
	}
	u, _ := request.UserFrom(r.Context())
	// Ask first, so that a caller allowed nothing learns nothing of the name.
	mayCreate, err := grant.For(r.Context(), s.Access, u, "create", ns)
	if err != nil {
		s.Access.AuthorizationFailed(w, u, err)
		return
	}
	mayUpdate, err := grant.For(r.Context(), s.Access, u, "update", ns)
	if err != nil {
		s.Access.AuthorizationFailed(w, u, err)
		return
	}
	if mayCreate == grant.None && mayUpdate == grant.None {
		httpserver.WriteError(w, http.StatusForbidden, grant.NotAllowed(u, "create or update", ns))
		return
	}
	if holderNS, holder, held := s.Verifier.Holder(req.Value); held && (holderNS != ns || holder != name) {
		// One value, one ApiToken: else it would verify as whichever holds
		// it last, and revoking it by value would find the wrong one.
		// The answer is the same wherever the holder is.
		s.Limiter.Failed(caller)
		httpserver.WriteJSON(w, http.StatusConflict, httpserver.ErrorBody{Error: "token: this value is already in use: import a value of your own", Parameter: "token"})
		return
	}
	existing := &authv1alpha1.ApiToken{}
	err = s.Reader.Get(r.Context(), types.NamespacedName{Namespace: ns, Name: name}, existing)
	switch {
	case apierrors.IsNotFound(err):
		if !s.mayCreate(w, r, u, &req.Metadata, false) {
			return
		}
		tok := req.ApiToken(u.GetName())
		if err := s.Writer.Create(r.Context(), tok); err != nil {
			s.WriteFailed(w, r, err)
			return
		}
		s.finishImport(w, r, tok, req.Value, http.StatusCreated, waitFor)
	case err != nil:
		s.WriteFailed(w, r, err)
	default:
		s.replaceValue(w, r, existing, req, mayUpdate, waitFor)
	}
}

// replaceValue makes the imported value current on an existing hash-only
// ApiToken the caller may update.
func (s *API) replaceValue(w http.ResponseWriter, r *http.Request, tok *authv1alpha1.ApiToken, req selfservice.ImportRequest, g grant.Grant, waitFor time.Duration) {
	u, _ := request.UserFrom(r.Context())
	row := readmodel.RowFor(tok)
	switch {
	case g == grant.None:
		httpserver.WriteError(w, http.StatusForbidden, grant.NotAllowed(u, "update", tok.Namespace))
		return
	case !g.Covers(&row, u):
		// Not theirs: as a create of a taken name would say.
		httpserver.WriteJSON(w, http.StatusConflict, httpserver.ErrorBody{Error: fmt.Sprintf("ApiToken %s/%s already exists", tok.Namespace, tok.Name), Parameter: "name"})
		return
	case g == grant.Own:
		if err := revokedForOwner(g, tok); err != nil {
			s.WriteFailed(w, r, err)
			return
		}
		if req.TTL == 0 {
			req.TTL = tok.TTL()
		}
		if !s.personalOK(r.Context(), w, u, &req.Metadata) {
			return
		}
	}
	err := s.UpdateToken(r.Context(), tok, func(tok *authv1alpha1.ApiToken) error {
		if err := revokedForOwner(g, tok); err != nil {
			return err
		}
		return req.Replace(tok)
	})
	if err != nil {
		s.WriteFailed(w, r, err)
		return
	}
	s.finishImport(w, r, tok, req.Value, http.StatusOK, waitFor)
}

// finishImport records the import, waits until the value verifies and
// answers with the row, never the value.
func (s *API) finishImport(w http.ResponseWriter, r *http.Request, tok *authv1alpha1.ApiToken, value token.Value, code int, waitFor time.Duration) {
	u, _ := request.UserFrom(r.Context())
	s.Record(tok, EventImported, u)
	Await(r.Context(), waitFor, s.Verifies(value))
	s.respond(w, code, tok, token.Value{})
}
