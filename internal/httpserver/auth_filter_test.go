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

package httpserver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/writeapi"
)

// as authenticates every request as one user, in the groups after the
// first "|".
type as string

func (u as) AuthenticateRequest(*http.Request) (*authenticator.Response, bool, error) {
	parts := strings.Split(string(u), "|")
	return &authenticator.Response{User: &user.DefaultInfo{Name: parts[0], Groups: parts[1:]}}, true, nil
}

// An ApiToken that a TokenReview webhook authenticates as apitoken:<ns>:<name>
// gains no right on the query listener: only the self endpoints, which
// check its value themselves, accept it.
func TestAuthenticationRefusesApiTokenIdentities(t *testing.T) {
	for name, want := range map[string]int{
		"apitoken:team-a:ci": http.StatusForbidden,
		"oidc:apitoken:team-a:ci|apitoken:namespace:team-a": http.StatusForbidden, // a username prefix does not hide it
		"alice|system:authenticated":                        http.StatusOK,
		"alice@example.com":                                 http.StatusOK,
		"system:serviceaccount:team-a:apitoken-x":           http.StatusOK,
	} {
		h := httpserver.BuildHandlerChain(httpserver.Chain{
			Synced: func() bool { return true },
			Access: &httpserver.Access{Authenticator: as(name), Log: logr.Discard()},
			Log:    logr.Discard(),
			Routes: []httpserver.Route{{Pattern: "GET /api/v1/tokens",
				Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })}},
			ApiTokenRefusal: writeapi.SelfOnly,
		})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/tokens", nil))
		if rec.Code != want {
			t.Errorf("%s: %d, want %d", name, rec.Code, want)
		}
		if want == http.StatusForbidden && !strings.Contains(rec.Body.String(), "may use only GET /api/v1/tokens/self and POST /api/v1/tokens/self/rotate") {
			t.Errorf("%s: the refusal does not say where an ApiToken may go: %s", name, rec.Body)
		}
	}
}
