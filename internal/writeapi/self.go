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

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// Paths where a presented ApiToken is its own credential on the query
// listener; no other path accepts one.
const (
	SelfPath       = "/api/v1/tokens/self"
	SelfRotatePath = "/api/v1/tokens/self/rotate"
)

// SelfRotateScope is the scope a token needs to rotate itself (GitLab's
// self_rotate).
const SelfRotateScope = "apitoken:self-rotate"

// DefaultSelfRotateMaxGrace is --self-rotate-max-grace's default.
const DefaultSelfRotateMaxGrace = 24 * time.Hour

// EventSelfRotated is the reason of the Event a self-rotation records.
const EventSelfRotated = "SelfRotated"

// presentedSelf reads and verifies the token a request presents as its own
// credential: 401 (or 429) when it does not verify. Each failure counts
// against the end client, as at verify.
func (s *API) presentedSelf(w http.ResponseWriter, r *http.Request, endpoint string) (verify.Identity, token.Value, bool) {
	client := httpserver.EndClientKey(r, s.TrustedProxies)
	if wait, throttled := httpserver.Throttled(s.Limiter, endpoint, client); throttled {
		httpserver.WriteThrottled(w, wait, true)
		return verify.Identity{}, token.Value{}, false
	}
	presented, ok := httpserver.PresentedToken(r.Header)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="apitoken-operator"`)
		httpserver.WriteError(w, http.StatusUnauthorized,
			"present the ApiToken itself: Authorization: Bearer <token>, Authorization: Token token=<token>, or X-Api-Token: <token>")
		return verify.Identity{}, token.Value{}, false
	}
	id, ok := s.Verifier.Verify(presented)
	if !ok {
		s.Limiter.Failed(client)
		w.Header().Set("WWW-Authenticate", `Bearer realm="apitoken-operator", error="invalid_token"`)
		httpserver.WriteError(w, http.StatusUnauthorized, "the token is not valid")
		return verify.Identity{}, token.Value{}, false
	}
	return id, presented, true
}

// Self answers GET /api/v1/tokens/self: the presented token's own row,
// so that a script can ask when it expires. For the previous token in its
// grace period the row says its own revision and expiry.
func (s *API) Self(w http.ResponseWriter, r *http.Request) {
	id, _, ok := s.presentedSelf(w, r, "self")
	if !ok {
		return
	}
	row, ok := s.Model.Get(id.Namespace, id.Name)
	if !ok || row.UID != id.UID {
		httpserver.WriteError(w, http.StatusUnauthorized, "the token is not valid")
		return
	}
	httpserver.WriteJSON(w, http.StatusOK, selfDTO(query.DTO(&row, s.Links), id))
}

// selfDTO is a row as the presented token sees itself.
func selfDTO(dto query.TokenDTO, id verify.Identity) query.TokenDTO {
	dto.Revision = id.Revision
	dto.ExpirationDate = nil
	if !id.ExpirationDate.IsZero() {
		ms := id.ExpirationDate.UnixMilli()
		dto.ExpirationDate = &ms
	}
	return dto
}

// SelfRotate answers POST /api/v1/tokens/self/rotate: a hash-only
// token holding SelfRotateScope gets a new value, returned once, with the
// same scopes and ttl (a new expiry from now; for a personal token never
// past --self-service-max-ttl); the presented value keeps verifying for
// the grace period asked for (at most --self-rotate-max-grace), then stops.
func (s *API) SelfRotate(w http.ResponseWriter, r *http.Request) {
	req, waitFor, ok := parseWrite(w, r, selfservice.ParseRegenerate)
	if !ok {
		return
	}
	if g := req.GracePeriod; g != nil && *g > s.selfRotateMaxGrace() {
		httpserver.WriteBadInput(w, &selfservice.FieldError{Field: "gracePeriod", Message: fmt.Sprintf("is %s: at most %s (--self-rotate-max-grace)", g, s.selfRotateMaxGrace())})
		return
	}
	id, presented, ok := s.presentedSelf(w, r, "self-rotate")
	if !ok {
		return
	}
	switch {
	case id.Previous:
		httpserver.WriteError(w, http.StatusConflict, "this is the previous token, in its grace period: only the current token may rotate")
		return
	case !scope.Covers(id.Scopes, SelfRotateScope):
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="apitoken-operator", error="insufficient_scope", scope=%q`, SelfRotateScope))
		httpserver.WriteError(w, http.StatusForbidden, "the token may not rotate itself: it needs scope "+SelfRotateScope)
		return
	}
	tok := &authv1alpha1.ApiToken{}
	if err := s.Reader.Get(r.Context(), client.ObjectKey{Namespace: id.Namespace, Name: id.Name}, tok); err != nil || string(tok.UID) != id.UID {
		httpserver.WriteError(w, http.StatusUnauthorized, "the token is not valid")
		return
	}
	if req.GracePeriod == nil {
		zero := time.Duration(0)
		req.GracePeriod = &zero
	}
	var rules selfservice.Rules
	if id.Personal {
		if rules, ok = s.personalRules(r.Context(), w); !ok {
			return
		}
	}
	var value token.Value
	err := s.UpdateToken(r.Context(), tok, func(tok *authv1alpha1.ApiToken) error {
		if err := selfRotatable(tok, id, presented); err != nil {
			return err
		}
		if value.IsZero() {
			var err error
			if value, err = s.Generator.Generate(selfservice.GenerateSettings(tok)); err != nil {
				return fmt.Errorf("generating a token: %w", err)
			}
		}
		req.Regenerate(tok, value, "")
		if id.Personal && (tok.Spec.TTL == nil || tok.Spec.TTL.Duration > rules.MaxTTL) {
			tok.Spec.TTL = &metav1.Duration{Duration: rules.MaxTTL}
		}
		return nil
	})
	if err != nil {
		s.WriteFailed(w, r, err)
		return
	}
	if s.Recorder != nil {
		s.Recorder.Eventf(tok, nil, corev1.EventTypeNormal, EventSelfRotated, "Rotate",
			"Rotated by presenting its value (revision %d), grace period %s", id.Revision, req.GracePeriod)
	}
	Await(r.Context(), waitFor, s.Verifies(value))
	s.respond(w, http.StatusOK, tok, value)
}

// selfRotatable refuses a rotation by the presented value of tok as it is
// now, read from the API server: this replica's cache may lag, so the
// object itself must still be the presented token's, Active and not
// revoked, or a rotation here would undo a revocation or replace a newer
// value.
func selfRotatable(tok *authv1alpha1.ApiToken, id verify.Identity, presented token.Value) error {
	h := tok.Hashed()
	switch {
	case h == nil:
		return &tokenRefusal{http.StatusConflict, "only a hash-only token rotates itself: the operator rotates a Secret-held token into its Secret (spec.rotation, or the " +
			authv1alpha1.RotateAnnotation + " annotation)"}
	case tok.Spec.Revoked || tok.Status.TokenStatus != authv1alpha1.TokenStatusActive:
		return &tokenRefusal{http.StatusUnauthorized, "the token is not valid"}
	case tok.Status.Revision != id.Revision || h.TokenHash != presented.Fingerprint():
		return &tokenRefusal{http.StatusConflict, "the token is being rotated already: present the new value"}
	}
	return nil
}

func (s *API) selfRotateMaxGrace() time.Duration {
	if s.SelfRotateMaxGrace > 0 {
		return s.SelfRotateMaxGrace
	}
	return DefaultSelfRotateMaxGrace
}

// SelfOnly is the 403 of an ApiToken identity anywhere else on the query
// listener (httpserver.Chain.ApiTokenRefusal).
const SelfOnly = "an ApiToken identity may use only GET " + SelfPath + " and POST " + SelfRotatePath + " on this listener, presenting its value there"
