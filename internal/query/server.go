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

package query

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/client-go/util/cert"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// Options configures the query server (the --query-* flags).
type Options struct {
	// BindAddress is where the server listens; "0" disables it.
	BindAddress string
	// CertDir holds tls.crt and tls.key; empty means a self-signed
	// certificate generated at start.
	CertDir string
	// Insecure serves plain HTTP (local development only).
	Insecure bool
}

// Server answers token queries from the model.
type Server struct {
	Model  *Model
	Access Access
	Log    logr.Logger
	// Routes are more endpoints served behind the same authentication (the
	// verify endpoints).
	Routes []Route
}

// Route is an endpoint added to the server; Handle gets the authenticated
// caller and the Access to authorize it.
type Route struct {
	Pattern string
	Handle  func(w http.ResponseWriter, r *http.Request, u user.Info, a Access)
}

// Handler routes the API. Wrong methods get 405 from the mux.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/tokens", s.list(func(r *http.Request) (Query, error) { return ParseList(r.URL.Query()) }))
	mux.HandleFunc("POST /api/v1/tokens/query", s.list(func(r *http.Request) (Query, error) { return ParseBody(r.URL.Query(), r.Body) }))
	mux.HandleFunc("GET /api/v2/token/query", s.list(func(r *http.Request) (Query, error) { return ParseV2(r.URL.Query()) }))
	mux.HandleFunc("GET /api/v1/tokens/{namespace}/{name}", s.authenticated(s.get))
	for _, rt := range s.Routes {
		mux.HandleFunc(rt.Pattern, s.authenticated(func(w http.ResponseWriter, r *http.Request, u user.Info) { rt.Handle(w, r, u, s.Access) }))
	}
	return mux
}

type errorBody struct {
	Error     string `json:"error"`
	Parameter string `json:"parameter,omitempty"`
}

type authedHandler func(w http.ResponseWriter, r *http.Request, u user.Info)

// authenticated answers 503 until the model has synced and 401 without
// valid credentials, then hands the caller to h.
func (s *Server) authenticated(h authedHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.Model.Synced() {
			WriteJSON(w, http.StatusServiceUnavailable, errorBody{Error: "the token cache has not synced yet: retry shortly"})
			return
		}
		u, err := s.Access.Authenticate(r)
		if err != nil {
			// TokenReview reports a bad token as an error too: the caller
			// gets 401 either way, the reason only goes to the log.
			s.Log.V(1).Info("Rejected a query: authentication failed", "reason", err.Error())
			u = nil
		}
		if u == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="apitoken-operator"`)
			WriteJSON(w, http.StatusUnauthorized, errorBody{Error: "a valid Kubernetes bearer token is required"})
			return
		}
		h(w, r, u)
	}
}

func (s *Server) list(parse func(*http.Request) (Query, error)) http.HandlerFunc {
	return s.authenticated(func(w http.ResponseWriter, r *http.Request, u user.Info) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes+1)
		q, err := parse(r)
		if err != nil {
			writeParamError(w, err)
			return
		}
		vis, err := s.Access.Visibility(r.Context(), u, s.Model.Namespaces())
		if err != nil {
			s.Log.Error(err, "Failed to authorize a query", "user", u.GetName())
			WriteJSON(w, http.StatusInternalServerError, errorBody{Error: "authorization failed"})
			return
		}
		if !vis.All && len(vis.Namespaces) == 0 {
			WriteJSON(w, http.StatusForbidden, errorBody{Error: fmt.Sprintf("%s may not list apitokens.auth.apitoken.io in any namespace", u.GetName())})
			return
		}
		WriteJSON(w, http.StatusOK, NewResponse(q, s.Model.Run(q, vis)))
	})
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, u user.Info) {
	ns, name := r.PathValue("namespace"), r.PathValue("name")
	notFound := errorBody{Error: fmt.Sprintf("ApiToken %s/%s not found", ns, name)}
	row, ok := s.Model.Get(ns, name)
	if !ok {
		WriteJSON(w, http.StatusNotFound, notFound)
		return
	}
	vis, err := s.Access.Visibility(r.Context(), u, []string{ns})
	if err != nil {
		s.Log.Error(err, "Failed to authorize a query", "user", u.GetName())
		WriteJSON(w, http.StatusInternalServerError, errorBody{Error: "authorization failed"})
		return
	}
	if !vis.Allows(ns) {
		// Not visible is not found: no hint that it exists.
		WriteJSON(w, http.StatusNotFound, notFound)
		return
	}
	WriteJSON(w, http.StatusOK, row.DTO())
}

func writeParamError(w http.ResponseWriter, err error) {
	var pe *ParamError
	if errors.As(err, &pe) {
		WriteJSON(w, http.StatusBadRequest, errorBody{Error: pe.Error(), Parameter: pe.Parameter})
		return
	}
	WriteJSON(w, http.StatusBadRequest, errorBody{Error: err.Error()})
}

// WriteJSON writes a JSON response that no cache may keep.
func WriteJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// NewRunnable returns the server as a manager.Server, which the manager runs
// on every replica (not only the leader), and any certificate watcher it
// needs, to add to the manager as well.
func NewRunnable(opts Options, s *Server) (*manager.Server, manager.Runnable, error) {
	return NewHTTPServer("query", opts, s.Handler())
}

// NewHTTPServer serves h on opts.BindAddress, on every replica, with the
// TLS settings of opts (the forward-auth listener shares them).
func NewHTTPServer(name string, opts Options, h http.Handler) (*manager.Server, manager.Runnable, error) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	ln, err := net.Listen("tcp", opts.BindAddress)
	if err != nil {
		return nil, nil, fmt.Errorf("listening on %s address %q: %w", name, opts.BindAddress, err)
	}
	timeout := 30 * time.Second
	runnable := &manager.Server{Name: name, Server: srv, Listener: ln, ShutdownTimeout: &timeout}
	if opts.Insecure {
		return runnable, nil, nil
	}
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	var watcher manager.Runnable
	if opts.CertDir != "" {
		w, err := certwatcher.New(filepath.Join(opts.CertDir, "tls.crt"), filepath.Join(opts.CertDir, "tls.key"))
		if err != nil {
			_ = ln.Close()
			return nil, nil, fmt.Errorf("loading the %s server certificate from --query-cert-dir %q: %w", name, opts.CertDir, err)
		}
		tlsCfg.GetCertificate = w.GetCertificate
		watcher = w
	} else {
		certPEM, keyPEM, err := cert.GenerateSelfSignedCertKey("apitoken-operator-query", nil, []string{"localhost"})
		if err != nil {
			_ = ln.Close()
			return nil, nil, fmt.Errorf("generating a self-signed certificate: %w", err)
		}
		c, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			_ = ln.Close()
			return nil, nil, fmt.Errorf("loading the self-signed certificate: %w", err)
		}
		tlsCfg.Certificates = []tls.Certificate{c}
	}
	runnable.Listener = tls.NewListener(ln, tlsCfg)
	return runnable, watcher, nil
}

// ReadyCheck fails until the model has synced: a healthz.Checker for /readyz.
func (m *Model) ReadyCheck(_ *http.Request) error {
	if !m.Synced() {
		return errors.New("the ApiToken cache has not synced yet")
	}
	return nil
}
