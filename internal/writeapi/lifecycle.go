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

	"k8s.io/apiserver/pkg/endpoints/request"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/grant"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// Regenerate answers POST /api/v1/tokens/{namespace}/{name}/regenerate: a
// hash-only token gets a new value, returned once (200); a Secret-held
// token is rotated into its Secret by the controller (202, no value).
func (s *API) Regenerate(w http.ResponseWriter, r *http.Request) {
	req, waitFor, ok := parseWrite(w, r, selfservice.ParseRegenerate)
	if !ok {
		return
	}
	tok, g, ok := s.target(w, r, "update", r.PathValue("namespace"), r.PathValue("name"))
	if !ok {
		return
	}
	var value token.Value
	var before int64
	rotateID := time.Now().UTC().Format(time.RFC3339Nano)
	err := s.UpdateToken(r.Context(), tok, func(tok *authv1alpha1.ApiToken) error {
		if err := revokedForOwner(g, tok); err != nil {
			return err
		}
		if tok.Hashed() != nil && value.IsZero() {
			var err error
			if value, err = s.Generator.Generate(selfservice.GenerateSettings(tok)); err != nil {
				return fmt.Errorf("generating a token: %w", err)
			}
		}
		before = tok.Status.Revision
		req.Regenerate(tok, value, rotateID)
		return nil
	})
	if err != nil {
		s.WriteFailed(w, r, err)
		return
	}
	u, _ := request.UserFrom(r.Context())
	s.Record(tok, EventRegenerated, u)
	if !value.IsZero() {
		Await(r.Context(), waitFor, s.Verifies(value))
		s.respond(w, http.StatusOK, tok, value)
		return
	}
	Await(r.Context(), waitFor, s.RowIs(tok, func(row *readmodel.Row) bool {
		return row.Revision > before && row.Status() == authv1alpha1.TokenStatusActive
	}))
	s.respond(w, http.StatusAccepted, tok, token.Value{})
}

// Revoke answers POST /api/v1/tokens/{namespace}/{name}/revoke.
func (s *API) Revoke(w http.ResponseWriter, r *http.Request) {
	waitFor, err := parseWait(r.URL.Query())
	if err != nil {
		httpserver.WriteBadInput(w, err)
		return
	}
	if tok, _, ok := s.target(w, r, "update", r.PathValue("namespace"), r.PathValue("name")); ok {
		s.revokeToken(w, r, tok, waitFor)
	}
}

// RevokeByValue answers POST /api/v1/tokens/revoke {"token": "..."}: the
// ApiToken that holds a leaked value is revoked. A value that no ApiToken
// the caller may revoke holds is 404 whatever the reason, and counts as a
// failed guess, so the endpoint is no oracle.
func (s *API) RevokeByValue(w http.ResponseWriter, r *http.Request) {
	value, waitFor, ok := parseWrite(w, r, selfservice.ParseRevokeByValue)
	if !ok {
		return
	}
	caller := httpserver.CallerClient(r)
	if wait, throttled := httpserver.Throttled(s.Limiter, "revoke", caller); throttled {
		httpserver.WriteThrottled(w, wait, true)
		return
	}
	tok := s.holderFor(r, value)
	if tok == nil {
		s.Limiter.Failed(caller)
		httpserver.WriteError(w, http.StatusNotFound, "no ApiToken that you may revoke holds this token")
		return
	}
	s.revokeToken(w, r, tok, waitFor)
}

// holderFor returns the ApiToken holding value if the caller may revoke
// it, else nil.
func (s *API) holderFor(r *http.Request, value token.Value) *authv1alpha1.ApiToken {
	ns, name, ok := s.Verifier.Holder(value)
	if !ok {
		return nil
	}
	u, _ := request.UserFrom(r.Context())
	g, err := grant.For(r.Context(), s.Access, u, "update", ns)
	if err != nil || g == grant.None {
		return nil
	}
	tok := &authv1alpha1.ApiToken{}
	if err := s.Reader.Get(r.Context(), client.ObjectKey{Namespace: ns, Name: name}, tok); err != nil {
		return nil
	}
	row := readmodel.RowFor(tok)
	if !g.Covers(&row, u) {
		return nil
	}
	return tok
}

// revokeToken sets spec.revoked (once), waits until the revocation shows
// and answers with the row, as GET /api/v1/tokens/{namespace}/{name} does.
func (s *API) revokeToken(w http.ResponseWriter, r *http.Request, tok *authv1alpha1.ApiToken, waitFor time.Duration) {
	if !tok.Spec.Revoked {
		revoked := false
		err := s.UpdateToken(r.Context(), tok, func(tok *authv1alpha1.ApiToken) error {
			revoked = !tok.Spec.Revoked
			tok.Spec.Revoked = true
			return nil
		})
		if err != nil {
			s.WriteFailed(w, r, err)
			return
		}
		if revoked {
			u, _ := request.UserFrom(r.Context())
			s.Record(tok, EventRevoked, u)
		}
	}
	Await(r.Context(), waitFor, s.RowIs(tok, func(row *readmodel.Row) bool { return row.Status() == authv1alpha1.TokenStatusRevoked }))
	row := s.cachedRow(tok)
	httpserver.WriteJSON(w, http.StatusOK, query.DTO(&row, s.Links))
}

// Delete answers DELETE /api/v1/tokens/{namespace}/{name} with 204, once
// the token is gone from this replica's cache (at most ?wait=), as every
// write waits for its effect.
func (s *API) Delete(w http.ResponseWriter, r *http.Request) {
	waitFor, err := parseWait(r.URL.Query())
	if err != nil {
		httpserver.WriteBadInput(w, err)
		return
	}
	tok, g, ok := s.target(w, r, "delete", r.PathValue("namespace"), r.PathValue("name"))
	if !ok {
		return
	}
	if s.deleteToken(w, r, tok, g) {
		Await(r.Context(), waitFor, func() bool {
			row, found := s.Model.Get(tok.Namespace, tok.Name)
			return !found || row.UID != string(tok.UID)
		})
		w.WriteHeader(http.StatusNoContent)
	}
}

// deleteToken deletes tok as deleteAs does, answering a failure in the
// API's JSON shape. false means it has answered.
func (s *API) deleteToken(w http.ResponseWriter, r *http.Request, tok *authv1alpha1.ApiToken, g grant.Grant) bool {
	if err := s.DeleteAs(r, tok, g); err != nil {
		s.WriteFailed(w, r, err)
		return false
	}
	return true
}

// DeleteAs deletes the ApiToken that was read and authorized with g (not
// another created since under its name) and records an Event naming the
// caller. It is the one delete path of every route (v1, v2, the console
// through v1, the sideband API), so the rule that a revoked personal token
// stays holds on each.
func (s *API) DeleteAs(r *http.Request, tok *authv1alpha1.ApiToken, g grant.Grant) error {
	if err := revokedStaysForOwner(g, tok); err != nil {
		return err
	}
	pre := preconditions(tok)
	if err := s.Writer.Delete(r.Context(), tok, &client.DeleteOptions{Preconditions: &pre}); err != nil {
		return err
	}
	u, _ := request.UserFrom(r.Context())
	s.Record(tok, EventDeleted, u)
	return nil
}
