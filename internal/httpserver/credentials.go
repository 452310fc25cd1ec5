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
	"net/http"
	"strings"

	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// PresentedToken reads the token a client presented: "Authorization: Bearer
// <token>", "Authorization: Token token=<token>", or "X-Api-Token: <token>".
// It returns false when there is none, or more than one form disagrees.
func PresentedToken(h http.Header) (token.Value, bool) {
	var buf [2]string
	found := buf[:0]
	if auth := strings.TrimSpace(h.Get("Authorization")); auth != "" {
		scheme, rest, _ := strings.Cut(auth, " ")
		rest = strings.TrimSpace(rest)
		switch {
		case strings.EqualFold(scheme, "Bearer"):
			found = append(found, rest)
		case strings.EqualFold(scheme, "Token"):
			v, ok := strings.CutPrefix(rest, "token=")
			if !ok {
				return token.Value{}, false
			}
			found = append(found, strings.Trim(v, `"`))
		default:
			return token.Value{}, false
		}
	}
	if v := strings.TrimSpace(h.Get("X-Api-Token")); v != "" {
		found = append(found, v)
	}
	if len(found) == 0 || found[0] == "" || len(found[0]) > verify.MaxTokenBytes {
		return token.Value{}, false
	}
	for _, f := range found[1:] {
		if f != found[0] {
			return token.Value{}, false
		}
	}
	return token.PresentedValue(found[0]), true
}

// ApiTokenIdentity says whether a user the Kubernetes authenticator
// returned is an ApiToken: TokenReview through this operator's webhook
// names them apitoken:<namespace>:<name> and gives them the group
// apitoken:namespace:<namespace>, which a username prefix of the cluster's
// authenticator does not change.
func ApiTokenIdentity(u user.Info) bool {
	if strings.HasPrefix(u.GetName(), accesstoken.SubjectPrefix) {
		return true
	}
	for _, g := range u.GetGroups() {
		if strings.HasPrefix(g, accesstoken.NamespaceGroup("")) {
			return true
		}
	}
	return false
}
