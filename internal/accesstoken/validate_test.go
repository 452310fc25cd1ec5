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
	"encoding/json"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4/jwt"
)

func TestValid(t *testing.T) {
	is := &Issuer{URL: "https://issuer.example"}
	granted, err := is.Grant(identity(nil), Request{}, now)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		mod  func(*Claims)
		at   time.Time
		want bool
	}{
		{"as granted", nil, now, true},
		{"one second before exp", nil, granted.Expiry.Time().Add(-time.Second), true},
		{"at exp", nil, granted.Expiry.Time(), false},
		{"before nbf", nil, now.Add(-2 * time.Second), false},
		{"another issuer", func(c *Claims) { c.Issuer = "https://other.example" }, now, false},
		{"no exp", func(c *Claims) { c.Expiry = nil }, now, false},
		{"sub names another ApiToken", func(c *Claims) { c.Subject = SubjectPrefix + "team-a:other" }, now, false},
		{"client_id names another ApiToken", func(c *Claims) { c.ClientID = "team-a/other" }, now, false},
		{"no uid", func(c *Claims) { c.ApiToken.UID = "" }, now, false},
		{"no apitoken.io claim", func(c *Claims) { c.ApiToken = TokenClaims{} }, now, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := granted
			c.Audience = jwt.Audience{"x"}
			if tc.mod != nil {
				tc.mod(&c)
			}
			payload, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := is.Valid(payload, tc.at)
			if ok != tc.want {
				t.Fatalf("Valid = %v, want %v", ok, tc.want)
			}
			if ok && got.ApiToken != granted.ApiToken {
				t.Errorf("claims %+v, want %+v", got.ApiToken, granted.ApiToken)
			}
		})
	}
	if _, ok := is.Valid([]byte("not json"), now); ok {
		t.Error("a payload that is not JSON is valid")
	}
}

func TestLooksSigned(t *testing.T) {
	for v, want := range map[string]bool{
		"eyJhbGciOiJFUzI1NiJ9.e30.c2ln":    true,
		"0123456789abcdefghijklmnopqrstuv": false,
		"eyJ.only-one-dot":                 false,
		"apt_eyJ.a.b":                      false,
	} {
		if got := LooksSigned(v); got != want {
			t.Errorf("LooksSigned(%q) = %v, want %v", v, got, want)
		}
	}
}
