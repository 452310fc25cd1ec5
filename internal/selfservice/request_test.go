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

package selfservice

import (
	"errors"
	"strings"
	"testing"
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

func TestParseCreate(t *testing.T) {
	cases := map[string]struct {
		body      string
		wantField string
		wantText  string
		check     func(t *testing.T, r CreateRequest)
	}{
		"minimal": {body: `{"namespace":"team-a"}`, check: func(t *testing.T, r CreateRequest) {
			if r.Namespace != "team-a" || r.Type != "" || r.TTL != 0 || r.Secret != nil ||
				r.Generate != (authv1alpha1.GenerateSource{Length: 32, Charset: authv1alpha1.CharsetLowerAlphanumeric}) {
				t.Fatalf("request = %+v", r)
			}
		}},
		"everything": {body: `{"namespace":"team-a","name":"ci","type":"api_client","principal":"ci","displayName":"CI","description":"d",
			"ttl":"720h","scopes":["a:*"],"generate":{"length":40,"charset":"hex","prefix":"at_","checksum":true},"secret":{"name":"s","key":"k"}}`,
			check: func(t *testing.T, r CreateRequest) {
				if r.Type != authv1alpha1.TokenTypeApiClient || r.TTL != 720*time.Hour || r.Generate.Charset != authv1alpha1.CharsetHex ||
					!r.Generate.Checksum || r.Generate.Length != 40 || r.Secret.Name != "s" || r.Secret.Key != "k" || r.Scopes[0] != "a:*" {
					t.Fatalf("request = %+v", r)
				}
			}},
		"empty body":        {body: ``, wantField: "body", wantText: "is empty"},
		"no namespace":      {body: `{"name":"x"}`, wantField: "namespace", wantText: "is required"},
		"bad namespace":     {body: `{"namespace":"Team_A"}`, wantField: "namespace", wantText: "not a namespace name"},
		"bad name":          {body: `{"namespace":"a","name":"-x-"}`, wantField: "name", wantText: "not a valid name"},
		"unknown type":      {body: `{"namespace":"a","type":"robot"}`, wantField: "type", wantText: "USER, TEAM"},
		"ttl below 1s":      {body: `{"namespace":"a","ttl":"10ms"}`, wantField: "ttl", wantText: "too short"},
		"ttl of wrong kind": {body: `{"namespace":"a","ttl":5}`, wantField: "ttl", wantText: "must be string"},
		"duplicate scope":   {body: `{"namespace":"a","scopes":["x","x"]}`, wantField: "scopes", wantText: "listed twice"},
		"bad prefix":        {body: `{"namespace":"a","generate":{"prefix":"a b"}}`, wantField: "generate.prefix", wantText: "A-Z a-z 0-9 _ -"},
		"two objects":       {body: `{"namespace":"a"}{}`, wantField: "body", wantText: "more than one JSON value"},
		"unknown field":     {body: `{"namespace":"a","value":"x"}`, wantField: "body", wantText: `unknown field "value"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := ParseCreate([]byte(tc.body))
			checkErr(t, err, tc.wantField, tc.wantText)
			if err == nil && tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func TestParseCreateV2(t *testing.T) {
	r, err := ParseCreateV2([]byte(`{"namespace":"a","type":"API_CLIENT","principal":"p","ttl":3600}`))
	if err != nil || r.TTL != time.Hour || r.Type != authv1alpha1.TokenTypeApiClient || r.Secret != nil {
		t.Fatalf("request %+v, error %v", r, err)
	}
	for body, field := range map[string]string{`{"namespace":"a","ttl":0}`: "ttl", `{"namespace":"a","ttl":1.5}`: "ttl", `{"ttl":60}`: "namespace", `{"namespace":"a","ttl":"1h"}`: "ttl"} {
		_, err := ParseCreateV2([]byte(body))
		checkErr(t, err, field, "")
	}
}

func TestParseImportNeverQuotesTheValue(t *testing.T) {
	const secret = "Not-A-Valid-Default-Token"
	cases := map[string]struct {
		body      string
		wantField string
	}{
		"default rule":       {body: `{"token":"` + secret + `"}`, wantField: "token"},
		"pattern":            {body: `{"token":"` + secret + `","pattern":"[a-z]+"}`, wantField: "token"},
		"bad pattern":        {body: `{"token":"` + secret + `","pattern":"("}`, wantField: "pattern"},
		"no token":           {body: `{"principal":"x"}`, wantField: "token"},
		"name in body":       {body: `{"token":"abcdefghijklmnopqrstuvwxyz012345","name":"other"}`, wantField: "name"},
		"token too long":     {body: `{"token":"` + strings.Repeat("a", token.MaxBytes+1) + `"}`, wantField: "token"},
		"token not a string": {body: `{"token":12345}`, wantField: "token"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseImport("ns", "n", []byte(tc.body))
			checkErr(t, err, tc.wantField, "")
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("the error quotes the value: %v", err)
			}
		})
	}
	_, err := ParseImport("ns", "n", []byte(`{"token":"LEGACY-0001","pattern":"LEGACY-[0-9]{4}"}`))
	checkErr(t, err, "token", "needs at least 16")
	r, err := ParseImport("ns", "n", []byte(`{"token":"LEGACY-0001-0002-0003","pattern":"LEGACY(-[0-9]{4})+","ttl":"1h"}`))
	if err != nil || r.Namespace != "ns" || r.Name != "n" || r.TTL != time.Hour {
		t.Fatalf("request %+v, error %v", r, err)
	}
}

func TestPersonal(t *testing.T) {
	const alice, max = "alice", 48 * time.Hour
	cases := map[string]struct {
		m         Metadata
		forbidden string
		field     string
	}{
		"defaults":               {m: Metadata{TTL: time.Hour}},
		"explicit self":          {m: Metadata{Type: authv1alpha1.TokenTypeUser, Principal: alice, TTL: max}},
		"for someone else":       {m: Metadata{Principal: "bob", TTL: time.Hour}, forbidden: `for alice only, not for "bob"`},
		"another type":           {m: Metadata{Type: authv1alpha1.TokenTypeTeam, TTL: time.Hour}, forbidden: "type USER, not TEAM"},
		"no ttl":                 {m: Metadata{}, field: "ttl"},
		"ttl beyond the ceiling": {m: Metadata{TTL: max + time.Second}, field: "ttl"},
		"allowed scopes":         {m: Metadata{TTL: time.Hour, Scopes: []string{"read:reports", "read:*"}}},
		"a scope not allowed":    {m: Metadata{TTL: time.Hour, Scopes: []string{"read:a", "admin"}}, forbidden: `(read:*), not "admin"`},
		"a wider wildcard":       {m: Metadata{TTL: time.Hour, Scopes: []string{"*"}}, forbidden: `not "*"`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			m := tc.m
			err := m.Personal(alice, Rules{MaxTTL: max, Scopes: []string{"read:*"}, MaxTTLFrom: "--self-service-max-ttl", ScopesFrom: "--self-service-scopes"})
			var f *Forbidden
			switch {
			case tc.forbidden != "":
				if !errors.As(err, &f) || !strings.Contains(f.Message, tc.forbidden) {
					t.Fatalf("error %v, want Forbidden containing %q", err, tc.forbidden)
				}
			case tc.field != "":
				checkErr(t, err, tc.field, "")
			case err != nil:
				t.Fatalf("error %v", err)
			case m.Type != authv1alpha1.TokenTypeUser || m.Principal != alice:
				t.Fatalf("defaults not applied: %+v", m)
			}
		})
	}
}

func TestGenerateName(t *testing.T) {
	for in, want := range map[string]string{
		"system:serviceaccount:ci:deployer": "system-serviceaccount-ci-deployer-",
		"Jane.Doe@example.com":              "jane-doe-example-com-",
		"***":                               "token-",
		"":                                  "token-",
		strings.Repeat("ab", 40):            strings.Repeat("ab", 20) + "-",
	} {
		if got := GenerateName(in); got != want {
			t.Errorf("GenerateName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHashOnlyNeverHoldsTheValue(t *testing.T) {
	v := token.NewValue([]byte("abcdefghijklmnopqrstuvwxyz012345"))
	req, _ := ParseCreate([]byte(`{"namespace":"a","principal":"p"}`))
	req.Defaults("caller")
	tok := req.HashOnly("caller", v)
	if tok.Spec.Source.Hashed.TokenHash != v.Fingerprint() || tok.Spec.Source.Hashed.TokenLastChars != "12345" ||
		tok.Annotations[authv1alpha1.CreatedByAnnotation] != "caller" || tok.GenerateName != "p-" || tok.Spec.Type != authv1alpha1.TokenTypeUser {
		t.Fatalf("object = %+v", tok)
	}
}

func checkErr(t *testing.T, err error, field, text string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("error %v", err)
		}
		return
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != field || !strings.Contains(fe.Error(), text) {
		t.Fatalf("error %v, want a FieldError on %q containing %q", err, field, text)
	}
}
