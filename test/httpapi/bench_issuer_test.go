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
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/apitoken-io/apitoken-operator/internal/accesstoken"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/issuer"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/signing"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// BenchmarkExchangeTLS drives the token endpoint over loopback TLS (HTTP/1.1
// keep-alive, 16 parallel clients, 100k tokens indexed) with the
// client_credentials grant: parse the form, redeem the ApiToken, decide the
// claims, sign them (ES256) and answer JSON.
func BenchmarkExchangeTLS(b *testing.B) {
	v, values := testutil.IndexedVerifier(b, 100_000)
	forms := make([]string, len(values))
	for i, val := range values {
		ns, name, ok := v.Holder(val)
		if !ok {
			b.Fatal("a fixture token has no holder")
		}
		forms[i] = url.Values{"grant_type": {issuer.GrantClientCredentials}, "client_id": {ns + "/" + name},
			"client_secret": {string(val.Reveal())}}.Encode()
	}
	h := buildHandlers(b, operator.HTTPDeps{Model: v.Model, Verifier: v, Log: log.Log, Synced: func() bool { return true }, Clock: clock.RealClock{},
		Minter: &accesstoken.Issuer{URL: "https://issuer.example"}, Keys: benchKeys(b), JWKSMaxAge: time.Hour}).Issuer
	driveTLS(b, "exchanges/s", h, func(base string, i int) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, base+issuer.TokenEndpointPath, strings.NewReader(forms[i%len(forms)]))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	})
}

// benchKeys is a key set of one key that signs now.
func benchKeys(b *testing.B) *signing.Keys {
	b.Helper()
	k, err := signing.NewKey(time.Now(), time.Now().Add(-time.Minute))
	if err != nil {
		b.Fatal(err)
	}
	data, err := signing.KeySet{k}.Data()
	if err != nil {
		b.Fatal(err)
	}
	keys := &signing.Keys{Log: log.Log}
	keys.Load(data)
	if _, _, ok := keys.Signer(time.Now()); !ok {
		b.Fatal("no signing key loaded")
	}
	return keys
}

// BenchmarkIntrospectionTLS drives the introspection endpoint over loopback
// TLS (HTTP/1.1 keep-alive, 16 parallel clients, 100k tokens indexed) with
// access tokens the issuer signed: parse the form, authenticate the caller
// (a bearer token; --query-auth=none here, so no TokenReview), verify the
// ES256 signature and the claims, check the ApiToken behind it in the read
// model, and answer RFC 7662 JSON.
func BenchmarkIntrospectionTLS(b *testing.B) {
	v, values := testutil.IndexedVerifier(b, 100_000)
	keys := benchKeys(b)
	minter := &accesstoken.Issuer{URL: "https://issuer.example"}
	signer, _, _ := keys.Signer(time.Now())
	forms := make([]string, 1000)
	for i := range forms {
		id, ok := v.Check(values[i])
		if !ok {
			b.Fatal("a fixture token does not verify")
		}
		claims, err := minter.Grant(id, accesstoken.Request{}, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		jwt, err := accesstoken.Sign(signer, claims)
		if err != nil {
			b.Fatal(err)
		}
		forms[i] = url.Values{"token": {jwt}}.Encode()
	}
	access, err := httpserver.NewAccess(httpserver.AuthNone, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	h := buildHandlers(b, operator.HTTPDeps{Model: v.Model, Verifier: v, Access: access, Log: log.Log, Synced: func() bool { return true }, Clock: clock.RealClock{},
		Minter: minter, Keys: keys, JWKSMaxAge: time.Hour}).Issuer
	// An inactive answer is 200 too: make sure these are active.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, issuer.IntrospectionPath, strings.NewReader(forms[0]))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer service")
	h.ServeHTTP(rec, req)
	if !strings.Contains(rec.Body.String(), `"active":true`) {
		b.Fatalf("the fixture access token does not introspect active: %d %s", rec.Code, rec.Body)
	}
	driveTLS(b, "introspections/s", h, func(base string, i int) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, base+issuer.IntrospectionPath, strings.NewReader(forms[i%len(forms)]))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer service")
		return req
	})
}
