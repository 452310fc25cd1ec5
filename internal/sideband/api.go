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

package sideband

import (
	"cmp"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"k8s.io/apiserver/pkg/endpoints/request"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/grant"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/writeapi"
)

// The sideband token API (PingIntelligence ASE's Token REST API) manages
// the ApiTokens of one namespace (--sideband-api-namespace), with the
// query listener's authentication and the caller's RBAC there: create on
// apitokens to create and import, delete to delete, list to list. Every
// token is hash-only, type API_CLIENT; no answer but a create's holds a
// value (the original API echoes imported and deleted values; this one
// never does).

// principal is the principal of the ApiTokens the API makes.
const principal = "ase-sideband"

// API is what the sideband API serves from.
type API struct {
	// Namespace is the namespace whose ApiTokens it manages
	// (--sideband-api-namespace).
	Namespace string
	// Writes is the self-service write path, which the sideband API's
	// writes take too (and its Model, Verifier, Limiter and Generator).
	Writes *writeapi.API
}

// WithASEKeyHint answers 401 to a request that carries only ASE's own
// x-ase-access-key / x-ase-secret-key headers, saying what to send
// instead, before authentication refuses it in general terms.
func WithASEKeyHint(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" && (r.Header.Get("x-ase-access-key") != "" || r.Header.Get("x-ase-secret-key") != "") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="apitoken-operator"`)
			httpserver.WriteJSON(w, http.StatusUnauthorized, Failure(
				"x-ase-access-key and x-ase-secret-key are not Kubernetes credentials: send Authorization: Bearer <a Kubernetes token> "+
					"(a ServiceAccount token or your own) allowed on apitokens.auth.apitoken.io in the sideband namespace"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// allowed answers 403 (or 500) unless the caller may do verb on
// every ApiToken of the sideband namespace.
func (s *API) allowed(w http.ResponseWriter, r *http.Request, verb string) bool {
	u, _ := request.UserFrom(r.Context())
	g, err := grant.For(r.Context(), s.Writes.Access, u, verb, s.Namespace)
	if err != nil {
		s.Writes.Access.AuthorizationFailed(w, u, err)
		return false
	}
	if g != grant.All {
		httpserver.WriteJSON(w, http.StatusForbidden, Failure("%s may not %s apitokens.auth.apitoken.io in namespace %q, the sideband token namespace",
			u.GetName(), verb, s.Namespace))
		return false
	}
	return true
}

// value reads the {"token"} body of PUT and DELETE, authorizes
// verb and checks the caller's guess budget; it returns the value and the
// caller's limiter key. false means it has answered.
func (s *API) value(w http.ResponseWriter, r *http.Request, verb string) (token.Value, string, bool) {
	raw, ok := readBody(w, r)
	if !ok {
		return token.Value{}, "", false
	}
	value, err := ParseToken(raw)
	if err != nil {
		httpserver.WriteJSON(w, http.StatusBadRequest, Failure("%s", err.Error()))
		return token.Value{}, "", false
	}
	if !s.allowed(w, r, verb) {
		return token.Value{}, "", false
	}
	caller := httpserver.CallerClient(r)
	if wait, throttled := httpserver.Throttled(s.Writes.Limiter, "sideband", caller); throttled {
		writeThrottled(w, wait)
		return token.Value{}, "", false
	}
	return value, caller, true
}

// readBody reads a bounded body; false means it has answered.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	switch {
	case err != nil:
		httpserver.WriteJSON(w, http.StatusBadRequest, Failure("the body cannot be read"))
		return nil, false
	case len(raw) > MaxBodyBytes:
		httpserver.WriteJSON(w, http.StatusBadRequest, Failure("the body is larger than %d bytes", MaxBodyBytes))
		return nil, false
	}
	return raw, true
}

// Create answers POST: 201 {"status": "token_created", "token"}
// with a new value of the API's format, shown this once.
func (s *API) Create(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, "create") {
		return
	}
	gen := Generate()
	value, err := s.Writes.Generator.Generate(gen)
	if err != nil {
		s.Writes.WriteFailed(w, r, err)
		return
	}
	req := selfservice.CreateRequest{Generate: gen, Metadata: s.metadata()}
	if s.write(w, r, req.HashOnly(s.caller(r), value), value) {
		httpserver.WriteJSON(w, http.StatusCreated, Created{Status: StatusCreated, Token: string(value.Reveal())})
	}
}

// Import answers PUT {"token"}: the value becomes a new hash-only
// ApiToken (only its fingerprint is stored).
func (s *API) Import(w http.ResponseWriter, r *http.Request) {
	value, caller, ok := s.value(w, r, "create")
	if !ok {
		return
	}
	if _, _, held := s.Writes.Verifier.Holder(value); held {
		// Refused like a guess: a caller that tries values learns no more.
		s.Writes.Limiter.Failed(caller)
		httpserver.WriteJSON(w, http.StatusConflict, Failure("token: this value cannot be imported: an ApiToken holds it already"))
		return
	}
	req := selfservice.ImportRequest{Metadata: s.metadata(), Value: value}
	if s.write(w, r, req.ApiToken(s.caller(r)), value) {
		httpserver.WriteJSON(w, http.StatusOK, Result{Status: StatusSuccess, Message: MessageImported})
	}
}

// Delete answers DELETE {"token"}: the ApiToken of the sideband
// namespace that holds the value is deleted; an unknown value is 404 in the
// same shape, and counts against the caller as a guess.
func (s *API) Delete(w http.ResponseWriter, r *http.Request) {
	value, caller, ok := s.value(w, r, "delete")
	if !ok {
		return
	}
	ns, name, held := s.Writes.Verifier.Holder(value)
	if !held || ns != s.Namespace {
		s.Writes.Limiter.Failed(caller)
		httpserver.WriteJSON(w, http.StatusNotFound, Failure("no sideband token has this value"))
		return
	}
	tok := &authv1alpha1.ApiToken{}
	if err := s.Writes.Reader.Get(r.Context(), client.ObjectKey{Namespace: ns, Name: name}, tok); err != nil {
		s.Writes.WriteFailed(w, r, err)
		return
	}
	// The sideband caller may delete every ApiToken of the namespace.
	if err := s.Writes.DeleteAs(r, tok, grant.All); client.IgnoreNotFound(err) != nil {
		s.Writes.WriteFailed(w, r, err)
		return
	}
	writeapi.Await(r.Context(), writeapi.DefaultWait, func() bool { _, ok := s.Writes.Verifier.Check(value); return !ok })
	httpserver.WriteJSON(w, http.StatusOK, Result{Status: StatusSuccess, Message: MessageDeleted})
}

// List answers GET: every ApiToken of the sideband namespace,
// newest first, by its last characters and creation time (UTC).
func (s *API) List(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r, "list") {
		return
	}
	var rows []readmodel.Row
	s.Writes.Model.Each(func(row *readmodel.Row) {
		if row.Namespace == s.Namespace {
			rows = append(rows, *row)
		}
	})
	slices.SortFunc(rows, func(a, b readmodel.Row) int {
		if c := cmp.Compare(b.Created, a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	out := List{SidebandTokens: make([]Listed, 0, len(rows))}
	for i := range rows {
		var created time.Time
		if ms, set := readmodel.Value(rows[i].Created); set {
			created = time.UnixMilli(ms)
		}
		out.SidebandTokens = append(out.SidebandTokens, Entry(rows[i].LastChars(), created))
	}
	httpserver.WriteJSON(w, http.StatusOK, out)
}

// metadata describes every ApiToken the API makes.
func (s *API) metadata() selfservice.Metadata {
	return selfservice.Metadata{Namespace: s.Namespace, Type: authv1alpha1.TokenTypeApiClient, Principal: principal,
		Description: "PingIntelligence ASE sideband token (" + Path + ")"}
}

// write creates tok and waits until value verifies here; false
// means it has answered.
func (s *API) write(w http.ResponseWriter, r *http.Request, tok *authv1alpha1.ApiToken, value token.Value) bool {
	tok.Name, tok.GenerateName = "", "sideband-"
	if err := s.Writes.Writer.Create(r.Context(), tok); err != nil {
		s.Writes.WriteFailed(w, r, err)
		return false
	}
	u, _ := request.UserFrom(r.Context())
	s.Writes.Record(tok, writeapi.EventCreated, u)
	writeapi.Await(r.Context(), writeapi.DefaultWait, s.Writes.Verifies(value))
	return true
}

func (s *API) caller(r *http.Request) string {
	u, _ := request.UserFrom(r.Context())
	return u.GetName()
}

func writeThrottled(w http.ResponseWriter, wait time.Duration) {
	secs := httpserver.SetRetryAfter(w, wait)
	httpserver.WriteJSON(w, http.StatusTooManyRequests, Failure("too many unknown tokens from this caller: retry after %ds", secs))
}
