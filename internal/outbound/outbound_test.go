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

package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/util/cert"
)

func TestCheck(t *testing.T) {
	allowed := Addresses{Allowed: []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")}}
	cases := map[string]string{
		"169.254.169.254":  "the cloud metadata address",
		"fd00:ec2::254":    "the cloud metadata address",
		"127.0.0.1":        "loopback",
		"::1":              "loopback",
		"::ffff:127.0.0.1": "loopback",
		"169.254.10.1":     "link-local",
		"fe80::1":          "link-local",
		"10.0.0.1":         "private",
		"172.20.1.1":       "private",
		"192.168.1.1":      "private",
		"fd12::1":          "private",
		"100.64.1.1":       "shared (carrier-grade NAT)",
		"0.0.0.0":          "unspecified",
		"10.20.3.4":        "", // allowed
		"93.184.215.14":    "",
		"2606:4700::1111":  "",
	}
	for addr, rule := range cases {
		err := allowed.Check(netip.MustParseAddr(addr))
		var refused *RefusedError
		switch {
		case rule == "" && err != nil:
			t.Errorf("%s refused: %v", addr, err)
		case rule != "" && (!errors.As(err, &refused) || refused.Rule != rule):
			t.Errorf("%s: %v, want refused as %s", addr, err, rule)
		}
	}
}

func TestCheckURL(t *testing.T) {
	var a Addresses
	cases := map[string]string{
		"http://hooks.example.com/x":                    `only https is allowed, not "http"`,
		"https://user:pw@hooks.example.com/x":           "credentials in the URL are not allowed",
		"https:///x":                                    "a host is required",
		"https://169.254.169.254/latest/meta-data":      "address 169.254.169.254 is the cloud metadata address: refused unless inside --webhook-allowed-cidrs",
		"https://[::1]:8443/":                           "address ::1 is loopback",
		"https://hooks.example.com/services/T/B/secret": "",
	}
	for u, want := range cases {
		_, err := a.CheckURL(u)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", u, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: %v, want %q", u, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("the error quotes the URL: %v", err)
		}
	}
}

// countingListener is a TLS receiver that counts the connections made to
// it.
func countingServer(t *testing.T, handler http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	srv := httptest.NewUnstartedServer(handler)
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	certPEM, keyPEM, err := cert.GenerateSelfSignedCertKey("localhost", []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}, []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func caOf(srv *httptest.Server) []byte {
	return pemOf(srv.TLS.Certificates[0].Certificate[1])
}

// The refusal happens when connecting, whatever the URL says: a name
// that resolves to loopback is refused as the address itself is, and the
// receiver sees no connection.
func TestClientRefusesAtConnect(t *testing.T) {
	srv, conns := countingServer(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	url := "https://localhost:" + itoa(port) + "/hook"

	c, err := Addresses{}.Client(caOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	ans := Post(context.Background(), c, url, http.Header{}, []byte("{}"), time.Now())
	if ans.Outcome() != Refused || !strings.Contains(ans.Err.Error(), "is loopback") {
		t.Fatalf("localhost without the allowance: %+v", ans)
	}
	if n := conns.Load(); n != 0 {
		t.Fatalf("the receiver saw %d connections", n)
	}

	c, err = Addresses{Allowed: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}.Client(caOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	if ans := Post(context.Background(), c, url, http.Header{}, []byte("{}"), time.Now()); ans.Outcome() != Delivered || ans.Code != http.StatusNoContent {
		t.Fatalf("with the allowance: %+v", ans)
	}
}

// Redirects are answered, not followed; an answer's body is read only
// so far; a certificate from another CA is refused (retried).
func TestPost(t *testing.T) {
	var followed atomic.Int32
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		case "/elsewhere":
			followed.Add(1)
		case "/busy":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 10<<20)))
		}
	})
	allowed := Addresses{Allowed: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	c, err := allowed.Client(caOf(srv))
	if err != nil {
		t.Fatal(err)
	}
	post := func(path string) Answer {
		return Post(context.Background(), c, srv.URL+path, http.Header{}, []byte("{}"), time.Now())
	}
	if a := post("/redirect"); a.Code != http.StatusTemporaryRedirect || a.Outcome() != Final || followed.Load() != 0 {
		t.Errorf("redirect: %+v, followed %d", a, followed.Load())
	}
	if a := post("/busy"); a.Outcome() != Retry || a.RetryAfter != 120*time.Second {
		t.Errorf("429: %+v", a)
	}
	if a := post("/big"); a.Outcome() != Delivered {
		t.Errorf("a big answer: %+v", a)
	}
	other, err := allowed.Client(nil) // the system's roots: the test CA is not one
	if err != nil {
		t.Fatal(err)
	}
	if a := Post(context.Background(), other, srv.URL, http.Header{}, nil, time.Now()); a.Outcome() != Retry || !strings.Contains(a.Err.Error(), "certificate") {
		t.Errorf("untrusted certificate: %+v", a)
	}
	if _, err := allowed.Client([]byte("not PEM")); err == nil || !strings.Contains(err.Error(), "spec.caBundle") {
		t.Errorf("a bad caBundle: %v", err)
	}
}

func TestOutcome(t *testing.T) {
	cases := map[int]Outcome{200: Delivered, 202: Delivered, 204: Delivered, 301: Final, 400: Final, 401: Final, 404: Final, 410: Final,
		408: Retry, 429: Retry, 500: Retry, 502: Retry, 503: Retry}
	for code, want := range cases {
		if got := (Answer{Code: code}).Outcome(); got != want {
			t.Errorf("%d: %s, want %s", code, got, want)
		}
	}
	if got := (Answer{Err: errors.New("connection refused")}).Outcome(); got != Retry {
		t.Errorf("an error: %s", got)
	}
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	if d := retryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); d != 90*time.Second {
		t.Errorf("HTTP-date Retry-After: %s", d)
	}
}
