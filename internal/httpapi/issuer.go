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
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/signing"
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

// IssuerConfig is what the issuer listener serves with; a nil
// API.Issuer turns it off. Build it with NewIssuerConfig.
type IssuerConfig struct {
	// Minter decides and signs access tokens; its URL is the issuer URL.
	Minter *accesstoken.Issuer
	// Keys are the signing keys from the key Secret in the cache.
	Keys *signing.Keys
	// JWKSMaxAge is how long a verifier may cache the key set.
	JWKSMaxAge time.Duration

	// urls and links are derived from Minter.URL once, not per request.
	urls  issuerURLs
	links query.Links
}

// NewIssuerConfig derives the published URLs from the minter's issuer URL.
func NewIssuerConfig(minter *accesstoken.Issuer, keys *signing.Keys, jwksMaxAge time.Duration) *IssuerConfig {
	base := strings.TrimSuffix(minter.URL, "/")
	c := &IssuerConfig{Minter: minter, Keys: keys, JWKSMaxAge: jwksMaxAge,
		urls: issuerURLs{Issuer: minter.URL, JWKS: base + JWKSPath, TokenEndpoint: base + TokenEndpointPath,
			Revocation: base + RevocationPath, Introspection: base + IntrospectionPath}}
	c.links = query.Links{TokenEndpoint: &c.urls.TokenEndpoint, Issuer: &c.urls.Issuer}
	return c
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

// IssuerHandler is the issuer listener's mux: discovery and the key set
// for anyone; the token and revocation endpoints, where the ApiToken in the
// request is the credential (no Kubernetes authentication); introspection,
// which authenticates its caller itself. Wrong methods get 405.
func (s *API) IssuerHandler() (http.Handler, error) {
	urls := s.Issuer.urls
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
	mux := http.NewServeMux()
	for _, path := range []string{DiscoveryPath, AuthorizationServerMetadataPath} {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, _ *http.Request) {
			writeCacheable(w, doc, "application/json", discoveryMaxAge)
		})
	}
	mux.HandleFunc("GET "+JWKSPath, s.serveJWKS)
	mux.HandleFunc("POST "+TokenEndpointPath, s.serveToken)
	mux.HandleFunc("POST "+RevocationPath, s.serveRevocation)
	mux.HandleFunc("POST "+IntrospectionPath, s.serveIntrospection)
	return mux, nil
}

// serveJWKS answers the public keys; 503 until the key Secret is in the
// cache, so that no cache keeps an empty set.
func (s *API) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	set := s.Issuer.Keys.JWKS()
	if set == nil {
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, "the issuer has no signing key yet: retry shortly")
		return
	}
	writeCacheable(w, set, "application/jwk-set+json", s.Issuer.JWKSMaxAge)
}

func writeCacheable(w http.ResponseWriter, body []byte, contentType string, maxAge time.Duration) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(maxAge/time.Second)))
	_, _ = w.Write(body)
}

// links are the issuer URLs of the query rows.
func (s *API) links() query.Links {
	if s.Issuer == nil {
		return query.Links{}
	}
	return s.Issuer.links
}
