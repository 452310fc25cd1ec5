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
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func benchSigner(b *testing.B) (jose.Signer, *ecdsa.PrivateKey) {
	b.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: priv, KeyID: "k1"}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		b.Fatal(err)
	}
	return signer, priv
}

// BenchmarkGrantAndSign is what the token endpoint does after redeeming the
// ApiToken: decide the claims and sign them with ES256 (go-jose). Run with
// -cpu 1 for the figure per core.
func BenchmarkGrantAndSign(b *testing.B) {
	signer, _ := benchSigner(b)
	is := &Issuer{URL: "https://issuer.example"}
	id := identity(nil)
	b.ReportAllocs()
	for b.Loop() {
		c, err := is.Grant(id, Request{}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Sign(signer, c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkVerifyOffline is what a service does with an access token and
// the issuer's public key, with two independent libraries: go-oidc's
// verifier (signature, iss, aud, exp) and go-jose's JWT parser. Run with
// -cpu 1 for the figure per core.
func BenchmarkVerifyOffline(b *testing.B) {
	signer, priv := benchSigner(b)
	c, err := (&Issuer{URL: "https://issuer.example"}).Grant(identity(nil), Request{}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	raw, err := Sign(signer, c)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("go-oidc", func(b *testing.B) {
		v := oidc.NewVerifier("https://issuer.example", &oidc.StaticKeySet{PublicKeys: []crypto.PublicKey{&priv.PublicKey}},
			&oidc.Config{ClientID: "https://issuer.example", SupportedSigningAlgs: []string{"ES256"}})
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, raw); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
	})
	b.Run("go-jose", func(b *testing.B) {
		want := jwt.Expected{Issuer: "https://issuer.example", AnyAudience: jwt.Audience{"https://issuer.example"}}
		b.ReportAllocs()
		for b.Loop() {
			tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.ES256})
			if err != nil {
				b.Fatal(err)
			}
			var got Claims
			if err := tok.Claims(&priv.PublicKey, &got); err != nil {
				b.Fatal(err)
			}
			want.Time = time.Now()
			if err := got.Validate(want); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
	})
}
