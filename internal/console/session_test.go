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

package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"
)

// tokenAuthenticator accepts one bearer token, as TokenReview would.
type tokenAuthenticator struct{ token string }

func (a tokenAuthenticator) AuthenticateRequest(r *http.Request) (*authenticator.Response, bool, error) {
	if r.Header.Get("Authorization") != "Bearer "+a.token {
		return nil, false, nil
	}
	return &authenticator.Response{User: &user.DefaultInfo{Name: "alice"}}, true, nil
}

// A token longer than one cookie holds is split across numbered cookies,
// each HttpOnly, Secure, SameSite=Strict and scoped to /console, and read
// back whole; logout expires every part.
func TestSessionCookieSplitsLongTokens(t *testing.T) {
	long := strings.Repeat("x", 2*cookieChunk+100)
	var seen string
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Get("Authorization")
		http.Error(w, `{"error":"stop here"}`, http.StatusForbidden)
	})
	h := New(Options{Authenticator: tokenAuthenticator{long}, Secure: true})(api)

	form := url.Values{"token": {long}}
	req := httptest.NewRequest(http.MethodPost, "https://console.example/console/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 3 {
		t.Fatalf("%d cookies, want 3 parts", len(cookies))
	}
	for i, c := range cookies {
		if c.Name != (&Console{opts: Options{Secure: true}}).cookieName(i) || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/console" || len(c.Value) > cookieChunk {
			t.Errorf("cookie %d: %+v", i, c)
		}
	}
	if !strings.HasPrefix(cookies[0].Name, "__Secure-") {
		t.Errorf("cookie name %q: want the __Secure- prefix under TLS", cookies[0].Name)
	}

	req = httptest.NewRequest(http.MethodGet, "https://console.example/console/", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	h.ServeHTTP(httptest.NewRecorder(), req)
	if seen != "Bearer "+long {
		t.Fatalf("the API got %d characters of credential, want the whole token", len(seen))
	}

	req = httptest.NewRequest(http.MethodPost, "https://console.example/console/logout", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	cleared := rec.Result().Cookies()
	if len(cleared) != 3 {
		t.Fatalf("logout cleared %d cookies, want 3", len(cleared))
	}
	for _, c := range cleared {
		if c.MaxAge >= 0 || c.Value != "" {
			t.Errorf("cookie %s not expired: %+v", c.Name, c)
		}
	}
}

// Every console answer carries the security headers, a refusal included.
func TestHeaders(t *testing.T) {
	h := New(Options{Authenticator: tokenAuthenticator{"t"}})(http.NotFoundHandler())
	for _, path := range []string{"/console/login", "/console/", "/console/static/console.css", "/console/nothing"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		for k, want := range map[string]string{
			"Content-Security-Policy": contentSecurityPolicy, "X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
		} {
			if got := rec.Header().Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", path, k, got, want)
			}
		}
	}
	// A cross-site POST is refused before it reaches any handler.
	req := httptest.NewRequest(http.MethodPost, "/console/login", strings.NewReader("token=t"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || len(rec.Result().Cookies()) != 0 {
		t.Errorf("cross-site login: %d, cookies %v", rec.Code, rec.Result().Cookies())
	}
}
