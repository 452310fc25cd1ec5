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

package verifyapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	authenticationv1 "k8s.io/api/authentication/v1"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"

	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// TokenReview answers a Kubernetes TokenReview, so that kube-apiserver's
// webhook token authentication (or any TokenReview client) can use ApiTokens.
func (s *API) TokenReview(w http.ResponseWriter, r *http.Request) {
	review := &authenticationv1.TokenReview{}
	if err := json.Unmarshal(httpserver.Body(r), review); err != nil {
		httpserver.WriteError(w, http.StatusBadRequest, "the body must be an authentication.k8s.io/v1 (or v1beta1) TokenReview")
		return
	}
	apiVersion, ok := tokenReviewVersion(review.APIVersion)
	if !ok {
		httpserver.WriteError(w, http.StatusBadRequest, fmt.Sprintf("apiVersion: is %q: a TokenReview of authentication.k8s.io/v1 or v1beta1 is answered", review.APIVersion))
		return
	}
	presented := review.Spec.Token
	review.Spec.Token = "" // never echoed back
	// In the request's version: kube-apiserver's webhook authenticator
	// sends v1beta1 unless --authentication-token-webhook-version=v1, and
	// cannot read a v1 answer to it. The two are field for field the same.
	review.APIVersion, review.Kind = apiVersion, "TokenReview"
	review.Status = authenticationv1.TokenReviewStatus{}
	// Not throttled: kube-apiserver calls on behalf of every end client and
	// does not name them, so a limiter keyed by the caller would let anyone
	// who sends junk bearer tokens to kube-apiserver lock out every valid
	// ApiToken. kube-apiserver caches webhook answers and limits its own
	// clients; failures are counted here so that a flood can be alerted on.
	if len(presented) > 0 {
		var id verify.Identity
		ok := false
		if len(presented) <= verify.MaxTokenBytes {
			id, ok = s.Verifier.Verify(token.NewValue([]byte(presented)))
		}
		if !ok {
			tokenReviewFailures.Inc()
		} else {
			review.Status = authenticationv1.TokenReviewStatus{
				Authenticated: true,
				User: authenticationv1.UserInfo{
					Username: "apitoken:" + id.Namespace + ":" + id.Name,
					UID:      id.UID,
					// Namespaced: a type or principal claimed in one
					// namespace is no group membership in another.
					Groups: []string{"apitoken:" + id.Namespace + ":type:" + string(id.Type),
						"apitoken:" + id.Namespace + ":principal:" + id.Principal, accesstoken.NamespaceGroup(id.Namespace)},
					Extra: map[string]authenticationv1.ExtraValue{ExtraPrincipal: {id.Principal}},
				},
				Audiences: s.reviewAudiences(id, review.Spec.Audiences),
			}
			if len(id.Scopes) > 0 {
				review.Status.User.Extra[ExtraScopes] = id.Scopes
			}
		}
	}
	httpserver.WriteJSON(w, http.StatusOK, review)
}

var tokenReviewFailures = metrics.VerifyFailures.WithLabelValues("tokenreview")

// tokenReviewVersion is the apiVersion a TokenReview request of apiVersion
// is answered in: its own, v1 or v1beta1 (v1 when it names none).
func tokenReviewVersion(apiVersion string) (string, bool) {
	switch apiVersion {
	case "", authenticationv1.SchemeGroupVersion.String():
		return authenticationv1.SchemeGroupVersion.String(), true
	case authenticationv1beta1.SchemeGroupVersion.String():
		return apiVersion, true
	}
	return "", false
}

// reviewAudiences are the requested audiences the ApiToken is allowed (the
// issuer's rules; without the issuer, spec.accessToken.audiences), never an
// echo of every audience asked for. Empty tells kube-apiserver the token is
// good for its implicit audience only.
func (s *API) reviewAudiences(id verify.Identity, requested []string) []string {
	allowed := s.Minter.Audiences(id)
	var out []string
	for _, a := range requested {
		if slices.Contains(allowed, a) {
			out = append(out, a)
		}
	}
	return out
}
