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

package exchange

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// httpClient trusts the system's CAs and --issuer-ca-file, and never
// follows a redirect.
func (e *Options) httpClient() (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if e.issuerCA != "" {
		pem, err := os.ReadFile(e.issuerCA)
		if err != nil {
			return nil, fmt.Errorf("--issuer-ca-file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--issuer-ca-file %q holds no PEM certificate", e.issuerCA)
		}
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		Proxy:           http.ProxyFromEnvironment,
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	},
		// A redirect is answered as it is: never followed with the token
		// in the request.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// sameOrigin refuses a token endpoint that the issuer's discovery document
// names elsewhere than on the issuer's own origin, or over plain http
// (loopback aside): the token would be sent there.
func sameOrigin(issuerURL, endpoint string) error {
	issuer, err := url.Parse(issuerURL)
	if err != nil {
		return fmt.Errorf("--issuer-url %q: %w", issuerURL, err)
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("the issuer's discovery document names token endpoint %q, which is not a URL: refusing to send the token", endpoint)
	case u.Scheme != "https" && !loopback(u):
		return fmt.Errorf("the issuer's discovery document names token endpoint %q, which is not https: refusing to send the token", endpoint)
	case u.Scheme != issuer.Scheme || !strings.EqualFold(u.Host, issuer.Host):
		return fmt.Errorf("the issuer's discovery document names token endpoint %q, which is not on the issuer's origin %s://%s: refusing to send the token",
			endpoint, issuer.Scheme, issuer.Host)
	}
	return nil
}

// loopback allows http:// for an issuer on this machine (make dev).
func loopback(u *url.URL) bool {
	h := u.Hostname()
	return u.Scheme == "http" && (h == "127.0.0.1" || h == "localhost" || h == "::1")
}
