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

package httpapi

import (
	"net/http"
	"net/netip"

	"github.com/go-logr/logr"

	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// API holds what the handlers serve from; every field is set before a
// handler is built.
type API struct {
	Model    *readmodel.Model
	Verifier *verify.Verifier
	Access   *Access
	Log      logr.Logger
	// Limiter throttles end clients that guess at the verification
	// endpoints; nil throttles nobody.
	Limiter *FailureLimiter
	// TrustedProxies are the proxies whose X-Forwarded-For and X-Real-IP
	// name the end client at forward auth.
	TrustedProxies []netip.Prefix
	// Synced says whether the caches behind Model and Verifier have
	// delivered every object; until then the query server answers 503.
	Synced func() bool
}

// QueryHandler is the query server's mux: every route behind the synced
// check and authentication, each authorized by its handler. Wrong methods
// get 405 from the mux.
func (s *API) QueryHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/tokens", s.list(fromURL(query.ParseList)))
	mux.Handle("POST /api/v1/tokens/query", s.list(fromBody))
	mux.Handle("GET /api/v2/token/query", s.list(fromURL(query.ParseV2)))
	mux.HandleFunc("GET /api/v1/tokens/{namespace}/{name}", s.get)
	mux.Handle("POST /api/v1/tokens/verify", s.authorized("create", "apitokens", "verify", s.serveVerify))
	mux.Handle("POST /api/v1/tokenreviews", s.authorized("create", "apitokens", "verify", s.serveTokenReview))
	return withSynced(withAuthentication(mux, s.Access.Authenticator, s.Log), s.Synced)
}

// ForwardAuthHandler is the forward-auth listener's handler: any method and
// path, no caller authentication (the client's token is the question).
func (s *API) ForwardAuthHandler() http.Handler {
	return http.HandlerFunc(s.serveForwardAuth)
}
