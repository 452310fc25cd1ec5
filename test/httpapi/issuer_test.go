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

package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/oauth2/clientcredentials"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/issuer"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// tokenReply is one answer of the token endpoint.
type tokenReply struct {
	code   int
	header http.Header
	body   string
}

func (r tokenReply) token() issuer.TokenResponse {
	GinkgoHelper()
	Expect(r.code).To(Equal(http.StatusOK), r.body)
	var t issuer.TokenResponse
	Expect(json.Unmarshal([]byte(r.body), &t)).To(Succeed())
	return t
}

func (r tokenReply) oauthError() issuer.OAuthError {
	GinkgoHelper()
	var e issuer.OAuthError
	Expect(json.Unmarshal([]byte(r.body), &e)).To(Succeed(), r.body)
	return e
}

// postToken posts a form to the token endpoint, with HTTP Basic when user
// is not empty.
func postToken(form url.Values, user, pass string) tokenReply {
	GinkgoHelper()
	req, err := http.NewRequest(http.MethodPost, issuerURL+issuer.TokenEndpointPath, strings.NewReader(form.Encode()))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	return doIssuer(req)
}

func doIssuer(req *http.Request) tokenReply {
	GinkgoHelper()
	resp, err := issuerClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return tokenReply{code: resp.StatusCode, header: resp.Header, body: string(b)}
}

func clientCredentials(clientID, secret string, extra ...string) url.Values {
	f := url.Values{"grant_type": {issuer.GrantClientCredentials}, "client_id": {clientID}, "client_secret": {secret}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Add(extra[i], extra[i+1])
	}
	return f
}

// headerOf decodes a JWT's protected header without verifying it.
func headerOf(raw string) map[string]any {
	GinkgoHelper()
	part, _, _ := strings.Cut(raw, ".")
	b, err := base64.RawURLEncoding.DecodeString(part)
	Expect(err).NotTo(HaveOccurred())
	h := map[string]any{}
	Expect(json.Unmarshal(b, &h)).To(Succeed())
	return h
}

// oidcVerifier verifies access tokens the way a service would: go-oidc,
// from the discovery document and the JWK Set, trusting only the CA.
func oidcVerifier(ctx context.Context, audience string) *oidc.IDTokenVerifier {
	GinkgoHelper()
	ctx = oidc.ClientContext(ctx, issuerClient)
	provider, err := oidc.NewProvider(ctx, issuerURL)
	Expect(err).NotTo(HaveOccurred())
	return provider.VerifierContext(ctx, &oidc.Config{ClientID: audience, SupportedSigningAlgs: []string{"ES256"}})
}

func claimsOf(ctx context.Context, v *oidc.IDTokenVerifier, raw string) accesstoken.Claims {
	GinkgoHelper()
	idt, err := v.Verify(ctx, raw)
	Expect(err).NotTo(HaveOccurred())
	var c accesstoken.Claims
	Expect(idt.Claims(&c)).To(Succeed())
	return c
}

var _ = Describe("Issuer", Ordered, func() {
	var (
		ctx      context.Context
		ns       string
		values   = map[string]string{}
		seen     []string
		idTokens *oidc.IDTokenVerifier
	)
	current := func(name string) string {
		v := getSecretValue(ctx, ns, name)
		values[name+"@"+time.Now().String()] = v
		return v
	}
	exchange := func(form url.Values, user, pass string) tokenReply {
		r := postToken(form, user, pass)
		seen = append(seen, r.body)
		return r
	}

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		for _, t := range []*authv1alpha1.ApiToken{
			testutil.MakeApiToken(ns, "svc").Scopes("read:*", "deploy").Rotation(0, 4*time.Second).AccessToken(2 * time.Minute).Obj(),
			testutil.MakeApiToken(ns, "aud").AccessToken(0, "billing", "reports").Obj(),
			testutil.MakeApiToken(ns, "short").TTL(5 * time.Second).Obj(),
			testutil.MakeApiToken(ns, "rev").Obj(),
		} {
			t.UID = ""
			Expect(k8sClient.Create(ctx, t)).To(Succeed())
		}
		for _, name := range []string{"svc", "aud", "short", "rev"} {
			Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, name).Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))
		}
		// The first exchange waits for the leader's signing key.
		Eventually(func() int { return exchange(clientCredentials(ns+"/svc", current("svc")), "", "").code }).Should(Equal(http.StatusOK))
		idTokens = oidcVerifier(ctx, issuerURL)
	})

	It("publishes discovery and the JWK Set, cacheable", func() {
		req, _ := http.NewRequest(http.MethodGet, issuerURL+issuer.DiscoveryPath, nil)
		r := doIssuer(req)
		Expect(r.code).To(Equal(http.StatusOK))
		Expect(r.header.Get("Cache-Control")).To(Equal("public, max-age=3600"))
		Expect(r.body).To(MatchJSON(`{
			"issuer": "` + issuerURL + `",
			"jwks_uri": "` + issuerURL + `/openid/v1/jwks",
			"token_endpoint": "` + issuerURL + `/oauth2/token",
			"grant_types_supported": ["client_credentials", "urn:ietf:params:oauth:grant-type:token-exchange", "refresh_token"],
			"token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
			"id_token_signing_alg_values_supported": ["ES256"],
			"response_types_supported": ["id_token"],
			"subject_types_supported": ["public"],
			"claims_supported": ["iss", "sub", "aud", "exp", "iat", "nbf", "jti", "client_id", "scope", "groups", "apitoken.io"],
			"revocation_endpoint": "` + issuerURL + `/oauth2/revoke",
			"revocation_endpoint_auth_methods_supported": ["none"],
			"introspection_endpoint": "` + issuerURL + `/oauth2/introspect",
			"introspection_endpoint_auth_methods_supported": ["client_secret_basic", "bearer"]}`))
		discovery := r.body

		req, _ = http.NewRequest(http.MethodGet, issuerURL+issuer.AuthorizationServerMetadataPath, nil)
		r = doIssuer(req)
		Expect(r.code).To(Equal(http.StatusOK))
		Expect(r.body).To(MatchJSON(discovery), "RFC 8414 metadata is the discovery document")

		req, _ = http.NewRequest(http.MethodGet, issuerURL+issuer.JWKSPath, nil)
		r = doIssuer(req)
		Expect(r.code).To(Equal(http.StatusOK))
		Expect(r.header.Get("Cache-Control")).To(Equal("public, max-age=2"), "at most half the overlap")
		var set jose.JSONWebKeySet
		Expect(json.Unmarshal([]byte(r.body), &set)).To(Succeed())
		Expect(set.Keys).NotTo(BeEmpty())
		for _, k := range set.Keys {
			Expect(k.KeyID).NotTo(BeEmpty())
			Expect(k.Use).To(Equal("sig"))
			Expect(k.Algorithm).To(Equal("ES256"))
			Expect(k.IsPublic()).To(BeTrue())
		}
		Expect(r.body).NotTo(ContainSubstring(`"d"`), "no private part")

		req, _ = http.NewRequest(http.MethodPost, issuerURL+issuer.JWKSPath, nil)
		Expect(doIssuer(req).code).To(Equal(http.StatusMethodNotAllowed))
	})

	It("issues an RFC 9068 access token for each grant, that go-oidc verifies", func() {
		value := current("svc")
		for name, r := range map[string]tokenReply{
			"client_credentials, form":       exchange(clientCredentials(ns+"/svc", value), "", ""),
			"client_credentials, HTTP Basic": exchange(url.Values{"grant_type": {issuer.GrantClientCredentials}}, ns+"/svc", value),
			"token exchange": exchange(url.Values{"grant_type": {issuer.GrantTokenExchange}, "subject_token": {value},
				"subject_token_type": {issuer.TokenTypeAccessToken}}, "", ""),
			"refresh_token": exchange(url.Values{"grant_type": {issuer.GrantRefreshToken}, "refresh_token": {value}}, "", ""),
		} {
			By(name)
			Expect(r.header.Get("Cache-Control")).To(Equal("no-store"))
			t := r.token()
			Expect(t.TokenType).To(Equal("Bearer"))
			Expect(t.ExpiresIn).To(BeNumerically("~", 120, 1), "spec.accessToken.ttl")
			Expect(t.Scope).To(Equal("read:* deploy"))
			if name == "token exchange" {
				Expect(t.IssuedTokenType).To(Equal(issuer.TokenTypeJWT))
			} else {
				Expect(t.IssuedTokenType).To(BeEmpty())
			}
			h := headerOf(t.AccessToken)
			Expect(h).To(HaveKeyWithValue("typ", "at+jwt"))
			Expect(h).To(HaveKeyWithValue("alg", "ES256"))
			Expect(h).To(HaveKey("kid"))
			c := claimsOf(ctx, idTokens, t.AccessToken)
			tok := getToken(ctx, ns, "svc")
			Expect(c.Issuer).To(Equal(issuerURL))
			Expect(c.Subject).To(Equal("apitoken:" + ns + ":svc"))
			Expect([]string(c.Audience)).To(Equal([]string{issuerURL}))
			Expect(c.ClientID).To(Equal(ns + "/svc"))
			Expect(c.Groups).To(Equal([]string{"apitoken:namespace:" + ns}), "recognised as an ApiToken identity behind a username prefix")
			Expect(c.Scope).To(Equal("read:* deploy"))
			Expect(c.ID).NotTo(BeEmpty())
			Expect(c.IssuedAt.Time()).To(BeTemporally("~", time.Now(), 5*time.Second))
			Expect(c.NotBefore).To(Equal(c.IssuedAt))
			Expect(c.ApiToken).To(Equal(accesstoken.TokenClaims{Namespace: ns, Name: "svc", UID: string(tok.UID), Type: "USER",
				Principal: "alice", Revision: tok.Status.Revision}))
		}
	})

	It("works with golang.org/x/oauth2/clientcredentials, narrowing the scope", func() {
		cfg := clientcredentials.Config{ClientID: ns + "/svc", ClientSecret: current("svc"), TokenURL: issuerURL + issuer.TokenEndpointPath,
			Scopes: []string{"read:reports"}}
		t, err := cfg.Token(oidc.ClientContext(ctx, issuerClient))
		Expect(err).NotTo(HaveOccurred())
		Expect(t.Extra("scope")).To(Equal("read:reports"))
		Expect(claimsOf(ctx, idTokens, t.AccessToken).Scope).To(Equal("read:reports"))
	})

	It("keeps the audience within the allowlist, and uses the requested one", func() {
		value := current("aud")
		r := exchange(clientCredentials(ns+"/aud", value, "audience", "billing"), "", "")
		Expect(claimsOf(ctx, oidcVerifier(ctx, "billing"), r.token().AccessToken).Audience).To(ConsistOf("billing"))

		r = exchange(clientCredentials(ns+"/aud", value, "audience", "billing", "audience", "reports"), "", "")
		Expect(claimsOf(ctx, oidcVerifier(ctx, "reports"), r.token().AccessToken).Audience).To(ConsistOf("billing", "reports"))

		r = exchange(clientCredentials(ns+"/aud", value, "audience", "payroll"), "", "")
		Expect(r.code).To(Equal(http.StatusBadRequest))
		Expect(r.oauthError()).To(Equal(issuer.OAuthError{Error: "invalid_request",
			Description: `audience[0]: not among the audiences this token allows ("billing", "reports")`}))

		r = exchange(clientCredentials(ns+"/aud", value), "", "")
		Expect(r.code).To(Equal(http.StatusBadRequest))
		Expect(r.oauthError().Error).To(Equal("invalid_request"), "the default audience (the issuer URL) is not on the list")

		// Issue #23, finding 9: no allowlist means the default audience only,
		// so that no token becomes a credential for kube-apiserver.
		for _, aud := range []string{"anything", "kubernetes"} {
			r = exchange(clientCredentials(ns+"/svc", current("svc"), "audience", aud), "", "")
			Expect(r.code).To(Equal(http.StatusBadRequest), "no allowlist: only the default audience, not %q", aud)
			Expect(r.oauthError().Description).To(ContainSubstring("audience[0]: not among the audiences this token allows"))
		}
		r = exchange(clientCredentials(ns+"/svc", current("svc")), "", "")
		Expect(claimsOf(ctx, oidcVerifier(ctx, issuerURL), r.token().AccessToken).Audience).To(ConsistOf(issuerURL))
	})

	It("answers RFC 6749 errors that name the parameter", func() {
		value := current("svc")
		unknown := "0123456789abcdefghijklmnopqrstuv"
		for _, c := range []struct {
			name        string
			form        url.Values
			user, pass  string
			code        int
			err         string
			description string
		}{
			{"no grant_type", url.Values{"client_id": {ns + "/svc"}}, "", "", 400, "invalid_request", "grant_type: required"},
			{"unknown grant", url.Values{"grant_type": {"password"}}, "", "", 400, "unsupported_grant_type",
				"grant_type: not supported: use client_credentials, urn:ietf:params:oauth:grant-type:token-exchange or refresh_token"},
			{"no client authentication", url.Values{"grant_type": {"client_credentials"}}, "", "", 401, "invalid_client",
				"client authentication required: client_id <namespace>/<name> and client_secret <the ApiToken>, by HTTP Basic or in the form"},
			{"client_id not namespace/name", clientCredentials("svc", value), "", "", 401, "invalid_client", "client_id: must be <namespace>/<name> of the ApiToken"},
			{"two client authentication methods", clientCredentials(ns+"/svc", value), ns + "/svc", value, 400, "invalid_request",
				"client_secret: given in the form and by HTTP Basic: use one client authentication method"},
			// RFC 6749 §5.2: with client_credentials the token is the client's
			// secret, so a wrong one fails client authentication.
			{"unknown token", clientCredentials(ns+"/svc", unknown), "", "", 401, "invalid_client",
				"client authentication failed: client_secret is not a valid token of the ApiToken client_id names"},
			{"another ApiToken's token", clientCredentials(ns+"/aud", value), "", "", 401, "invalid_client",
				"client authentication failed: client_secret is not a valid token of the ApiToken client_id names"},
			{"unknown token, HTTP Basic", url.Values{"grant_type": {"client_credentials"}}, ns + "/svc", unknown, 401, "invalid_client",
				"client authentication failed: client_secret is not a valid token of the ApiToken client_id names"},
			{"unknown token, another grant", url.Values{"grant_type": {issuer.GrantRefreshToken}, "refresh_token": {unknown}}, "", "", 400,
				"invalid_grant", "the token is not valid"},
			{"scope outside the token's", clientCredentials(ns+"/svc", value, "scope", "read:x admin"), "", "", 400, "invalid_scope",
				"scope[1]: not among the token's scopes"},
			{"parameter twice", url.Values{"grant_type": {"client_credentials", "client_credentials"}}, "", "", 400, "invalid_request", "grant_type: given more than once"},
			{"no subject_token_type", url.Values{"grant_type": {issuer.GrantTokenExchange}, "subject_token": {value}}, "", "", 400, "invalid_request",
				"subject_token_type: required (urn:ietf:params:oauth:token-type:access_token)"},
			{"no subject_token", url.Values{"grant_type": {issuer.GrantTokenExchange}, "subject_token_type": {issuer.TokenTypeAccessToken}}, "", "", 400,
				"invalid_request", "subject_token: required"},
			{"no refresh_token", url.Values{"grant_type": {issuer.GrantRefreshToken}}, "", "", 400, "invalid_request", "refresh_token: required"},
			{"client_secret beside another grant's token", url.Values{"grant_type": {issuer.GrantRefreshToken}, "refresh_token": {value},
				"client_secret": {unknown}}, "", "", 401, "invalid_client",
				"client_secret: with grant_type refresh_token the credential is refresh_token; leave client_secret empty or send the same token"},
		} {
			By(c.name)
			r := exchange(c.form, c.user, c.pass)
			Expect(r.code).To(Equal(c.code), r.body)
			Expect(r.oauthError()).To(Equal(issuer.OAuthError{Error: c.err, Description: c.description}))
			Expect(r.header.Get("Cache-Control")).To(Equal("no-store"))
			if c.code == http.StatusUnauthorized {
				Expect(r.header.Get("WWW-Authenticate")).To(HavePrefix("Basic"))
			}
		}

		By("a JSON body")
		req, _ := http.NewRequest(http.MethodPost, issuerURL+issuer.TokenEndpointPath, strings.NewReader(`{"grant_type":"client_credentials"}`))
		req.Header.Set("Content-Type", "application/json")
		r := doIssuer(req)
		Expect(r.code).To(Equal(http.StatusBadRequest))
		Expect(r.oauthError().Description).To(Equal("Content-Type: must be application/x-www-form-urlencoded"))

		By("parameters in the URL")
		req, _ = http.NewRequest(http.MethodPost, issuerURL+issuer.TokenEndpointPath+"?client_secret=x", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r = doIssuer(req)
		Expect(r.code).To(Equal(http.StatusBadRequest))
		Expect(r.oauthError().Description).To(HavePrefix("parameters go in the form body, not the URL"))
	})

	It("caps the lifetime at the ApiToken's expiry and refuses it the instant it expires", func() {
		short := current("short")
		exp := getToken(ctx, ns, "short").Status.ExpirationDate.Time
		if time.Now().Before(exp.Add(-2 * time.Second)) {
			t := exchange(clientCredentials(ns+"/short", short), "", "").token()
			Expect(t.ExpiresIn).To(BeNumerically("<=", 5))
			c := claimsOf(ctx, idTokens, t.AccessToken)
			Expect(c.Expiry.Time()).NotTo(BeTemporally(">", exp), "never past the ApiToken's expirationDate")
		}
		Eventually(func() bool { return time.Now().After(exp) }, 10*time.Second, 5*time.Millisecond).Should(BeTrue())
		// The controller may not have written Expired yet: the rule is
		// the expirationDate itself.
		r := exchange(clientCredentials(ns+"/short", short), "", "")
		Expect(r.code).To(Equal(http.StatusUnauthorized))
		Expect(r.oauthError().Error).To(Equal("invalid_client"))
		r = exchange(url.Values{"grant_type": {issuer.GrantTokenExchange}, "subject_token": {short}, "subject_token_type": {issuer.TokenTypeAccessToken}}, "", "")
		Expect(r.code).To(Equal(http.StatusBadRequest))
		Expect(r.oauthError()).To(Equal(issuer.OAuthError{Error: "invalid_grant", Description: "the token is not valid"}))

		rev := current("rev")
		Expect(exchange(clientCredentials(ns+"/rev", rev), "", "").code).To(Equal(http.StatusOK))
		tok := getToken(ctx, ns, "rev")
		patch := client.MergeFrom(tok.DeepCopy())
		tok.Spec.Revoked = true
		Expect(k8sClient.Patch(ctx, tok, patch)).To(Succeed())
		Eventually(func() string { return exchange(clientCredentials(ns+"/rev", rev), "", "").oauthError().Error }).Should(Equal("invalid_client"))
	})

	It("exchanges the previous token during its grace period only, with its own revision", func() {
		old := current("svc")
		tok := getToken(ctx, ns, "svc")
		patch := client.MergeFrom(tok.DeepCopy())
		tok.Annotations = map[string]string{authv1alpha1.RotateAnnotation: "issuer-test"}
		Expect(k8sClient.Patch(ctx, tok, patch)).To(Succeed())
		Eventually(func() string { return current("svc") }).ShouldNot(Equal(old))
		Eventually(func() int64 { return getToken(ctx, ns, "svc").Status.Revision }).Should(Equal(tok.Status.Revision + 1))

		graceEnds := time.Now().Add(4 * time.Second)
		c := claimsOf(ctx, idTokens, exchange(clientCredentials(ns+"/svc", old), "", "").token().AccessToken)
		Expect(c.ApiToken.Revision).To(Equal(tok.Status.Revision))
		Expect(c.Expiry.Time()).NotTo(BeTemporally(">", graceEnds), "never past the grace period (the ttl is 2m)")
		c = claimsOf(ctx, idTokens, exchange(clientCredentials(ns+"/svc", current("svc")), "", "").token().AccessToken)
		Expect(c.ApiToken.Revision).To(Equal(tok.Status.Revision + 1))
		Eventually(func() string {
			return exchange(clientCredentials(ns+"/svc", old), "", "").oauthError().Error
		}, 10*time.Second).Should(Equal("invalid_client"))
	})

	It("records the exchange as a use in lastUsedDate", func() {
		before := time.Now().Add(-time.Second)
		Expect(exchange(clientCredentials(ns+"/aud", current("aud"), "audience", "billing"), "", "").code).To(Equal(http.StatusOK))
		Eventually(func(g Gomega) {
			lu := getToken(ctx, ns, "aud").Status.LastUsedDate
			g.Expect(lu).NotTo(BeNil())
			g.Expect(lu.Time).To(BeTemporally(">=", before.Truncate(time.Second)))
		}).Should(Succeed())
	})

	It("shows the issuer in query rows", func() {
		reader := serviceAccountToken(ctx, ns, "reader")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "issuer-reader-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: readerRole(ctx)}, Subjects: subject(ns, "reader")})).To(Succeed())
		var code int
		var body string
		Eventually(func() int { code, body = call(http.MethodGet, "/api/v1/tokens/"+ns+"/aud", reader, ""); return code }).Should(Equal(http.StatusOK))
		Expect(code).To(Equal(http.StatusOK), body)
		var row query.TokenDTO
		Expect(json.Unmarshal([]byte(body), &row)).To(Succeed())
		Expect(row.AccessTokenTTL).To(Equal(int64(600)))
		Expect(*row.TokenEndpointURL).To(Equal(issuerURL + "/oauth2/token"))
		Expect(*row.OIDCIssuerURL).To(Equal(issuerURL))
	})

	It("throttles an end client that keeps presenting wrong tokens, and only that client", func() {
		value := current("svc")
		from := func(client, secret string) tokenReply {
			req, err := http.NewRequest(http.MethodPost, issuerURL+issuer.TokenEndpointPath,
				strings.NewReader(clientCredentials(ns+"/svc", secret).Encode()))
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", client) // the suite trusts 127.0.0.1 as a proxy
			r := doIssuer(req)
			seen = append(seen, r.body)
			return r
		}
		for range verifyFailureLimit {
			Expect(from("198.51.100.17", "0123456789abcdefghijklmnopqrstuv").oauthError().Error).To(Equal("invalid_client"))
		}
		r := from("198.51.100.17", value)
		Expect(r.code).To(Equal(http.StatusTooManyRequests), "even a valid token, once the budget is spent")
		Expect(r.oauthError().Error).To(Equal("slow_down"))
		Expect(r.header.Get("Retry-After")).NotTo(BeEmpty())
		Expect(from("198.51.100.18", value).code).To(Equal(http.StatusOK), "another client is not affected")
	})

	It("never puts a token value in a response other than the access token", func() {
		Expect(values).NotTo(BeEmpty())
		for _, v := range values {
			for _, out := range seen {
				Expect(out).NotTo(ContainSubstring(v))
			}
		}
	})
})
