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

// Package verifyapi answers whether a presented token is valid, from the
// informer cache: POST /api/v1/tokens/verify (JSON), POST
// /api/v1/tokenreviews (a Kubernetes TokenReview webhook) and forward auth
// for ingresses (any path of its own listener).
package verifyapi

import (
	"errors"
	"net/http"
	"net/netip"

	kjson "sigs.k8s.io/json"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// Keys of the user.extra a TokenReview answer carries.
const (
	ExtraPrincipal = "auth.apitoken.io/principal"
	ExtraScopes    = "auth.apitoken.io/scopes"
)

// MaxBodyBytes bounds the body of a verify request or a TokenReview.
const MaxBodyBytes = 64 << 10

// Permission is what a caller of verify and TokenReview must be allowed
// (cluster-wide): create on apitokens/verify.
var Permission = &httpserver.Permission{Verb: "create", Resource: "apitokens", Subresource: "verify"}

// API is what verification serves from.
type API struct {
	Verifier *verify.Verifier
	// Limiter throttles end clients that guess; nil throttles nobody.
	Limiter *guessing.Limiter
	// TrustedProxies are the proxies whose X-Forwarded-For and X-Real-IP
	// name the end client at forward auth.
	TrustedProxies []netip.Prefix
	// Minter decides which audiences a TokenReview grants (the issuer's
	// rules); nil without the issuer: spec.accessToken.audiences.
	Minter *accesstoken.Issuer
}

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

// Verify answers POST /api/v1/tokens/verify.
func (s *API) Verify(w http.ResponseWriter, r *http.Request) {
	req, err := ParseVerifyBody(httpserver.Body(r))
	if err != nil {
		httpserver.WriteError(w, http.StatusBadRequest, err.Error())
		return
	}
	// The end client is the one the calling service names, within that
	// service; else the calling service itself.
	client := httpserver.CallerClient(r)
	if req.RemoteAddress != "" {
		client += "|addr:" + req.RemoteAddress
	}
	if wait, throttled := httpserver.Throttled(s.Limiter, "verify", client); throttled {
		httpserver.WriteThrottled(w, wait, true)
		return
	}
	id, ok := s.Verifier.Verify(req.Token)
	if !ok {
		s.Limiter.Failed(client)
		httpserver.WriteJSON(w, http.StatusUnauthorized, Result{Valid: false})
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
	httpserver.WriteJSON(w, http.StatusOK, res)
}
