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
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"

	authenticationv1 "k8s.io/api/authentication/v1"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
	kjson "sigs.k8s.io/json"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// Keys of the user.extra a TokenReview answer carries.
const (
	ExtraPrincipal = "auth.apitoken.io/principal"
	ExtraScopes    = "auth.apitoken.io/scopes"
)

// maxVerifyBodyBytes bounds the body of a verify request or a TokenReview.
const maxVerifyBodyBytes = 64 << 10

// Result is the body of POST /api/v1/tokens/verify. An invalid token gets
// {"valid": false} and nothing else: no hint of why.
type Result struct {
	Valid          bool   `json:"valid"`
	Namespace      string `json:"namespace,omitempty"`
	Name           string `json:"name,omitempty"`
	Principal      string `json:"principal,omitempty"`
	Type           string `json:"type,omitempty"`
	ExpirationDate *int64 `json:"expirationDate,omitempty"`
	// Scopes are the token's scopes; [] when it has none.
	Scopes []string `json:"scopes,omitzero"`
}

// VerifyRequest is the body of POST /api/v1/tokens/verify.
type VerifyRequest struct {
	Token token.Value
	// RemoteAddress is the end client's address, which the calling service
	// passes so that guessing is throttled per end client; empty when not
	// given.
	RemoteAddress string
}

// ParseVerifyBody reads {"token": "...", "remoteAddress": "..."}: the token
// must be present and at most verify.MaxTokenBytes long; remoteAddress, when
// given, an IP address. Errors never quote the token.
func ParseVerifyBody(raw []byte) (VerifyRequest, error) {
	var req struct {
		Token         *string `json:"token"`
		RemoteAddress string  `json:"remoteAddress"`
	}
	// Strict, as apimachinery decodes: no unknown or duplicate field, and
	// without a json.Decoder's buffers (this is the hot path).
	if strict, err := kjson.UnmarshalStrict(raw, &req); err != nil || len(strict) > 0 {
		return VerifyRequest{}, errors.New(`the body must be {"token": "<token>"} with an optional "remoteAddress": "<end client's IP address>"`)
	}
	switch {
	case req.Token == nil || *req.Token == "":
		return VerifyRequest{}, errors.New("token: must not be empty")
	case len(*req.Token) > verify.MaxTokenBytes:
		return VerifyRequest{}, errors.New("token: longer than 1024 bytes")
	}
	out := VerifyRequest{Token: token.NewValue([]byte(*req.Token))}
	if req.RemoteAddress != "" {
		a, err := netip.ParseAddr(req.RemoteAddress)
		if err != nil {
			return VerifyRequest{}, errors.New("remoteAddress: must be an IP address (192.0.2.7, 2001:db8::7)")
		}
		out.RemoteAddress = a.Unmap().String()
	}
	return out, nil
}

// noScopes is the scopes of a token that has none: [] in the answer.
var noScopes = []string{}

// serveVerify answers POST /api/v1/tokens/verify.
func (s *API) serveVerify(w http.ResponseWriter, r *http.Request) {
	raw, ok := readBody(w, r, maxVerifyBodyBytes)
	if !ok {
		return
	}
	req, err := ParseVerifyBody(raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	// The end client is the one the calling service names, within that
	// service; else the calling service itself.
	client := callerClient(r)
	if req.RemoteAddress != "" {
		client += "|addr:" + req.RemoteAddress
	}
	if wait, throttled := throttled(s.Limiter, "verify", client); throttled {
		writeThrottled(w, wait, true)
		return
	}
	id, ok := s.Verifier.Verify(req.Token)
	if !ok {
		s.Limiter.Failed(client)
		writeJSON(w, http.StatusUnauthorized, Result{Valid: false})
		return
	}
	// The identity's scopes are the read model's, only read here.
	res := Result{Valid: true, Namespace: id.Namespace, Name: id.Name, Principal: id.Principal, Type: authv1alpha1.APIName(id.Type),
		Scopes: id.Scopes}
	if res.Scopes == nil {
		res.Scopes = noScopes
	}
	if !id.ExpirationDate.IsZero() {
		ms := id.ExpirationDate.UnixMilli()
		res.ExpirationDate = &ms
	}
	writeJSON(w, http.StatusOK, res)
}

// serveTokenReview answers a Kubernetes TokenReview, so that kube-apiserver's
// webhook token authentication (or any TokenReview client) can use ApiTokens.
func (s *API) serveTokenReview(w http.ResponseWriter, r *http.Request) {
	raw, ok := readBody(w, r, maxVerifyBodyBytes)
	if !ok {
		return
	}
	review := &authenticationv1.TokenReview{}
	if err := json.Unmarshal(raw, review); err != nil {
		writeError(w, http.StatusBadRequest, "the body must be an authentication.k8s.io/v1 (or v1beta1) TokenReview")
		return
	}
	apiVersion, ok := tokenReviewVersion(review.APIVersion)
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("apiVersion: is %q: a TokenReview of authentication.k8s.io/v1 or v1beta1 is answered", review.APIVersion))
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
	writeJSON(w, http.StatusOK, review)
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
	var minter *accesstoken.Issuer
	if s.Issuer != nil {
		minter = s.Issuer.Minter
	}
	allowed := minter.Audiences(id)
	var out []string
	for _, a := range requested {
		if slices.Contains(allowed, a) {
			out = append(out, a)
		}
	}
	return out
}
