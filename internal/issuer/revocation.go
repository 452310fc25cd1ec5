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

package issuer

import (
	"context"
	"fmt"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
	"github.com/apitoken-io/apitoken-operator/internal/writeapi"
)

// Token type hints of the revocation endpoint (RFC 7009 §2.1).
const (
	HintAccessToken  = "access_token"
	HintRefreshToken = "refresh_token"
)

// EventRevokedByValue is the reason of the Event a revocation by value
// records; its note says how it came.
const EventRevokedByValue = "RevokedByValue"

// revocationWait is how long a revocation waits to show in this replica's
// cache, so that a 200 means the value no longer verifies here.
const revocationWait = 5 * time.Second

// Revoke is RFC 7009 token revocation, POST /oauth2/revoke. The
// presented value is the only credential: whoever holds a valid ApiToken
// value (its owner, or a secret scanner that found it) may revoke that
// ApiToken with one unauthenticated request. An access token the issuer
// signed is answered 200 and revokes nothing (they are short-lived and
// verified offline; revoke the ApiToken behind one, or introspect). An
// unknown value is 200 as well (§2.2: no oracle), and counts against the
// end client's failure budget as at the token endpoint.
func (s *API) Revoke(w http.ResponseWriter, r *http.Request) {
	if s.notSynced(w) {
		return
	}
	client := httpserver.EndClientKey(r, s.TrustedProxies)
	if wait, throttled := httpserver.Throttled(s.Limiter, "revocation", client); throttled {
		writeSlowDown(w, wait)
		return
	}
	form, f := readForm(w, r)
	if f != nil {
		writeOAuthError(w, f)
		return
	}
	raw, f := presentedToken(form, "revoke")
	if f != nil {
		writeOAuthError(w, f)
		return
	}
	id, ok := s.Verifier.Check(presentedParam(raw))
	switch {
	case ok:
		if err := s.revokeByPresentation(r.Context(), id, httpserver.EndClient(r, s.TrustedProxies)); err != nil {
			s.Log.Error(err, "Failed to revoke an ApiToken presented at the revocation endpoint", "namespace", id.Namespace, "name", id.Name)
			w.Header().Set("Retry-After", "5")
			writeOAuthError(w, refuse(http.StatusServiceUnavailable, "temporarily_unavailable", "the revocation could not be written: retry shortly"))
			return
		}
	case s.ownAccessToken(raw):
	default:
		s.Limiter.Failed(client)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(http.StatusOK)
}

// revokeByPresentation sets spec.revoked on the ApiToken id names (the same
// object: same UID), records an Event, and waits until this replica's cache
// shows it revoked.
func (s *API) revokeByPresentation(ctx context.Context, id verify.Identity, from string) error {
	tok := &authv1alpha1.ApiToken{}
	if err := s.Writes.Reader.Get(ctx, client.ObjectKey{Namespace: id.Namespace, Name: id.Name}, tok); err != nil {
		return fmt.Errorf("revoking ApiToken %s/%s: %w", id.Namespace, id.Name, err)
	}
	if string(tok.UID) != id.UID || tok.Spec.Revoked {
		return nil
	}
	revoked := false
	err := s.Writes.UpdateToken(ctx, tok, func(tok *authv1alpha1.ApiToken) error {
		revoked = !tok.Spec.Revoked
		tok.Spec.Revoked = true
		return nil
	})
	if apierrors.IsNotFound(err) {
		return nil // deleted meanwhile: nothing left to revoke
	}
	if err != nil {
		return fmt.Errorf("revoking ApiToken %s/%s: %w", id.Namespace, id.Name, err)
	}
	if revoked {
		// The end client's address goes to the operator's log, not the
		// Event: whoever may read the token's Events is no reader of its
		// revokers' addresses.
		s.Log.Info("Revoked an ApiToken presented at the revocation endpoint", "namespace", id.Namespace, "name", id.Name, "endClient", from)
		if s.Writes.Recorder != nil {
			s.Writes.Recorder.Eventf(tok, nil, corev1.EventTypeWarning, EventRevokedByValue, "Revoke",
				"Revoked by presenting its value at the revocation endpoint")
		}
	}
	writeapi.Await(ctx, revocationWait, s.Writes.RowIs(tok, func(row *readmodel.Row) bool { return !row.Verifiable() }))
	return nil
}

// ownAccessToken says whether raw is an access token this issuer signed
// (expired or not).
func (s *API) ownAccessToken(raw string) bool {
	if !accesstoken.LooksSigned(raw) {
		return false
	}
	_, ok := s.Keys.Verify(raw)
	return ok
}
