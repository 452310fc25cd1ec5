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

// Package writeapi is the self-service API: callers create, import,
// regenerate, revoke and delete ApiTokens under their Kubernetes RBAC
// (POST/PUT/DELETE /api/v1/tokens..., the v2 shapes POST /api/v2/token and
// DELETE /api/v2/token/{id}), and a token reads and rotates itself (GET
// /api/v1/tokens/self, POST /api/v1/tokens/self/rotate) presenting its own
// value. It is also the one write path of the sideband API, the console
// and the issuer's revocation endpoint.
package writeapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/grant"
	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// API is what the writes serve from.
type API struct {
	Model    *readmodel.Model
	Verifier *verify.Verifier
	Access   *httpserver.Access
	// Limiter throttles callers that guess at values (revoke by value,
	// import, self); nil throttles nobody.
	Limiter *guessing.Limiter
	// TrustedProxies name the end client of the self paths.
	TrustedProxies []netip.Prefix
	// Writer writes with the operator's client; Reader reads the ApiToken
	// to change from the API server, never a stale cache.
	Writer client.Writer
	Reader client.Reader
	// Generator draws values as the controller does.
	Generator token.Generator
	// Recorder records an Event naming the caller; nil records none.
	Recorder events.EventRecorder
	// PersonalRules are the longest ttl and the scopes of a personal token
	// (apitokens/self): the flags, or the ConfigMap the personal-tokens
	// admission policy reads too.
	PersonalRules selfservice.RulesSource
	// SelfRotateMaxGrace caps the grace period of a self-rotation
	// (--self-rotate-max-grace); 0 means DefaultSelfRotateMaxGrace.
	SelfRotateMaxGrace time.Duration
	// Links are the issuer's URLs a row names; empty without the issuer.
	Links query.Links
	Log   logr.Logger
}

// The self-service API writes ApiTokens on behalf of its callers: each
// action is authorized for the caller (grantFor), carried out with the
// operator's own client (the operator needs no impersonation rights), and
// recorded in an Event that names the caller, since the Kubernetes audit
// log sees only the operator.
// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokens,verbs=create;update;delete

// Event reasons of actions taken through the API.
const (
	EventCreated     = "Created"
	EventImported    = "Imported"
	EventRegenerated = "Regenerated"
	EventRevoked     = "Revoked"
	EventDeleted     = "Deleted"
)

// Waiting for a written token to take effect in this replica's cache.
const (
	DefaultWait = 10 * time.Second
	// MaxWait leaves the write and the answer 10 s of the listener's
	// WriteTimeout: a wait that outlasted it would lose the response, and
	// with it a value shown only once.
	MaxWait  = httpserver.WriteTimeout - 10*time.Second
	waitPoll = 5 * time.Millisecond
)

// tokenResponse is the body of a write: the token's row, and the value only
// in the response to the request that created or regenerated a hash-only
// token.
type tokenResponse struct {
	Token    string         `json:"token,omitempty"`
	ApiToken query.TokenDTO `json:"apiToken"`
}

// parseWait reads ?wait=<seconds>: how long a write waits for its effect
// to show in this replica's cache (DefaultWait when absent).
func parseWait(v url.Values) (time.Duration, error) {
	raw, ok := v["wait"]
	if !ok {
		return DefaultWait, nil
	}
	secs, err := strconv.ParseFloat(raw[0], 64)
	if err != nil || secs < 0 || secs > MaxWait.Seconds() || len(raw) > 1 {
		return 0, &selfservice.FieldError{Field: "wait", Message: fmt.Sprintf("must be one number of seconds from 0 to %d (the answer must arrive within the server's %d s write timeout)", int(MaxWait.Seconds()), int(httpserver.WriteTimeout.Seconds()))}
	}
	return time.Duration(secs * float64(time.Second)), nil
}

// parseWrite reads a write's body (its route's MaxBody is
// selfservice.MaxBodyBytes) into its typed request, and ?wait=,
// before anything is authorized or written. false means it has answered.
func parseWrite[T any](w http.ResponseWriter, r *http.Request, parse func([]byte) (T, error)) (T, time.Duration, bool) {
	var zero T
	req, err := parse(httpserver.Body(r))
	if err != nil {
		httpserver.WriteBadInput(w, err)
		return zero, 0, false
	}
	waitFor, err := parseWait(r.URL.Query())
	if err != nil {
		httpserver.WriteBadInput(w, err)
		return zero, 0, false
	}
	return req, waitFor, true
}

// target reads the ApiToken a write by the caller names, from the API
// server (never a stale cache), and checks the caller may act on it with
// verb. false means it has answered: 403 without either permission in the
// namespace, 404 when the token does not exist or is not the caller's own.
func (s *API) target(w http.ResponseWriter, r *http.Request, verb, namespace, name string) (*authv1alpha1.ApiToken, grant.Grant, bool) {
	if err := selfservice.ValidateRef(namespace, name); err != nil {
		httpserver.WriteBadInput(w, err)
		return nil, grant.None, false
	}
	u, _ := request.UserFrom(r.Context())
	g, err := grant.For(r.Context(), s.Access, u, verb, namespace)
	if err != nil {
		s.Access.AuthorizationFailed(w, u, err)
		return nil, g, false
	}
	if g == grant.None {
		httpserver.WriteError(w, http.StatusForbidden, grant.NotAllowed(u, verb, namespace))
		return nil, g, false
	}
	tok := &authv1alpha1.ApiToken{}
	err = s.Reader.Get(r.Context(), types.NamespacedName{Namespace: namespace, Name: name}, tok)
	if err == nil {
		row := readmodel.RowFor(tok)
		if g.Covers(&row, u) {
			return tok, g, true
		}
	}
	if err != nil && !apierrors.IsNotFound(err) {
		s.WriteFailed(w, r, err)
		return nil, g, false
	}
	httpserver.WriteError(w, http.StatusNotFound, fmt.Sprintf("ApiToken %s/%s not found", namespace, name))
	return nil, g, false
}

// revokedForOwner refuses (409) a caller with apitokens/self only who
// would bring back their revoked token: whoever revoked it (an
// administrator, incident response) decides, not the token's holder.
func revokedForOwner(g grant.Grant, tok *authv1alpha1.ApiToken) error {
	if g != grant.Own || !tok.Spec.Revoked {
		return nil
	}
	return &tokenRefusal{http.StatusConflict, fmt.Sprintf("ApiToken %s/%s is revoked, and a personal token stays revoked: create a new one", tok.Namespace, tok.Name)}
}

// revokedStaysForOwner refuses (403) the holder of a revoked personal
// token its deletion: the revoked ApiToken is what keeps its fingerprint
// held (one fingerprint, one ApiToken), so deleting it would let the same
// value be imported again under a new name. Whoever may delete ApiTokens
// in the namespace (an administrator) may still delete it.
func revokedStaysForOwner(g grant.Grant, tok *authv1alpha1.ApiToken) error {
	if g != grant.Own || !tok.Spec.Revoked {
		return nil
	}
	return &tokenRefusal{http.StatusForbidden, fmt.Sprintf(
		"ApiToken %s/%s is a revoked personal token: its holder may not delete it, so that its value can never verify again under another name; "+
			"deleting it needs delete on apitokens in namespace %q (an administrator)", tok.Namespace, tok.Name, tok.Namespace)}
}

// WriteFailed answers a failed API request: the API server's validation
// messages pass through as 400 naming the field, an existing name is 409,
// a concurrent change 409; anything else is 500 with the reason logged.
// Nothing the operator sends holds a token value (hash-only tokens carry
// their fingerprint), so these messages cannot quote one.
func (s *API) WriteFailed(w http.ResponseWriter, r *http.Request, err error) {
	var status apierrors.APIStatus
	var refused *tokenRefusal
	var conflict *selfservice.Conflict
	switch {
	case errors.As(err, &refused):
		httpserver.WriteError(w, refused.status, refused.msg)
	case errors.As(err, &conflict):
		httpserver.WriteError(w, http.StatusConflict, conflict.Message)
	case apierrors.IsAlreadyExists(err):
		httpserver.WriteJSON(w, http.StatusConflict, httpserver.ErrorBody{Error: err.Error(), Parameter: "name"})
	case apierrors.IsConflict(err):
		httpserver.WriteError(w, http.StatusConflict, "the ApiToken changed while this request was handled: retry")
	case apierrors.IsNotFound(err):
		httpserver.WriteError(w, http.StatusNotFound, err.Error())
	case apierrors.IsInvalid(err) && errors.As(err, &status):
		body, code := httpserver.ErrorBody{Error: err.Error()}, http.StatusBadRequest
		if d := status.Status().Details; d != nil && len(d.Causes) > 0 {
			body.Parameter = requestField(d.Causes[0].Field)
		}
		if body.Parameter == "" {
			body.Parameter = requestField(policyField(err.Error()))
		}
		if body.Parameter == "revoked" {
			// Not the request's fault: the CRD refuses to un-revoke until
			// the operator has recorded the revocation; the same request
			// succeeds in a moment.
			body.Parameter, code = "", http.StatusConflict
		}
		httpserver.WriteJSON(w, code, body)
	case apierrors.IsBadRequest(err):
		httpserver.WriteError(w, http.StatusBadRequest, err.Error())
	default:
		u, _ := request.UserFrom(r.Context())
		s.Log.Error(err, "Failed to write an ApiToken for a caller", "user", u.GetName())
		httpserver.WriteError(w, http.StatusInternalServerError, "writing the ApiToken failed: retry, or ask an administrator to read the operator's log")
	}
}

// policyField is the field an ApiTokenPolicy's refusal names ("...denied
// request: ApiTokenPolicy org-defaults: spec.ttl 8760h exceeds maxTTL
// 2160h" names spec.ttl); "" for any other message.
func policyField(msg string) string {
	_, rest, ok := strings.Cut(msg, "denied request: ApiTokenPolicy ")
	if !ok {
		return ""
	}
	if _, rest, ok = strings.Cut(rest, ": "); !ok {
		return ""
	}
	field, _, _ := strings.Cut(rest, " ")
	if !strings.HasPrefix(field, "spec.") {
		return ""
	}
	return field
}

// requestField maps a field path of the ApiToken to the request's field:
// "spec.ttl" is "ttl", "metadata.name" is "name".
func requestField(path string) string {
	switch {
	case strings.HasPrefix(path, "spec.source.generate."):
		return "generate." + strings.TrimPrefix(path, "spec.source.generate.")
	case strings.HasPrefix(path, "spec.source.hashed.generate."):
		return "generate." + strings.TrimPrefix(path, "spec.source.hashed.generate.")
	case strings.HasPrefix(path, "spec.source.hashed"):
		return "token"
	case strings.HasPrefix(path, "spec.secret."):
		return "secret." + strings.TrimPrefix(path, "spec.secret.")
	}
	return strings.TrimPrefix(strings.TrimPrefix(path, "spec."), "metadata.")
}

// Record writes an Event on tok that names the caller.
func (s *API) Record(tok *authv1alpha1.ApiToken, reason string, u user.Info) {
	if s.Recorder == nil {
		return
	}
	s.Recorder.Eventf(tok, nil, corev1.EventTypeNormal, reason, "API", "%s via the API by %s", reason, u.GetName())
}

// Await waits, at most d, until done says the write took effect in this
// replica's cache. Past that the answer shows the row as it is (PENDING).
func Await(ctx context.Context, d time.Duration, done func() bool) {
	if done() || d <= 0 {
		return
	}
	_ = wait.PollUntilContextTimeout(ctx, waitPoll, d, false, func(context.Context) (bool, error) { return done(), nil })
}

// cachedRow returns the row this replica's cache holds for tok (same
// UID), else one made from tok itself (its status not reconciled yet).
func (s *API) cachedRow(tok *authv1alpha1.ApiToken) readmodel.Row {
	if row, ok := s.Model.Get(tok.Namespace, tok.Name); ok && row.UID == string(tok.UID) {
		return row
	}
	return readmodel.RowFor(tok)
}

// RowIs waits for the cached row of tok to satisfy cond.
func (s *API) RowIs(tok *authv1alpha1.ApiToken, cond func(*readmodel.Row) bool) func() bool {
	return func() bool {
		row, ok := s.Model.Get(tok.Namespace, tok.Name)
		return ok && row.UID == string(tok.UID) && cond(&row)
	}
}

// Verifies waits for value to verify.
func (s *API) Verifies(value token.Value) func() bool {
	return func() bool {
		_, ok := s.Verifier.Check(value)
		return ok
	}
}

// respond answers a write with the token's row and, for a hash-only token
// just created or regenerated, its value: to this caller, once, never stored.
func (s *API) respond(w http.ResponseWriter, code int, tok *authv1alpha1.ApiToken, value token.Value) {
	row := s.cachedRow(tok)
	body := tokenResponse{ApiToken: query.DTO(&row, s.Links)}
	if !value.IsZero() {
		body.Token = string(value.Reveal())
	}
	httpserver.WriteJSON(w, code, body)
}

// preconditions make a delete or update act on the ApiToken that was read
// and authorized, not on another created meanwhile under the same name.
func preconditions(tok *authv1alpha1.ApiToken) metav1.Preconditions {
	uid := tok.UID
	return metav1.Preconditions{UID: &uid}
}
