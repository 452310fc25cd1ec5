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
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// maxTokenRequestBytes bounds a token request's form.
const maxTokenRequestBytes = 16 << 10

// TokenResponse is the token endpoint's success body (RFC 6749 §5.1, RFC
// 8693 §2.2.1).
type TokenResponse struct {
	AccessToken     string `json:"access_token"`
	TokenType       string `json:"token_type"`
	ExpiresIn       int64  `json:"expires_in"`
	Scope           string `json:"scope"`
	IssuedTokenType string `json:"issued_token_type,omitempty"`
}

// OAuthError is the token endpoint's error body (RFC 6749 §5.2).
type OAuthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// tokenRequest is a parsed token request: the presented ApiToken and what
// is asked for it.
type tokenRequest struct {
	grant string
	// presented is the ApiToken: client_secret, subject_token or
	// refresh_token.
	presented token.Value
	// clientID is the client_id given (form or Basic), "" when none.
	clientID string
	req      accesstoken.Request
}

// oauthFailure is a refused request: status, code, description.
type oauthFailure struct {
	status int
	err    OAuthError
}

func refuse(status int, code, format string, args ...any) *oauthFailure {
	return &oauthFailure{status: status, err: OAuthError{Error: code, Description: fmt.Sprintf(format, args...)}}
}

// Token is POST /oauth2/token: it parses and checks the request,
// checks the ApiToken (valid, Active, not expired; the previous token in
// its grace period too), decides the claims and signs them. Every token
// that does not redeem gets the same invalid_grant, and counts against the
// end client's failure budget as at the verify endpoints.
func (s *API) Token(w http.ResponseWriter, r *http.Request) {
	start := s.Clock.Now()
	result := s.exchange(w, r, start)
	metrics.Exchanges.WithLabelValues(result).Inc()
	metrics.ExchangeDuration.Observe(s.Clock.Since(start).Seconds())
}

// exchange answers the request and returns the result to count.
func (s *API) exchange(w http.ResponseWriter, r *http.Request, now time.Time) string {
	if s.notSynced(w) {
		return "unavailable"
	}
	client := httpserver.EndClientKey(r, s.TrustedProxies)
	if wait, throttled := httpserver.Throttled(s.Limiter, "token", client); throttled {
		writeSlowDown(w, wait)
		return "throttled"
	}
	tr, fail := parseTokenRequest(w, r)
	if fail != nil {
		writeOAuthError(w, fail)
		return fail.err.Error
	}
	id, ok := s.Verifier.Check(tr.presented)
	if !ok || (tr.clientID != "" && tr.clientID != id.Namespace+"/"+id.Name) {
		s.Limiter.Failed(client)
		f := refusal(accesstoken.InvalidGrantRefusal())
		if tr.grant == GrantClientCredentials {
			// The token is the client's secret: a wrong one fails client
			// authentication (RFC 6749 §5.2), whether or not client_id
			// names an ApiToken.
			f = clientAuthFailed()
		}
		writeOAuthError(w, f)
		return f.err.Error
	}
	claims, err := s.Minter.Grant(id, tr.req, now)
	if err != nil {
		var r *accesstoken.Refusal
		if errors.As(err, &r) {
			writeOAuthError(w, refusal(r))
			return r.Code
		}
		s.Log.Error(err, "Failed to issue an access token")
		writeOAuthError(w, refuse(http.StatusInternalServerError, "server_error", "the access token could not be issued"))
		return "server_error"
	}
	signer, _, ok := s.Keys.Signer(now)
	if !ok {
		w.Header().Set("Retry-After", "5")
		writeOAuthError(w, refuse(http.StatusServiceUnavailable, "temporarily_unavailable", "the issuer has no signing key yet: retry shortly"))
		return "unavailable"
	}
	jwt, err := accesstoken.Sign(signer, claims)
	if err != nil {
		s.Log.Error(err, "Failed to sign an access token")
		writeOAuthError(w, refuse(http.StatusInternalServerError, "server_error", "the access token could not be signed"))
		return "server_error"
	}
	resp := TokenResponse{AccessToken: jwt, TokenType: "Bearer", ExpiresIn: claims.ExpiresIn(now), Scope: claims.Scope}
	if tr.grant == GrantTokenExchange {
		resp.IssuedTokenType = TokenTypeJWT
	}
	s.Verifier.Used(id, now)
	w.Header().Set("Pragma", "no-cache")
	httpserver.WriteJSON(w, http.StatusOK, resp)
	return "issued"
}

// clientAuthFailed is the one answer to client credentials that do not
// authenticate: unknown client, wrong secret and another ApiToken's look
// the same.
func clientAuthFailed() *oauthFailure {
	return refuse(http.StatusUnauthorized, accesstoken.InvalidClient,
		"client authentication failed: client_secret is not a valid token of the ApiToken client_id names")
}

// refusal answers the rule's refusal: 400 with its code.
func refusal(r *accesstoken.Refusal) *oauthFailure {
	return &oauthFailure{status: http.StatusBadRequest, err: OAuthError{Error: r.Code, Description: r.Description}}
}

func writeOAuthError(w http.ResponseWriter, f *oauthFailure) {
	if f.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="apitoken-operator"`)
	}
	w.Header().Set("Pragma", "no-cache")
	httpserver.WriteJSON(w, f.status, f.err)
}

// parseTokenRequest reads the form and the client authentication, and
// checks every parameter of the grant. It never puts a presented value in
// a description.
func parseTokenRequest(w http.ResponseWriter, r *http.Request) (tokenRequest, *oauthFailure) {
	form, f := readForm(w, r, "audience")
	if f != nil {
		return tokenRequest{}, f
	}
	tr := tokenRequest{grant: form.Get("grant_type")}
	if f := parseScopeAndAudience(form, &tr); f != nil {
		return tr, f
	}
	secret, f := clientAuth(r, form, &tr)
	if f != nil {
		return tr, f
	}
	var presented, param string
	switch tr.grant {
	case "":
		return tr, refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "grant_type: required")
	case GrantClientCredentials:
		if tr.clientID == "" || secret == "" {
			return tr, refuse(http.StatusUnauthorized, accesstoken.InvalidClient,
				"client authentication required: client_id <namespace>/<name> and client_secret <the ApiToken>, by HTTP Basic or in the form")
		}
		presented, param = secret, "client_secret"
	case GrantTokenExchange:
		if f := checkExchangeParams(form); f != nil {
			return tr, f
		}
		presented, param = form.Get("subject_token"), "subject_token"
	case GrantRefreshToken:
		presented, param = form.Get("refresh_token"), "refresh_token"
	default:
		return tr, refuse(http.StatusBadRequest, accesstoken.UnsupportedGrantType, "grant_type: not supported: use %s, %s or %s",
			GrantClientCredentials, GrantTokenExchange, GrantRefreshToken)
	}
	if presented == "" {
		return tr, refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "%s: required", param)
	}
	// With the other grants the grant's token is the credential: a
	// client_secret beside it must be that same token.
	if secret != "" && param != "client_secret" && subtle.ConstantTimeCompare([]byte(secret), []byte(presented)) != 1 {
		return tr, refuse(http.StatusUnauthorized, accesstoken.InvalidClient,
			"client_secret: with grant_type %s the credential is %s; leave client_secret empty or send the same token", tr.grant, param)
	}
	tr.presented = presentedParam(presented) // no ApiToken is longer: it redeems as unknown
	return tr, nil
}

// clientAuth reads client_id and client_secret from HTTP Basic (RFC 6749
// §2.3.1: form-encoded, then base64) or the form, never both.
func clientAuth(r *http.Request, form url.Values, tr *tokenRequest) (string, *oauthFailure) {
	id, secret := form.Get("client_id"), form.Get("client_secret")
	if h := r.Header.Get("Authorization"); h != "" {
		user, pass, ok := r.BasicAuth()
		if !ok {
			return "", refuse(http.StatusUnauthorized, accesstoken.InvalidClient, "Authorization: only HTTP Basic client authentication is supported")
		}
		bid, err1 := url.QueryUnescape(user)
		bsecret, err2 := url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return "", refuse(http.StatusUnauthorized, accesstoken.InvalidClient, "Authorization: the client id and secret must be form-encoded (RFC 6749 §2.3.1)")
		}
		if secret != "" {
			return "", refuse(http.StatusBadRequest, accesstoken.InvalidRequest,
				"client_secret: given in the form and by HTTP Basic: use one client authentication method")
		}
		if id != "" && id != bid {
			return "", refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "client_id: the form and HTTP Basic name different clients")
		}
		id, secret = bid, bsecret
	}
	if id != "" {
		ns, name, ok := strings.Cut(id, "/")
		if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
			return "", refuse(http.StatusUnauthorized, accesstoken.InvalidClient, "client_id: must be <namespace>/<name> of the ApiToken")
		}
	}
	tr.clientID = id
	return secret, nil
}

// checkExchangeParams checks RFC 8693's parameters besides subject_token.
func checkExchangeParams(form url.Values) *oauthFailure {
	// Values are not echoed: a client that mixed up its parameters may
	// have put its token in one.
	switch t := form.Get("subject_token_type"); t {
	case TokenTypeAccessToken:
	case "":
		return refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "subject_token_type: required (%s)", TokenTypeAccessToken)
	default:
		return refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "subject_token_type: not supported: use %s", TokenTypeAccessToken)
	}
	if t := form.Get("requested_token_type"); t != "" && t != TokenTypeJWT && t != TokenTypeAccessToken {
		return refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "requested_token_type: not supported: use %s", TokenTypeJWT)
	}
	if form.Get("actor_token") != "" || form.Get("actor_token_type") != "" {
		return refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "actor_token: delegation is not supported")
	}
	return nil
}

// parseScopeAndAudience reads the optional scope (space-separated) and
// audience (repeatable) parameters.
func parseScopeAndAudience(form url.Values, tr *tokenRequest) *oauthFailure {
	if vs, ok := form["scope"]; ok {
		tr.req.Scopes = strings.Fields(vs[0])
		if len(tr.req.Scopes) == 0 {
			return refuse(http.StatusBadRequest, accesstoken.InvalidScope, "scope: empty; leave it out to get all of the token's scopes")
		}
	}
	for _, a := range form["audience"] {
		if a == "" || len(a) > 256 {
			return refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "audience: must be 1 to 256 characters long")
		}
		tr.req.Audiences = append(tr.req.Audiences, a)
	}
	return nil
}

// knownParams are the parameter names a description may echo; another
// name might be a value sent by mistake.
var knownParams = []string{"grant_type", "client_id", "client_secret", "scope", "audience", "subject_token", "subject_token_type",
	"requested_token_type", "actor_token", "actor_token_type", "refresh_token", "resource", "token", "token_type_hint"}

// safeName is a parameter name fit for a description.
func safeName(name string) string {
	if slices.Contains(knownParams, name) {
		return name
	}
	return "a parameter"
}
