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
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// What the issuer listener's OAuth endpoints (token, revocation,
// introspection) share: the form, the presented token, the end client, and
// the answers before any token is looked at.

// readForm reads the form body of an issuer endpoint (RFC 6749 §3.2, RFC
// 7009 §2.1, RFC 7662 §2.1): never parameters in the URL, at most
// maxTokenRequestBytes, each parameter once unless named in repeatable.
func readForm(w http.ResponseWriter, r *http.Request, repeatable ...string) (url.Values, *oauthFailure) {
	if r.URL.RawQuery != "" {
		return nil, refuse(http.StatusBadRequest, accesstoken.InvalidRequest,
			"parameters go in the form body, not the URL (a token in a URL ends up in logs)")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "Content-Type: must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenRequestBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "the form is larger than %d bytes", maxTokenRequestBytes)
		}
		return nil, refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "the body is not a valid form")
	}
	for name, vs := range r.PostForm {
		if len(vs) > 1 && !slices.Contains(repeatable, name) {
			return nil, refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "%s: given more than once", safeName(name))
		}
	}
	return r.PostForm, nil
}

// presentedParam is a form parameter holding a token: a value longer than
// any ApiToken is presented as nothing, so that it matches none.
func presentedParam(v string) token.Value {
	if len(v) > verify.MaxTokenBytes {
		v = ""
	}
	return token.PresentedValue(v)
}

// notSynced answers 503 until the caches have synced: an unknown token
// before that might be a known one.
func (s *API) notSynced(w http.ResponseWriter) bool {
	if s.Synced() {
		return false
	}
	w.Header().Set("Retry-After", "5")
	writeOAuthError(w, refuse(http.StatusServiceUnavailable, "temporarily_unavailable", "the token cache has not synced yet: retry shortly"))
	return true
}

// presentedToken reads the token parameter of revocation and introspection
// (RFC 7009 §2.1, RFC 7662 §2.1) and checks the optional token_type_hint.
func presentedToken(form url.Values, action string) (string, *oauthFailure) {
	raw := form.Get("token")
	if raw == "" {
		return "", refuse(http.StatusBadRequest, accesstoken.InvalidRequest, "token: required: the token to %s", action)
	}
	switch form.Get("token_type_hint") {
	case "", HintAccessToken, HintRefreshToken:
		return raw, nil
	default:
		return "", refuse(http.StatusBadRequest, accesstoken.InvalidRequest,
			"token_type_hint: not supported: leave it out, or use %s or %s", HintAccessToken, HintRefreshToken)
	}
}

// writeSlowDown answers a throttled end client in the OAuth error shape.
func writeSlowDown(w http.ResponseWriter, wait time.Duration) {
	secs := httpserver.SetRetryAfter(w, wait)
	writeOAuthError(w, refuse(http.StatusTooManyRequests, "slow_down", "too many failed attempts from this client: retry after %ds", secs))
}
