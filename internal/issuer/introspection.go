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
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// IntrospectScope is the scope an ApiToken needs to call the
// introspection endpoint with HTTP Basic.
const IntrospectScope = "apitoken:introspect"

// Token types an introspection answer names.
const (
	IntrospectedAccessToken = "Bearer"
	IntrospectedApiToken    = "ApiToken"
)

// Introspection is the introspection endpoint's answer (RFC 7662 §2.2):
// an inactive token is {"active": false} and nothing else.
type Introspection struct {
	Active    bool     `json:"active"`
	Scope     string   `json:"scope,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	Subject   string   `json:"sub,omitempty"`
	Audience  []string `json:"aud,omitempty"`
	Issuer    string   `json:"iss,omitempty"`
	Expiry    int64    `json:"exp,omitempty"`
	IssuedAt  int64    `json:"iat,omitempty"`
	NotBefore int64    `json:"nbf,omitempty"`
	ID        string   `json:"jti,omitempty"`
	TokenType string   `json:"token_type,omitempty"`
	// ApiToken describes the ApiToken: the one presented, or the one the
	// access token was exchanged for.
	ApiToken *accesstoken.TokenClaims `json:"apitoken.io,omitempty"`
}

// Introspect is RFC 7662 token introspection, POST
// /oauth2/introspect. The caller authenticates with an ApiToken holding
// IntrospectScope (HTTP Basic <namespace>/<name>, as at the token
// endpoint), or with a Kubernetes bearer token allowed create
// apitokens/verify. An access token is active only while its signature,
// its exp and the ApiToken behind it (same UID and revision, Active) all
// hold: revoking or rotating the ApiToken turns it inactive at once. An
// ApiToken value is active while it verifies.
func (s *API) Introspect(w http.ResponseWriter, r *http.Request) {
	if s.notSynced(w) {
		return
	}
	now := s.Clock.Now()
	// The peer's address pays for failed client authentication only: it
	// is the resource server itself, whose end clients' junk must not lock
	// it out.
	addr := httpserver.EndClientKey(r, s.TrustedProxies)
	if wait, throttled := httpserver.Throttled(s.Limiter, "introspection", addr); throttled {
		writeSlowDown(w, wait)
		return
	}
	form, f := readForm(w, r)
	if f != nil {
		writeOAuthError(w, f)
		return
	}
	caller, within, f := s.introspector(r, form, now)
	if f != nil {
		if f.status == http.StatusUnauthorized {
			s.Limiter.Failed(addr)
		}
		writeOAuthError(w, f)
		return
	}
	raw, f := presentedToken(form, "introspect")
	if f != nil {
		writeOAuthError(w, f)
		return
	}
	client, f := introspectedFor(caller, form)
	if f != nil {
		writeOAuthError(w, f)
		return
	}
	answer, signed := s.introspect(raw, now)
	if within != "" && answer.Active && answer.ApiToken.Namespace != within {
		// Valid elsewhere is, to this caller, unknown: and a guess like one.
		answer, signed = Introspection{}, false
	}
	// An active token is answered whatever the budget: only further
	// failures are refused, per end client as at verify.
	if !answer.Active && !signed {
		if wait, throttled := httpserver.Throttled(s.Limiter, "introspection", client); throttled {
			writeSlowDown(w, wait)
			return
		}
		s.Limiter.Failed(client)
	}
	w.Header().Set("Pragma", "no-cache")
	httpserver.WriteJSON(w, http.StatusOK, answer)
}

// introspectedFor is the failure-limiter key of the end client a token was
// presented by: the one the caller names in remote_address (an IP
// address), within that caller, as verify's remoteAddress; else the caller.
func introspectedFor(caller string, form url.Values) (string, *oauthFailure) {
	raw, ok := form["remote_address"]
	if !ok {
		return caller, nil
	}
	a, err := netip.ParseAddr(raw[0])
	if err != nil || len(raw) > 1 {
		return "", refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "remote_address: must be one IP address (192.0.2.7, 2001:db8::7): the end client that presented the token")
	}
	return caller + "|addr:" + httpserver.Bucket(a.Unmap()), nil
}

// introspector authenticates and authorizes the caller and returns its
// failure-limiter key.
//
// within is the namespace an ApiToken caller may introspect the tokens of
// (its own: anyone who may create an ApiToken may give it the scope);
// empty for a Kubernetes caller allowed apitokens/verify cluster-wide.
func (s *API) introspector(r *http.Request, form url.Values, now time.Time) (caller, within string, f *oauthFailure) {
	h := r.Header.Get("Authorization")
	if form.Get("client_secret") != "" || form.Get("client_id") != "" {
		return "", "", refuse(http.StatusBadRequest, accesstoken.InvalidRequest,
			"client_id, client_secret: authenticate with HTTP Basic (<namespace>/<name> and the ApiToken) or a Kubernetes bearer token, not in the form")
	}
	scheme, _, _ := strings.Cut(h, " ")
	switch {
	case strings.EqualFold(scheme, "Basic"):
		var tr tokenRequest
		secret, f := clientAuth(r, url.Values{}, &tr)
		if f != nil {
			return "", "", f
		}
		id, ok := s.Verifier.Check(presentedParam(secret))
		if !ok || tr.clientID != id.Namespace+"/"+id.Name {
			return "", "", clientAuthFailed()
		}
		if !scope.Covers(id.Scopes, IntrospectScope) {
			return "", "", refuse(http.StatusForbidden, "insufficient_scope",
				"the ApiToken %s may not introspect: it needs scope %s", tr.clientID, IntrospectScope)
		}
		s.Verifier.Used(id, now)
		return "apitoken:" + tr.clientID, id.Namespace, nil
	case strings.EqualFold(scheme, "Bearer"):
		res, ok, err := s.Access.Authenticator.AuthenticateRequest(r)
		if err != nil || !ok || res == nil || res.User == nil {
			return "", "", refuse(http.StatusUnauthorized, accesstoken.InvalidClient, "Authorization: the bearer token is not a valid Kubernetes token")
		}
		if httpserver.ApiTokenIdentity(res.User) {
			return "", "", refuse(http.StatusForbidden, "access_denied",
				"%s is an ApiToken identity: an ApiToken introspects with HTTP Basic and the scope %s", res.User.GetName(), IntrospectScope)
		}
		allowed, err := s.Access.Allowed(r.Context(), res.User, "create", "", "apitokens", "verify")
		if err != nil {
			s.Log.Error(err, "Failed to authorize an introspection", "user", res.User.GetName())
			return "", "", refuse(http.StatusInternalServerError, "server_error", "authorization failed")
		}
		if !allowed {
			return "", "", refuse(http.StatusForbidden, "access_denied", "%s may not introspect: that needs create on apitokens/verify in %s",
				res.User.GetName(), authv1alpha1.GroupVersion.Group)
		}
		return "user:" + res.User.GetName(), "", nil
	default:
		return "", "", refuse(http.StatusUnauthorized, accesstoken.InvalidClient,
			"client authentication required: HTTP Basic with client id <namespace>/<name> and the value of an ApiToken with scope %s, "+
				"or a Kubernetes bearer token allowed create apitokens/verify", IntrospectScope)
	}
}

// introspect answers for raw; signed says raw is an access token this
// issuer signed, active or not.
func (s *API) introspect(raw string, now time.Time) (Introspection, bool) {
	if id, ok := s.Verifier.Check(presentedParam(raw)); ok {
		return s.apiTokenIntrospection(id), false
	}
	if !accesstoken.LooksSigned(raw) {
		return Introspection{}, false
	}
	payload, ok := s.Keys.Verify(raw)
	if !ok {
		return Introspection{}, false
	}
	c, ok := s.Minter.Valid(payload, now)
	if !ok || !s.stillBehind(c.ApiToken, now) {
		return Introspection{}, true
	}
	t := c.ApiToken
	return Introspection{Active: true, Scope: c.Scope, ClientID: c.ClientID, Subject: c.Subject, Audience: c.Audience,
		Issuer: c.Issuer, Expiry: c.Expiry.Time().Unix(), IssuedAt: unixOf(c.IssuedAt), NotBefore: unixOf(c.NotBefore), ID: c.ID,
		TokenType: IntrospectedAccessToken, ApiToken: &t}, true
}

// stillBehind says whether the ApiToken an access token was exchanged for
// is still the same one (UID), at the same revision (or the previous one
// in its grace period), Active and not past its expiry at now.
func (s *API) stillBehind(t accesstoken.TokenClaims, now time.Time) bool {
	row, ok := s.Model.Get(t.Namespace, t.Name)
	var none tokensecret.Digest
	// Exchanged for the current token, or for the previous one while its
	// grace period lasts (status names it until then; the access token's
	// exp is never past its end).
	current := t.Revision == row.Revision || t.Revision == row.Revision-1 && row.PreviousDigest() != none
	if !ok || row.UID != t.UID || !current || !row.Verifiable() {
		return false
	}
	if ms, set := readmodel.Value(row.Expires); set && !now.Before(time.UnixMilli(ms)) {
		return false
	}
	return true
}

// apiTokenIntrospection is the answer for a valid ApiToken value.
func (s *API) apiTokenIntrospection(id verify.Identity) Introspection {
	in := Introspection{Active: true, Scope: strings.Join(id.Scopes, " "), ClientID: id.Namespace + "/" + id.Name,
		Subject: accesstoken.SubjectPrefix + id.Namespace + ":" + id.Name, Issuer: s.Minter.URL, TokenType: IntrospectedApiToken,
		ApiToken: &accesstoken.TokenClaims{Namespace: id.Namespace, Name: id.Name, UID: id.UID, Type: authv1alpha1.APIName(id.Type),
			Principal: id.Principal, Revision: id.Revision}}
	if !id.ExpirationDate.IsZero() {
		in.Expiry = id.ExpirationDate.Unix()
	}
	return in
}

func unixOf(d *jwt.NumericDate) int64 {
	if d == nil {
		return 0
	}
	return d.Time().Unix()
}
