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

package httpserver

import (
	"fmt"
	"net/http"

	"github.com/go-logr/logr"
	"k8s.io/apiserver/pkg/endpoints/request"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Route is one endpoint behind the listener's authentication.
type Route struct {
	// Pattern is the http.ServeMux pattern, method first: "GET /api/v1/tokens".
	Pattern string
	// Public routes skip the listener's authentication: the token the
	// request presents is its credential, checked by the handler.
	Public bool
	// Static routes answer from the binary, not the caches: served before
	// the synced check, without authentication (the OpenAPI document).
	Static bool
	// Permission, when set, is what the caller must be allowed cluster-wide
	// before anything else (403 otherwise). Without it the handler decides,
	// for the namespaces the request names.
	Permission *Permission
	// MaxBody, when above 0, reads the body before the handler, which gets
	// it with Body: 413 past MaxBody bytes.
	MaxBody int64
	Handler http.Handler
}

// Permission is a verb on a resource (and subresource) of auth.apitoken.io.
type Permission struct {
	Verb, Resource, Subresource string
}

// Chain is a listener whose routes sit behind Kubernetes authentication.
type Chain struct {
	// Synced says whether the caches behind the handlers have delivered
	// every object; until then every path answers 503.
	Synced func() bool
	Access *Access
	Log    logr.Logger
	// Routes are the authenticated endpoints.
	Routes []Route
	// Mounts are subtrees outside the listener's authentication, each built
	// from the authenticated handler: the console calls it in-process, the
	// sideband API's hint falls through to it.
	Mounts map[string]func(authenticated http.Handler) http.Handler
	// ApiTokenRefusal is the 403 of an ApiToken identity (through a
	// TokenReview webhook) on an authenticated route: it gains no right
	// here from presenting itself.
	ApiTokenRefusal string
}

// BuildHandlerChain is the listener's handler. A request passes, in order:
//
//  0. static routes answer at once, from the binary;
//  1. synced: 503 until the caches have synced;
//  2. authentication: 401 without a valid Kubernetes bearer token, except
//     on public routes and mounts, which authenticate their own way;
//  3. per-route authorization: 403 unless the caller holds the route's
//     Permission (routes without one authorize in their handler);
//  4. body limit: the route's body read, 413 past its MaxBody;
//  5. the route's handler; a wrong method gets 405 from the mux.
func BuildHandlerChain(c Chain) http.Handler {
	top, routes := http.NewServeMux(), http.NewServeMux()
	authenticated := withAuthentication(routes, c.Access, c.ApiTokenRefusal, c.Log)
	top.Handle("/", authenticated)
	for pattern, build := range c.Mounts {
		top.Handle(pattern, build(authenticated))
	}
	outer := http.NewServeMux()
	outer.Handle("/", withSynced(top, c.Synced))
	for _, rt := range c.Routes {
		if (rt.Public || rt.Static) && rt.Permission != nil {
			panic("httpserver: route " + rt.Pattern + " is not authenticated: it has no caller to authorize")
		}
		h := c.Access.authorize(rt.Permission, limitBody(rt.MaxBody, rt.Handler))
		switch {
		case rt.Static:
			outer.Handle(rt.Pattern, h)
		case rt.Public:
			top.Handle(rt.Pattern, h)
		default:
			routes.Handle(rt.Pattern, h)
		}
	}
	return outer
}

// withSynced answers 503 until synced says the caches have delivered every
// object: an empty answer before that would be wrong, not just late.
func withSynced(h http.Handler, synced func() bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !synced() {
			WriteError(w, http.StatusServiceUnavailable, "the token cache has not synced yet: retry shortly")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// withAuthentication answers 401 without valid credentials, else puts the
// caller in the request's context (request.UserFrom) for h, with the
// request's budget of authorization questions.
func withAuthentication(h http.Handler, a *Access, apiTokenRefusal string, log logr.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok, err := a.Authenticator.AuthenticateRequest(r)
		if err != nil {
			// TokenReview reports a bad token as an error too: the caller
			// gets 401 either way, the reason only goes to the log.
			log.V(1).Info("Rejected a request: authentication failed", "reason", err.Error())
		}
		if err != nil || !ok || res == nil || res.User == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="apitoken-operator"`)
			WriteError(w, http.StatusUnauthorized, "a valid Kubernetes bearer token is required")
			return
		}
		if ApiTokenIdentity(res.User) {
			// An ApiToken authenticated by a TokenReview webhook gains no
			// right here from presenting itself.
			WriteError(w, http.StatusForbidden, apiTokenRefusal)
			return
		}
		h.ServeHTTP(w, r.WithContext(WithReviewBudget(request.WithUser(r.Context(), res.User))))
	})
}

// authorize answers 403 unless the caller may do p cluster-wide, then
// calls h; a nil p leaves the decision to h. The caller comes from
// withAuthentication.
func (a *Access) authorize(p *Permission, h http.Handler) http.Handler {
	if p == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := request.UserFrom(r.Context())
		ok, err := a.Allowed(r.Context(), u, p.Verb, "", p.Resource, p.Subresource)
		if err != nil {
			a.AuthorizationFailed(w, u, err)
			return
		}
		if !ok {
			WriteError(w, http.StatusForbidden, fmt.Sprintf("%s may not %s %s in %s", u.GetName(), p.Verb, resourceName(p.Resource, p.Subresource), authv1alpha1.GroupVersion.Group))
			return
		}
		h.ServeHTTP(w, r)
	})
}
