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

// Package console is the operator's web console for people: list, create
// (the value shown once), regenerate, revoke and delete ApiTokens, served at
// /console/ on the query listener. It renders html/template pages from
// embed.FS and calls the JSON API in-process for every read and write, so
// authorization, validation and writes have one code path: the API's.
package console

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/utils/clock"

	"github.com/apitoken-io/apitoken-operator/internal/grant"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// DefaultExpiringSoon is when an Active token's badge turns to "Expiring
// soon" (--console-expiring-soon).
const DefaultExpiringSoon = 14 * 24 * time.Hour

// Options is what the console needs besides the API it calls.
type Options struct {
	// Authenticator says who a request's credential belongs to (the query
	// API's: TokenReview, or anonymous under --query-auth=none).
	Authenticator authenticator.Request
	// Writable says where a person may create tokens (the create
	// endpoint's authorization questions), DefaultNamespace included.
	Writable func(ctx context.Context, u user.Info, extra ...string) (grant.Writable, error)
	// Details reads what the API's rows do not carry: the Ready
	// condition's message and recent Events. Asked only after the API has
	// shown the caller the token.
	Details func(ctx context.Context, namespace, name string) (Details, error)
	// ExpiringSoon is the "Expiring soon" window.
	ExpiringSoon time.Duration
	// PersonalRules are the self-service rules (the longest ttl and the
	// scopes of a personal token), shown on the create form.
	PersonalRules selfservice.RulesSource
	// DefaultNamespace is offered first for personal tokens.
	DefaultNamespace string
	// Secure marks the session cookie Secure (the listener serves TLS).
	Secure bool
	Clock  clock.PassiveClock
	Log    logr.Logger
}

// Console serves /console/.
type Console struct {
	opts  Options
	api   http.Handler
	pages map[string]*template.Template
}

// New returns the builder of /console/ (operator.HTTPDeps.Console): the console over
// the authenticated API.
func New(opts Options) func(api http.Handler) http.Handler {
	if opts.ExpiringSoon <= 0 {
		opts.ExpiringSoon = DefaultExpiringSoon
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	pages := parsePages()
	return func(api http.Handler) http.Handler {
		c := &Console{opts: opts, api: api, pages: pages}
		return c.handler()
	}
}

// handler routes the console's pages behind its headers and CSRF check.
func (c *Console) handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /console/login", c.loginPage)
	mux.HandleFunc("POST /console/login", c.login)
	mux.HandleFunc("POST /console/logout", c.logout)
	mux.Handle("GET /console/{$}", c.authenticated(c.listPage))
	mux.Handle("GET /console/tokens/{namespace}/{name}", c.authenticated(validRef(c, c.detailPage)))
	mux.Handle("GET /console/new", c.authenticated(c.createPage))
	mux.Handle("POST /console/new", c.authenticated(c.createToken))
	for _, action := range []string{"regenerate", "revoke", "delete"} {
		mux.Handle("GET /console/tokens/{namespace}/{name}/"+action, c.authenticated(validRef(c, c.confirmPage(action))))
	}
	mux.Handle("POST /console/tokens/{namespace}/{name}/regenerate", c.authenticated(validRef(c, c.regenerate)))
	mux.Handle("POST /console/tokens/{namespace}/{name}/revoke", c.authenticated(validRef(c, c.revoke)))
	mux.Handle("POST /console/tokens/{namespace}/{name}/delete", c.authenticated(validRef(c, c.delete)))
	// Nothing of a link is echoed: a page of the console never shows a
	// sentence someone else chose.
	mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.renderError(w, r, nil, http.StatusNotFound, "There is no such console page.")
	})
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.renderError(w, r, nil, http.StatusForbidden, "This form was sent from another site, so nothing was changed. Open the console and try again there.")
	}))
	return withHeaders(csrf.Handler(mux))
}

// validRef answers 404 for a {namespace}/{name} that cannot name an
// ApiToken, before any API call, and without echoing it.
func validRef(c *Console, h func(http.ResponseWriter, *http.Request, *session)) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, s *session) {
		if selfservice.ValidateRef(r.PathValue("namespace"), r.PathValue("name")) != nil {
			c.renderError(w, r, s, http.StatusNotFound, noSuchToken)
			return
		}
		h(w, r, s)
	}
}

// noSuchToken is the console's answer for a token that does not exist or
// that the caller may not see: the same, and naming nothing.
const noSuchToken = "There is no such ApiToken, or you may not see it."

// contentSecurityPolicy allows the console's own scripts and styles only:
// no inline script or style, no frames, forms posting back to it alone.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// withHeaders sets the headers every console response carries.
func withHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}
