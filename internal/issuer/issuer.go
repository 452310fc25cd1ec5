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

// Package issuer is the OAuth issuer listener: discovery (OpenID Connect
// Discovery, RFC 8414), the key set, the token endpoint (client
// credentials, token exchange, refresh), RFC 7662 introspection and RFC
// 7009 revocation. Access tokens are decided by internal/accesstoken and
// signed with internal/signing's keys.
package issuer

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/utils/clock"

	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/signing"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
	"github.com/apitoken-io/apitoken-operator/internal/writeapi"
)

// Paths of the issuer listener, below the issuer URL.
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	// AuthorizationServerMetadataPath is RFC 8414's name for the same
	// document, which OAuth-only clients look up.
	AuthorizationServerMetadataPath = "/.well-known/oauth-authorization-server"
	JWKSPath                        = "/openid/v1/jwks"
	TokenEndpointPath               = "/oauth2/token"
	// RevocationPath is RFC 7009 revocation, IntrospectionPath RFC 7662
	// introspection.
	RevocationPath    = "/oauth2/revoke"
	IntrospectionPath = "/oauth2/introspect"
)

// Grant types and token types of the token endpoint.
const (
	GrantClientCredentials = "client_credentials"
	GrantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
	GrantRefreshToken      = "refresh_token"
	TokenTypeAccessToken   = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeJWT           = "urn:ietf:params:oauth:token-type:jwt"
)

// discoveryMaxAge is how long a client may cache the discovery document;
// it changes only with the operator's flags.
const discoveryMaxAge = time.Hour

// API is what the issuer listener serves from; build it with New.
type API struct {
	// Minter decides and signs access tokens; its URL is the issuer URL.
	Minter *accesstoken.Issuer
	// Keys are the signing keys from the key Secret in the cache.
	Keys *signing.Keys
	// JWKSMaxAge is how long a verifier may cache the key set.
	JWKSMaxAge time.Duration

	Verifier *verify.Verifier
	Model    *readmodel.Model
	// Access authenticates and authorizes introspection's Kubernetes
	// callers.
	Access *httpserver.Access
	// Limiter throttles end clients that guess; nil throttles nobody.
	Limiter *guessing.Limiter
	// TrustedProxies name the end client behind a proxy.
	TrustedProxies []netip.Prefix
	// Synced says whether the caches have delivered every object; until
	// then the endpoints that look a token up answer 503.
	Synced func() bool
	// Writes revokes the ApiToken presented at the revocation endpoint.
	Writes *writeapi.API
	Clock  clock.Clock
	Log    logr.Logger

	// urls, links and discovery are derived from Minter.URL once.
	urls      issuerURLs
	links     query.Links
	discovery []byte
}

// New derives the published URLs and the discovery document from
// a.Minter's issuer URL.
func New(a *API) (*API, error) {
	base := strings.TrimSuffix(a.Minter.URL, "/")
	a.urls = issuerURLs{Issuer: a.Minter.URL, JWKS: base + JWKSPath, TokenEndpoint: base + TokenEndpointPath,
		Revocation: base + RevocationPath, Introspection: base + IntrospectionPath}
	a.links = query.Links{TokenEndpoint: &a.urls.TokenEndpoint, Issuer: &a.urls.Issuer}
	urls := a.urls
	doc, err := json.Marshal(discovery{
		Issuer: urls.Issuer, JWKSURI: urls.JWKS, TokenEndpoint: urls.TokenEndpoint,
		GrantTypesSupported:               []string{GrantClientCredentials, GrantTokenExchange, GrantRefreshToken},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		IDTokenSigningAlgValuesSupported:  []string{string(signing.Algorithm)},
		// There is no authorization endpoint; "id_token" is what the
		// Kubernetes service account issuer publishes too, which every
		// consumer of that document accepts.
		ResponseTypesSupported: []string{"id_token"},
		SubjectTypesSupported:  []string{"public"},
		ClaimsSupported:        []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "groups", accesstoken.ClaimsKey},
		RevocationEndpoint:     urls.Revocation, RevocationEndpointAuthMethodsSupported: []string{"none"},
		IntrospectionEndpoint: urls.Introspection, IntrospectionEndpointAuthMethodsSupported: []string{"client_secret_basic", "bearer"},
	})
	if err != nil {
		return nil, fmt.Errorf("encoding the discovery document: %w", err)
	}
	a.discovery = doc
	return a, nil
}

// Links are the issuer's URLs that query rows name; empty for a nil API
// (the issuer is off).
func (s *API) Links() query.Links {
	if s == nil {
		return query.Links{}
	}
	return s.links
}

// issuerURLs are the published URLs of an issuer, for discovery and the
// query rows.
type issuerURLs struct {
	Issuer, JWKS, TokenEndpoint, Revocation, Introspection string
}

// discovery is the OpenID Provider Metadata document (OpenID Connect
// Discovery 1.0, RFC 8414) of the issuer.
type discovery struct {
	Issuer                            string   `json:"issuer"`
	JWKSURI                           string   `json:"jwks_uri"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	// RevocationEndpointAuthMethodsSupported is "none": the presented
	// token is the only credential (RFC 8414 §2).
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionEndpoint                  string   `json:"introspection_endpoint"`
	// IntrospectionEndpointAuthMethodsSupported: HTTP Basic with an
	// ApiToken holding apitoken:introspect, or a Kubernetes bearer token.
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
}

// Discovery answers the discovery document (at DiscoveryPath and
// AuthorizationServerMetadataPath).
func (s *API) Discovery(w http.ResponseWriter, _ *http.Request) {
	writeCacheable(w, s.discovery, "application/json", discoveryMaxAge)
}

// JWKS answers the public keys; 503 until the key Secret is in the
// cache, so that no cache keeps an empty set.
func (s *API) JWKS(w http.ResponseWriter, _ *http.Request) {
	set := s.Keys.JWKS()
	if set == nil {
		w.Header().Set("Retry-After", "5")
		httpserver.WriteError(w, http.StatusServiceUnavailable, "the issuer has no signing key yet: retry shortly")
		return
	}
	writeCacheable(w, set, "application/jwk-set+json", s.JWKSMaxAge)
}

func writeCacheable(w http.ResponseWriter, body []byte, contentType string, maxAge time.Duration) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge/time.Second)))
	_, _ = w.Write(body)
}
