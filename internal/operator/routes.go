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

package operator

import (
	"net/http"
	"net/netip"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/tools/events"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/issuer"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/queryapi"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/sideband"
	"github.com/apitoken-io/apitoken-operator/internal/signing"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
	"github.com/apitoken-io/apitoken-operator/internal/verifyapi"
	"github.com/apitoken-io/apitoken-operator/internal/writeapi"
)

// HTTPDeps is the shared state every HTTP API is built from (Setup fills
// it from the manager; benchmarks from their own fixtures).
type HTTPDeps struct {
	Model    *readmodel.Model
	Verifier *verify.Verifier
	Access   *httpserver.Access
	// Limiter throttles end clients that guess at values; nil throttles
	// nobody.
	Limiter *guessing.Limiter
	// TrustedProxies are the proxies whose X-Forwarded-For and X-Real-IP
	// name the end client.
	TrustedProxies []netip.Prefix
	// Synced says whether the caches behind Model and Verifier have
	// delivered every object; until then the listeners answer 503.
	Synced func() bool

	// The writes go through the operator's client (Writer), read the
	// ApiToken to change from the API server (Reader) and record Events
	// naming the caller (Recorder).
	Writer             client.Writer
	Reader             client.Reader
	Recorder           events.EventRecorder
	PersonalRules      selfservice.RulesSource
	SelfRotateMaxGrace time.Duration
	// SidebandNamespace turns the sideband API on for one namespace.
	SidebandNamespace string

	// Minter turns the issuer listener on (nil: off), with Keys and
	// JWKSMaxAge.
	Minter     *accesstoken.Issuer
	Keys       *signing.Keys
	JWKSMaxAge time.Duration

	// Console, when not nil, builds /console/ from the authenticated API.
	Console func(api http.Handler) http.Handler
	Clock   clock.Clock
	Log     logr.Logger
}

// Handlers are the handlers of the operator's listeners.
type Handlers struct {
	Query, ForwardAuth http.Handler
	// Issuer is nil when HTTPDeps.Minter is.
	Issuer http.Handler
}

// BuildHandlers builds each API with its own dependencies, then every
// listener's routes: this is the one place that says which path is served
// by which API, behind which filters.
func BuildHandlers(d HTTPDeps) (Handlers, error) {
	if d.Clock == nil {
		d.Clock = clock.RealClock{}
	}
	if d.Log.GetSink() == nil {
		d.Log = logr.Discard()
	}
	writes := &writeapi.API{Model: d.Model, Verifier: d.Verifier, Access: d.Access, Limiter: d.Limiter, TrustedProxies: d.TrustedProxies,
		Writer: d.Writer, Reader: d.Reader, Generator: token.Generator{}, Recorder: d.Recorder, PersonalRules: d.PersonalRules,
		SelfRotateMaxGrace: d.SelfRotateMaxGrace, Log: d.Log}
	var iss *issuer.API
	if d.Minter != nil {
		var err error
		iss, err = issuer.New(&issuer.API{Minter: d.Minter, Keys: d.Keys, JWKSMaxAge: d.JWKSMaxAge, Verifier: d.Verifier, Model: d.Model,
			Access: d.Access, Limiter: d.Limiter, TrustedProxies: d.TrustedProxies, Synced: d.Synced, Writes: writes, Clock: d.Clock, Log: d.Log})
		if err != nil {
			return Handlers{}, err
		}
	}
	writes.Links = iss.Links()
	reads := &queryapi.API{Model: d.Model, Access: d.Access, Links: iss.Links()}
	verification := &verifyapi.API{Verifier: d.Verifier, Limiter: d.Limiter, TrustedProxies: d.TrustedProxies, Minter: d.Minter}
	var side *sideband.API
	if d.SidebandNamespace != "" {
		side = &sideband.API{Namespace: d.SidebandNamespace, Writes: writes}
	}
	h := Handlers{
		Query: httpserver.BuildHandlerChain(httpserver.Chain{
			Synced: d.Synced, Access: d.Access, Log: d.Log, ApiTokenRefusal: writeapi.SelfOnly,
			Routes: queryRoutes(reads, verification, writes, side),
			Mounts: queryMounts(d.Console, side),
		}),
		// The client's token is the question: no caller authentication.
		ForwardAuth: http.HandlerFunc(verification.ForwardAuth),
	}
	if iss != nil {
		h.Issuer = issuerRoutes(iss)
	}
	return h, nil
}

// queryRoutes are the query listener's endpoints.
func queryRoutes(reads *queryapi.API, verification *verifyapi.API, writes *writeapi.API, side *sideband.API) []httpserver.Route {
	const writeBody = selfservice.MaxBodyBytes
	routes := []httpserver.Route{
		// The query API, from the cache.
		{Pattern: "GET /api/v1/tokens", Handler: reads.List(queryapi.FromURL(query.ParseList))},
		{Pattern: "POST /api/v1/tokens/query", MaxBody: query.MaxBodyBytes, Handler: reads.List(queryapi.FromBody)},
		{Pattern: "GET /api/v2/token/query", Handler: reads.List(queryapi.FromURL(query.ParseV2))},
		{Pattern: "GET /api/v1/tokens/{namespace}/{name}", Handler: http.HandlerFunc(reads.Get)},

		// Verification, for callers allowed create apitokens/verify.
		{Pattern: "POST /api/v1/tokens/verify", Permission: verifyapi.Permission, MaxBody: verifyapi.MaxBodyBytes, Handler: http.HandlerFunc(verification.Verify)},
		{Pattern: "POST /api/v1/tokenreviews", Permission: verifyapi.Permission, MaxBody: verifyapi.MaxBodyBytes, Handler: http.HandlerFunc(verification.TokenReview)},

		// Token writes, each authorized for the namespace it names.
		{Pattern: "POST /api/v1/tokens", MaxBody: writeBody, Handler: writes.Create(selfservice.ParseCreate)},
		{Pattern: "PUT /api/v1/tokens/{namespace}/{name}", MaxBody: writeBody, Handler: http.HandlerFunc(writes.Import)},
		{Pattern: "POST /api/v1/tokens/{namespace}/{name}/regenerate", MaxBody: writeBody, Handler: http.HandlerFunc(writes.Regenerate)},
		{Pattern: "POST /api/v1/tokens/{namespace}/{name}/revoke", Handler: http.HandlerFunc(writes.Revoke)},
		{Pattern: "POST /api/v1/tokens/revoke", MaxBody: writeBody, Handler: http.HandlerFunc(writes.RevokeByValue)},
		{Pattern: "DELETE /api/v1/tokens/{namespace}/{name}", Handler: http.HandlerFunc(writes.Delete)},
		{Pattern: "POST /api/v2/token", MaxBody: writeBody, Handler: http.HandlerFunc(writes.CreateV2)},
		{Pattern: "DELETE /api/v2/token/{id}", Handler: http.HandlerFunc(writes.DeleteV2)},

		// A token's own paths: the presented ApiToken is the credential
		// here, and on no other path.
		{Pattern: "GET " + writeapi.SelfPath, Public: true, Handler: http.HandlerFunc(writes.Self)},
		{Pattern: "POST " + writeapi.SelfRotatePath, Public: true, MaxBody: writeBody, Handler: http.HandlerFunc(writes.SelfRotate)},

		// This listener's description (docs/reference/openapi.yaml).
		httpserver.OpenAPIRoute,
	}
	if side != nil {
		// The sideband API reads its bodies itself: its errors have its shape.
		routes = append(routes,
			httpserver.Route{Pattern: "POST " + sideband.Path, Handler: http.HandlerFunc(side.Create)},
			httpserver.Route{Pattern: "PUT " + sideband.Path, Handler: http.HandlerFunc(side.Import)},
			httpserver.Route{Pattern: "DELETE " + sideband.Path, Handler: http.HandlerFunc(side.Delete)},
			httpserver.Route{Pattern: "GET " + sideband.Path, Handler: http.HandlerFunc(side.List)},
		)
	}
	return routes
}

// queryMounts are the query listener's subtrees with a login of their own.
func queryMounts(console func(http.Handler) http.Handler, side *sideband.API) map[string]func(http.Handler) http.Handler {
	mounts := map[string]func(http.Handler) http.Handler{}
	if console != nil {
		mounts["/console/"] = console
	}
	if side != nil {
		mounts[sideband.Path] = sideband.WithASEKeyHint
	}
	return mounts
}

// issuerRoutes is the issuer listener: discovery and the key set for
// anyone; the token and revocation endpoints, where the ApiToken in the
// request is the credential; introspection, which authenticates its
// caller itself. Wrong methods get 405.
func issuerRoutes(iss *issuer.API) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+issuer.DiscoveryPath, iss.Discovery)
	mux.HandleFunc("GET "+issuer.AuthorizationServerMetadataPath, iss.Discovery)
	mux.HandleFunc("GET "+issuer.JWKSPath, iss.JWKS)
	mux.HandleFunc("POST "+issuer.TokenEndpointPath, iss.Token)
	mux.HandleFunc("POST "+issuer.RevocationPath, iss.Revoke)
	mux.HandleFunc("POST "+issuer.IntrospectionPath, iss.Introspect)
	return mux
}
