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

package verifyapi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
)

// Identity headers the forward-auth endpoint sets on success, for the
// ingress to pass to the protected service.
const (
	HeaderPrincipal = "X-Apitoken-Principal"
	HeaderType      = "X-Apitoken-Type"
	HeaderName      = "X-Apitoken-Name"
	HeaderNamespace = "X-Apitoken-Namespace"
	// HeaderScopes lists the token's scopes, space-separated (as OAuth's
	// scope parameter).
	HeaderScopes = "X-Apitoken-Scopes"
)

// ForwardAuth answers an ingress' auth subrequest (ingress-nginx
// auth-url, Traefik ForwardAuth, Envoy ext_authz HTTP) for any method and
// path: 200 with the identity headers for a valid token, 401 otherwise, 429
// (Retry-After) to an end client that made too many failed attempts. The
// ingress may restrict with ?namespace= and ?type=, and require scopes with
// ?scope= (repeatable, all required): a valid token that lacks one gets 403
// insufficient_scope (RFC 6750 §3.1). The Authorization header
// belongs to the client here, so this listener does not authenticate its
// caller: keep it reachable from the ingress controller only.
func (s *API) ForwardAuth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	deny := func() {
		w.Header().Set("WWW-Authenticate", `Bearer realm="apitoken-operator"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
	}
	var client string
	if s.Limiter != nil { // the end client matters to the limiter only: not on the hot path without it
		client = "addr:" + httpserver.EndClient(r, s.TrustedProxies)
	}
	if wait, throttled := httpserver.Throttled(s.Limiter, "forward-auth", client); throttled {
		httpserver.WriteThrottled(w, wait, false)
		return
	}
	// No token at all is an anonymous visit, not a guess: only a presented
	// token that fails counts.
	presented, ok := httpserver.PresentedToken(r.Header)
	if !ok {
		deny()
		return
	}
	id, ok := s.Verifier.Verify(presented)
	if !ok {
		s.Limiter.Failed(client)
		deny()
		return
	}
	var q url.Values // most ingresses ask without parameters: no parse
	if r.URL.RawQuery != "" {
		q = r.URL.Query()
	}
	if ns := q.Get("namespace"); ns != "" && ns != id.Namespace {
		deny()
		return
	}
	if t := q.Get("type"); t != "" {
		if want, known := authv1alpha1.ParseEnum(authv1alpha1.TokenTypes, t); !known || want != id.Type {
			deny()
			return
		}
	}
	if missing := scope.Missing(id.Scopes, q["scope"]); len(missing) > 0 {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="apitoken-operator", error="insufficient_scope", scope=%q`, strings.Join(q["scope"], " ")))
		http.Error(w, "Forbidden: the token lacks scope "+strings.Join(missing, " "), http.StatusForbidden)
		return
	}
	// The identity headers share one backing array: one allocation, not
	// one per header (the names are already canonical).
	h := w.Header()
	vals := [...]string{strings.Join(id.Scopes, " "), id.Principal, authv1alpha1.APIName(id.Type), id.Name, id.Namespace}
	for i, name := range [...]string{HeaderScopes, HeaderPrincipal, HeaderType, HeaderName, HeaderNamespace} {
		h[name] = vals[i : i+1 : i+1]
	}
	w.WriteHeader(http.StatusOK)
}
