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
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"k8s.io/client-go/util/cert"
	"sigs.k8s.io/controller-runtime/pkg/certwatcher"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// ServingOptions says where and how a listener serves (the --query-* flags;
// the forward-auth listener shares the TLS settings).
type ServingOptions struct {
	// BindAddress is where the server listens; "" or "0" disables it.
	BindAddress string
	// CertDir holds tls.crt and tls.key; empty means a self-signed
	// certificate generated at start.
	CertDir string
	// Insecure serves plain HTTP (local development only).
	Insecure bool
}

// Enabled says whether the listener is on.
func (o ServingOptions) Enabled() bool { return o.BindAddress != "" && o.BindAddress != "0" }

// WriteTimeout is how long a listener's handler has to answer.
const WriteTimeout = 30 * time.Second

// NewServer serves h on opts.BindAddress as a manager.Server, which the
// manager runs on every replica (not only the leader), with TLS unless
// opts.Insecure. It returns the certificate watcher to add to the manager as
// well when opts.CertDir is set. It is the one place listeners are built.
func NewServer(name string, opts ServingOptions, h http.Handler) (*manager.Server, manager.Runnable, error) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      WriteTimeout,
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
	tlsCfg, watcher, err := tlsConfig(name, opts.CertDir)
	if err != nil {
		_ = ln.Close()
		return nil, nil, err
	}
	runnable.Listener = tls.NewListener(ln, tlsCfg)
	return runnable, watcher, nil
}

// tlsConfig serves the certificate of certDir (reloaded when it changes) or
// a self-signed one. HTTP/2 stays off (Rapid Reset and stream-cancellation
// CVEs), as on the metrics server.
func tlsConfig(name, certDir string) (*tls.Config, manager.Runnable, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
	if certDir != "" {
		w, err := certwatcher.New(filepath.Join(certDir, "tls.crt"), filepath.Join(certDir, "tls.key"))
		if err != nil {
			return nil, nil, fmt.Errorf("loading the %s server certificate from --query-cert-dir %q: %w", name, certDir, err)
		}
		cfg.GetCertificate = w.GetCertificate
		return cfg, w, nil
	}
	certPEM, keyPEM, err := cert.GenerateSelfSignedCertKey("apitoken-operator-query", nil, []string{"localhost"})
	if err != nil {
		return nil, nil, fmt.Errorf("generating a self-signed certificate: %w", err)
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the self-signed certificate: %w", err)
	}
	cfg.Certificates = []tls.Certificate{c}
	return cfg, nil, nil
}
