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

package accesstoken

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 500_000_000, time.UTC)

func identity(mod func(*verify.Identity)) verify.Identity {
	id := verify.Identity{UID: "u-1", Namespace: "team-a", Name: "ci", Principal: "ci-bot", Type: authv1alpha1.TokenTypeApiClient,
		Scopes: []string{"read:*", "deploy"}, Revision: 3, AccessTokenTTL: 10 * time.Minute}
	if mod != nil {
		mod(&id)
	}
	return id
}

func TestGrant(t *testing.T) {
	is := &Issuer{URL: "https://issuer.example"}
	cases := []struct {
		name      string
		issuer    *Issuer
		id        verify.Identity
		req       Request
		wantScope string
		wantAud   []string
		wantTTL   time.Duration // exp - iat
		refusal   string        // code: description substring
	}{
		{name: "all scopes, issuer URL as audience", id: identity(nil),
			wantScope: "read:* deploy", wantAud: []string{"https://issuer.example"}, wantTTL: 10 * time.Minute},
		{name: "narrowed scope covered by a wildcard", id: identity(nil), req: Request{Scopes: []string{"read:reports"}},
			wantScope: "read:reports", wantAud: []string{"https://issuer.example"}, wantTTL: 10 * time.Minute},
		{name: "scope outside the token's", id: identity(nil), req: Request{Scopes: []string{"read:x", "admin"}},
			refusal: `invalid_scope: scope[1]: not among the token's scopes`},
		{name: "malformed scope", id: identity(nil), req: Request{Scopes: []string{"read x\""}},
			refusal: `invalid_scope: scope[0]: not a scope: 1 to 128 of A-Z a-z 0-9 : . _ / * -`},
		{name: "default audience", issuer: &Issuer{URL: "https://issuer.example", DefaultAudience: "api"}, id: identity(nil),
			wantScope: "read:* deploy", wantAud: []string{"api"}, wantTTL: 10 * time.Minute},
		{name: "requested audiences in the allowlist", id: identity(func(id *verify.Identity) { id.Audiences = []string{"a", "b", "c"} }),
			req: Request{Audiences: []string{"a", "c"}}, wantScope: "read:* deploy", wantAud: []string{"a", "c"}, wantTTL: 10 * time.Minute},
		{name: "requested audience outside the allowlist", id: identity(func(id *verify.Identity) { id.Audiences = []string{"a"} }),
			req: Request{Audiences: []string{"b"}}, refusal: `invalid_request: audience[0]: not among the audiences this token allows ("a")`},
		// Issue #23, finding 9: without spec.accessToken.audiences a token is
		// no credential for kube-apiserver or any other audience.
		{name: "no allowlist: only the default audience", id: identity(nil), req: Request{Audiences: []string{"kubernetes"}},
			refusal: `invalid_request: audience[0]: not among the audiences this token allows ("https://issuer.example")`},
		{name: "the issuer's cap drops a listed audience", issuer: &Issuer{URL: "https://issuer.example", AllowedAudiences: []string{"a"}},
			id: identity(func(id *verify.Identity) { id.Audiences = []string{"a", "kubernetes"} }), req: Request{Audiences: []string{"kubernetes"}},
			refusal: `invalid_request: audience[0]: not among the audiences this token allows ("a")`},
		{name: "the issuer's cap keeps an allowed one", issuer: &Issuer{URL: "https://issuer.example", AllowedAudiences: []string{"a"}},
			id: identity(func(id *verify.Identity) { id.Audiences = []string{"a", "kubernetes"} }), req: Request{Audiences: []string{"a"}},
			wantScope: "read:* deploy", wantAud: []string{"a"}, wantTTL: 10 * time.Minute},
		{name: "a personal token gets the self-service audiences only", issuer: &Issuer{URL: "https://issuer.example", PersonalAudiences: []string{"portal"}},
			id: identity(func(id *verify.Identity) { id.Personal, id.Audiences = true, []string{"kubernetes"} }), req: Request{Audiences: []string{"kubernetes"}},
			refusal: `invalid_request: audience[0]: not among the audiences this token allows ("portal")`},
		{name: "a personal token without self-service audiences: the default one", id: identity(func(id *verify.Identity) { id.Personal = true }),
			wantScope: "read:* deploy", wantAud: []string{"https://issuer.example"}, wantTTL: 10 * time.Minute},
		{name: "default audience outside the allowlist", id: identity(func(id *verify.Identity) { id.Audiences = []string{"a"} }),
			refusal: `invalid_request: audience: none requested, and the default audience "https://issuer.example" is not among`},
		{name: "scope listed twice", id: identity(nil), req: Request{Scopes: []string{"deploy", "deploy"}}, refusal: "invalid_scope: scope[1]: listed twice"},
		{name: "ttl beyond the CRD's bound is capped", id: identity(func(id *verify.Identity) { id.AccessTokenTTL = 48 * time.Hour }),
			wantScope: "read:* deploy", wantAud: []string{"https://issuer.example"}, wantTTL: 24 * time.Hour},
		{name: "ttl capped by the ApiToken's expiry", id: identity(func(id *verify.Identity) { id.ExpirationDate = now.Add(90 * time.Second) }),
			wantScope: "read:* deploy", wantAud: []string{"https://issuer.example"}, wantTTL: 90 * time.Second},
		{name: "expiry within the second", id: identity(func(id *verify.Identity) { id.ExpirationDate = now.Add(100 * time.Millisecond) }),
			refusal: "invalid_grant: the token is not valid"},
		{name: "no scopes at all", id: identity(func(id *verify.Identity) { id.Scopes = nil; id.AccessTokenTTL = time.Hour }),
			wantAud: []string{"https://issuer.example"}, wantTTL: time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			iss := is
			if c.issuer != nil {
				iss = c.issuer
			}
			claims, err := iss.Grant(c.id, c.req, now)
			if c.refusal != "" {
				var r *Refusal
				if !errors.As(err, &r) || !strings.HasPrefix(r.Error(), c.refusal) {
					t.Fatalf("Grant: %v, want refusal %q", err, c.refusal)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if claims.Scope != c.wantScope || strings.Join(claims.Audience, ",") != strings.Join(c.wantAud, ",") {
				t.Errorf("scope %q aud %v, want %q %v", claims.Scope, claims.Audience, c.wantScope, c.wantAud)
			}
			if got := claims.Expiry.Time().Sub(claims.IssuedAt.Time()); got != c.wantTTL {
				t.Errorf("exp - iat = %s, want %s", got, c.wantTTL)
			}
			if !c.id.ExpirationDate.IsZero() && claims.Expiry.Time().After(c.id.ExpirationDate) {
				t.Errorf("exp %s after the ApiToken's expiry %s", claims.Expiry.Time(), c.id.ExpirationDate)
			}
			if claims.Subject != "apitoken:team-a:ci" || claims.ClientID != "team-a/ci" || claims.Issuer != iss.URL ||
				claims.ApiToken != (TokenClaims{Namespace: "team-a", Name: "ci", UID: "u-1", Type: "API_CLIENT", Principal: "ci-bot", Revision: 3}) {
				t.Errorf("claims %+v", claims)
			}
		})
	}
}

// TestSignVerifies signs with go-jose and checks the result with go-jose's
// own JWT parser: header, kid, typ and claims.
func TestSignVerifies(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	claims, err := (&Issuer{URL: "https://issuer.example"}).Grant(identity(nil), Request{}, now)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := Sign(signer, claims)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	h := parsed.Headers[0]
	if h.KeyID != "k1" || h.ExtraHeaders["typ"] != "at+jwt" || h.Algorithm != "ES256" {
		t.Errorf("header %+v", h)
	}
	var got Claims
	if err := parsed.Claims(&priv.PublicKey, &got); err != nil {
		t.Fatal(err)
	}
	if err := got.ValidateWithLeeway(jwt.Expected{Issuer: "https://issuer.example", AnyAudience: jwt.Audience{"https://issuer.example"},
		Time: now.Add(time.Minute)}, 0); err != nil {
		t.Fatal(err)
	}
	if got.ApiToken.Name != "ci" || got.Scope != "read:* deploy" || got.ID == "" {
		t.Errorf("claims %+v", got)
	}
}
