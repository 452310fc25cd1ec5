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
	"cmp"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"k8s.io/apiserver/pkg/endpoints/request"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/sideband"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// The sideband token API (PingIntelligence ASE's Token REST API) manages
// the ApiTokens of one namespace (--sideband-api-namespace), with the
// query listener's authentication and the caller's RBAC there: create on
// apitokens to create and import, delete to delete, list to list. Every
// token is hash-only, type API_CLIENT; no answer but a create's holds a
// value (the original API echoes imported and deleted values; this one
// never does).

// sidebandPrincipal is the principal of the ApiTokens the API makes.
const sidebandPrincipal = "ase-sideband"

// sidebandRoutes registers the API on mux (behind authentication).
func (s *API) sidebandRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+sideband.Path, s.sidebandCreate)
	mux.HandleFunc("PUT "+sideband.Path, s.sidebandImport)
	mux.HandleFunc("DELETE "+sideband.Path, s.sidebandDelete)
	mux.HandleFunc("GET "+sideband.Path, s.sidebandList)
}

// withASEKeyHint answers 401 to a request that carries only ASE's own
// x-ase-access-key / x-ase-secret-key headers, saying what to send
// instead, before authentication refuses it in general terms.
func withASEKeyHint(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" && (r.Header.Get("x-ase-access-key") != "" || r.Header.Get("x-ase-secret-key") != "") {
			w.Header().Set("WWW-Authenticate", `Bearer realm="apitoken-operator"`)
			writeJSON(w, http.StatusUnauthorized, sideband.Failure(
				"x-ase-access-key and x-ase-secret-key are not Kubernetes credentials: send Authorization: Bearer <a Kubernetes token> "+
					"(a ServiceAccount token or your own) allowed on apitokens.auth.apitoken.io in the sideband namespace"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// sidebandAllowed answers 403 (or 500) unless the caller may do verb on
// every ApiToken of the sideband namespace.
func (s *API) sidebandAllowed(w http.ResponseWriter, r *http.Request, verb string) bool {
	u, _ := request.UserFrom(r.Context())
	g, err := s.grantFor(r.Context(), u, verb, s.SidebandNamespace)
	if err != nil {
		s.authorizationFailed(w, u, err)
		return false
	}
	if g != grantAll {
		writeJSON(w, http.StatusForbidden, sideband.Failure("%s may not %s apitokens.auth.apitoken.io in namespace %q, the sideband token namespace",
			u.GetName(), verb, s.SidebandNamespace))
		return false
	}
	return true
}

// sidebandValue reads the {"token"} body of PUT and DELETE, authorizes
// verb and checks the caller's guess budget; it returns the value and the
// caller's limiter key. false means it has answered.
func (s *API) sidebandValue(w http.ResponseWriter, r *http.Request, verb string) (token.Value, string, bool) {
	raw, ok := sidebandBody(w, r)
	if !ok {
		return token.Value{}, "", false
	}
	value, err := sideband.ParseToken(raw)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, sideband.Failure("%s", err.Error()))
		return token.Value{}, "", false
	}
	if !s.sidebandAllowed(w, r, verb) {
		return token.Value{}, "", false
	}
	caller := callerClient(r)
	if wait, throttled := throttled(s.Limiter, "sideband", caller); throttled {
		writeSidebandThrottled(w, wait)
		return token.Value{}, "", false
	}
	return value, caller, true
}

// sidebandBody reads a bounded body; false means it has answered.
func sidebandBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, sideband.MaxBodyBytes+1))
	switch {
	case err != nil:
		writeJSON(w, http.StatusBadRequest, sideband.Failure("the body cannot be read"))
		return nil, false
	case len(raw) > sideband.MaxBodyBytes:
		writeJSON(w, http.StatusBadRequest, sideband.Failure("the body is larger than %d bytes", sideband.MaxBodyBytes))
		return nil, false
	}
	return raw, true
}

// sidebandCreate answers POST: 201 {"status": "token_created", "token"}
// with a new value of the API's format, shown this once.
func (s *API) sidebandCreate(w http.ResponseWriter, r *http.Request) {
	if !s.sidebandAllowed(w, r, "create") {
		return
	}
	gen := sideband.Generate()
	value, err := s.Generator.Generate(gen)
	if err != nil {
		s.writeFailed(w, r, err)
		return
	}
	req := selfservice.CreateRequest{Generate: gen, Metadata: s.sidebandMetadata()}
	if s.sidebandWrite(w, r, req.HashOnly(s.caller(r), value), value) {
		writeJSON(w, http.StatusCreated, sideband.Created{Status: sideband.StatusCreated, Token: string(value.Reveal())})
	}
}

// sidebandImport answers PUT {"token"}: the value becomes a new hash-only
// ApiToken (only its fingerprint is stored).
func (s *API) sidebandImport(w http.ResponseWriter, r *http.Request) {
	value, caller, ok := s.sidebandValue(w, r, "create")
	if !ok {
		return
	}
	if _, _, held := s.Verifier.Holder(value); held {
		// Refused like a guess: a caller that tries values learns no more.
		s.Limiter.Failed(caller)
		writeJSON(w, http.StatusConflict, sideband.Failure("token: this value cannot be imported: an ApiToken holds it already"))
		return
	}
	req := selfservice.ImportRequest{Metadata: s.sidebandMetadata(), Value: value}
	if s.sidebandWrite(w, r, req.ApiToken(s.caller(r)), value) {
		writeJSON(w, http.StatusOK, sideband.Result{Status: sideband.StatusSuccess, Message: sideband.MessageImported})
	}
}

// sidebandDelete answers DELETE {"token"}: the ApiToken of the sideband
// namespace that holds the value is deleted; an unknown value is 404 in the
// same shape, and counts against the caller as a guess.
func (s *API) sidebandDelete(w http.ResponseWriter, r *http.Request) {
	value, caller, ok := s.sidebandValue(w, r, "delete")
	if !ok {
		return
	}
	ns, name, held := s.Verifier.Holder(value)
	if !held || ns != s.SidebandNamespace {
		s.Limiter.Failed(caller)
		writeJSON(w, http.StatusNotFound, sideband.Failure("no sideband token has this value"))
		return
	}
	tok := &authv1alpha1.ApiToken{}
	if err := s.Reader.Get(r.Context(), client.ObjectKey{Namespace: ns, Name: name}, tok); err != nil {
		s.writeFailed(w, r, err)
		return
	}
	// The sideband caller may delete every ApiToken of the namespace.
	if err := s.deleteAs(r, tok, grantAll); client.IgnoreNotFound(err) != nil {
		s.writeFailed(w, r, err)
		return
	}
	await(r.Context(), DefaultWait, func() bool { _, ok := s.Verifier.Check(value); return !ok })
	writeJSON(w, http.StatusOK, sideband.Result{Status: sideband.StatusSuccess, Message: sideband.MessageDeleted})
}

// sidebandList answers GET: every ApiToken of the sideband namespace,
// newest first, by its last characters and creation time (UTC).
func (s *API) sidebandList(w http.ResponseWriter, r *http.Request) {
	if !s.sidebandAllowed(w, r, "list") {
		return
	}
	var rows []readmodel.Row
	s.Model.Each(func(row *readmodel.Row) {
		if row.Namespace == s.SidebandNamespace {
			rows = append(rows, *row)
		}
	})
	slices.SortFunc(rows, func(a, b readmodel.Row) int {
		if c := cmp.Compare(b.Created, a.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	out := sideband.List{SidebandTokens: make([]sideband.Listed, 0, len(rows))}
	for i := range rows {
		var created time.Time
		if ms, set := readmodel.Value(rows[i].Created); set {
			created = time.UnixMilli(ms)
		}
		out.SidebandTokens = append(out.SidebandTokens, sideband.Entry(rows[i].LastChars(), created))
	}
	writeJSON(w, http.StatusOK, out)
}

// sidebandMetadata describes every ApiToken the API makes.
func (s *API) sidebandMetadata() selfservice.Metadata {
	return selfservice.Metadata{Namespace: s.SidebandNamespace, Type: authv1alpha1.TokenTypeApiClient, Principal: sidebandPrincipal,
		Description: "PingIntelligence ASE sideband token (" + sideband.Path + ")"}
}

// sidebandWrite creates tok and waits until value verifies here; false
// means it has answered.
func (s *API) sidebandWrite(w http.ResponseWriter, r *http.Request, tok *authv1alpha1.ApiToken, value token.Value) bool {
	tok.Name, tok.GenerateName = "", "sideband-"
	if err := s.Writer.Create(r.Context(), tok); err != nil {
		s.writeFailed(w, r, err)
		return false
	}
	u, _ := request.UserFrom(r.Context())
	s.record(tok, EventCreated, u)
	await(r.Context(), DefaultWait, s.verifies(value))
	return true
}

func (s *API) caller(r *http.Request) string {
	u, _ := request.UserFrom(r.Context())
	return u.GetName()
}

func writeSidebandThrottled(w http.ResponseWriter, wait time.Duration) {
	secs := setRetryAfter(w, wait)
	writeJSON(w, http.StatusTooManyRequests, sideband.Failure("too many unknown tokens from this caller: retry after %ds", secs))
}
