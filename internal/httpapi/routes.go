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
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/sideband"
	"github.com/apitoken-io/apitoken-operator/internal/token"
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
	Limiter *guessing.Limiter
	// TrustedProxies are the proxies whose X-Forwarded-For and X-Real-IP
	// name the end client at forward auth.
	TrustedProxies []netip.Prefix
	// Synced says whether the caches behind Model and Verifier have
	// delivered every object; until then the query server answers 503.
	Synced func() bool

	// The self-service API writes with the operator's client (Writer),
	// reads the ApiToken to change from the API server (Reader), draws
	// values like the controller (Generator) and records an Event naming
	// the caller (Recorder).
	Writer    client.Writer
	Reader    client.Reader
	Generator token.Generator
	Recorder  events.EventRecorder
	// PersonalRules are the longest ttl and the scopes of a personal token
	// (apitokens/self): the flags, or the ConfigMap the personal-tokens
	// admission policy reads too.
	PersonalRules selfservice.RulesSource

	// Issuer serves the issuer listener (discovery, keys, token
	// endpoint); nil when it is off. Its URLs appear in query rows.
	Issuer *IssuerConfig
	// Clock is the token endpoint's clock.
	Clock clock.Clock
	// SidebandNamespace turns the sideband token API on and names the
	// namespace whose ApiTokens it manages (--sideband-api-namespace).
	SidebandNamespace string
	// SelfRotateMaxGrace caps the grace period of a self-rotation
	// (--self-rotate-max-grace); 0 means DefaultSelfRotateMaxGrace.
	SelfRotateMaxGrace time.Duration
}

// QueryHandler is the query server's mux: every route behind the synced
// check and authentication, each authorized by its handler. Wrong methods
// get 405 from the mux. console, when not nil, builds the handler of
// /console/ (its own login, outside the API's authentication) from the
// authenticated API, which the console calls in-process: one code path for
// authorization and writes.
func (s *API) QueryHandler(console func(api http.Handler) http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/tokens", s.list(fromURL(query.ParseList)))
	mux.Handle("POST /api/v1/tokens/query", s.list(fromBody))
	mux.Handle("GET /api/v2/token/query", s.list(fromURL(query.ParseV2)))
	mux.HandleFunc("GET /api/v1/tokens/{namespace}/{name}", s.get)
	mux.Handle("POST /api/v1/tokens/verify", s.authorized("create", "apitokens", "verify", s.serveVerify))
	mux.Handle("POST /api/v1/tokenreviews", s.authorized("create", "apitokens", "verify", s.serveTokenReview))
	mux.HandleFunc("POST /api/v1/tokens", s.create(selfservice.ParseCreate))
	mux.HandleFunc("PUT /api/v1/tokens/{namespace}/{name}", s.importValue)
	mux.HandleFunc("POST /api/v1/tokens/{namespace}/{name}/regenerate", s.regenerate)
	mux.HandleFunc("POST /api/v1/tokens/{namespace}/{name}/revoke", s.revoke)
	mux.HandleFunc("POST /api/v1/tokens/revoke", s.revokeByValue)
	mux.HandleFunc("DELETE /api/v1/tokens/{namespace}/{name}", s.delete)
	mux.HandleFunc("POST /api/v2/token", s.createV2)
	mux.HandleFunc("DELETE /api/v2/token/{id}", s.deleteV2)
	if s.SidebandNamespace != "" {
		s.sidebandRoutes(mux)
	}
	api := withAuthentication(mux, s.Access.Authenticator, s.Log)
	top := http.NewServeMux()
	top.Handle("/", api)
	if s.SidebandNamespace != "" {
		top.Handle(sideband.Path, withASEKeyHint(api))
	}
	// The presented ApiToken is the credential of these two, and of no
	// other path (withAuthentication refuses ApiToken identities).
	top.HandleFunc("GET "+SelfPath, s.serveSelf)
	top.HandleFunc("POST "+SelfRotatePath, s.serveSelfRotate)
	if console != nil {
		top.Handle("/console/", console(api))
	}
	return withSynced(top, s.Synced)
}

// ForwardAuthHandler is the forward-auth listener's handler: any method and
// path, no caller authentication (the client's token is the question).
func (s *API) ForwardAuthHandler() http.Handler {
	return http.HandlerFunc(s.serveForwardAuth)
}
