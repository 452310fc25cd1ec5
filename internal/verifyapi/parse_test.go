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

package verifyapi

import (
	"strings"
	"testing"

	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

func FuzzParseVerifyBody(f *testing.F) {
	for _, s := range []string{`{"token":"abc"}`, `{}`, `{"token":null}`, `[]`, `{"token":"` + strings.Repeat("a", 2000) + `"}`, "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req, err := ParseVerifyBody([]byte(body))
		if err == nil && (req.Token.IsZero() || len(req.Token.Reveal()) > verify.MaxTokenBytes) {
			t.Fatalf("accepted an empty or oversized token")
		}
		if err != nil && strings.Contains(body, "secret-marker") && strings.Contains(err.Error(), "secret-marker") {
			t.Fatalf("the error echoes the body: %v", err)
		}
	})
}

// The verify body is decoded strictly: an unknown or repeated field, a
// field name in another case, or anything but an object is refused.
func TestParseVerifyBodyIsStrict(t *testing.T) {
	cases := map[string]struct {
		body, wantErr string
		wantAddr      string
	}{
		"token":             {body: `{"token":"abc"}`},
		"token and address": {body: `{"token":"abc","remoteAddress":"::ffff:192.0.2.7"}`, wantAddr: "192.0.2.7"},
		"unknown field":     {body: `{"token":"abc","tokn":"x"}`, wantErr: "the body must be"},
		"repeated field":    {body: `{"token":"abc","token":"def"}`, wantErr: "the body must be"},
		"other case":        {body: `{"Token":"abc"}`, wantErr: "the body must be"},
		"not an object":     {body: `["abc"]`, wantErr: "the body must be"},
		"trailing data":     {body: `{"token":"abc"} {}`, wantErr: "the body must be"},
		"empty token":       {body: `{"token":""}`, wantErr: "token: must not be empty"},
		"address not an IP": {body: `{"token":"abc","remoteAddress":"example.com"}`, wantErr: "remoteAddress: must be an IP address"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req, err := ParseVerifyBody([]byte(tc.body))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			case tc.wantErr == "" && (string(req.Token.Reveal()) != "abc" || req.RemoteAddress != tc.wantAddr):
				t.Fatalf("read token %q address %q", req.Token.Reveal(), req.RemoteAddress)
			}
		})
	}
}

func TestParseVerifyBody(t *testing.T) {
	cases := map[string]struct {
		body, wantAddr, wantErr string
	}{
		"token only":          {body: `{"token":"abc"}`},
		"with remote address": {body: `{"token":"abc","remoteAddress":"198.51.100.7"}`, wantAddr: "198.51.100.7"},
		"IPv4-mapped IPv6":    {body: `{"token":"abc","remoteAddress":"::ffff:198.51.100.7"}`, wantAddr: "198.51.100.7"},
		"bad remote address":  {body: `{"token":"abc","remoteAddress":"host.example"}`, wantErr: "remoteAddress: must be an IP address"},
		"empty token":         {body: `{"token":""}`, wantErr: "token: must not be empty"},
		"unknown field":       {body: `{"token":"abc","x":1}`, wantErr: `the body must be {"token": "<token>"}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			req, err := ParseVerifyBody([]byte(tc.body))
			switch {
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case tc.wantErr == "" && (string(req.Token.Reveal()) != "abc" || req.RemoteAddress != tc.wantAddr):
				t.Fatalf("parsed %q from %s", req.RemoteAddress, tc.body)
			}
		})
	}
}
