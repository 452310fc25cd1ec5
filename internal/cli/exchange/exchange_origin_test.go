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
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/apitoken-io/apitoken-operator/internal/token"
)

func TestSameOrigin(t *testing.T) {
	cases := map[string]struct {
		issuer, endpoint, err string
	}{
		"the issuer's own endpoint":        {"https://issuer.example.com", "https://issuer.example.com/oauth2/token", ""},
		"with a path and the host's case":  {"https://issuer.example.com/tenant", "https://ISSUER.example.com/oauth2/token", ""},
		"loopback over http (make dev)":    {"http://127.0.0.1:8443", "http://127.0.0.1:8443/oauth2/token", ""},
		"another host":                     {"https://issuer.example.com", "https://evil.example.net/oauth2/token", "not on the issuer's origin https://issuer.example.com"},
		"another port":                     {"https://issuer.example.com", "https://issuer.example.com:8443/oauth2/token", "not on the issuer's origin"},
		"plain http":                       {"https://issuer.example.com", "http://issuer.example.com/oauth2/token", "not https"},
		"not a URL":                        {"https://issuer.example.com", "/oauth2/token", "not a URL"},
		"https issuer, loopback http peer": {"https://127.0.0.1:8443", "http://127.0.0.1:8443/oauth2/token", "not on the issuer's origin"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := sameOrigin(tc.issuer, tc.endpoint)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("got %v, want an error saying %q", err, tc.err)
			}
		})
	}
}

// A token endpoint that redirects gets its redirect back as the answer:
// the token is never sent on to where it points.
func TestExchangeNeverFollowsARedirect(t *testing.T) {
	sent := 0
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { sent++ }))
	defer elsewhere.Close()
	endpoint := httptest.NewServer(http.RedirectHandler(elsewhere.URL, http.StatusTemporaryRedirect))
	defer endpoint.Close()
	e := &Options{}
	hc, err := e.httpClient()
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.exchange(t.Context(), hc, endpoint.URL, "ns/name", token.NewValue([]byte("a-value-that-must-stay-here")))
	if err == nil || !strings.Contains(err.Error(), "307") || sent != 0 {
		t.Fatalf("got %v with %d requests elsewhere; want the 307 as the answer and none sent on", err, sent)
	}
}
