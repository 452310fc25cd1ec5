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
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
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

func FuzzPresentedToken(f *testing.F) {
	for _, s := range [][2]string{{"Bearer abc", ""}, {"Token token=abc", "abc"}, {"", "abc"}, {"Basic xyz", ""}, {"Bearer a", "b"}, {"Token x", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, auth, apiToken string) {
		h := http.Header{}
		if auth != "" {
			h.Set("Authorization", auth)
		}
		if apiToken != "" {
			h.Set("X-Api-Token", apiToken)
		}
		v, ok := PresentedToken(h)
		if ok && (v.IsZero() || len(v.Reveal()) > verify.MaxTokenBytes) {
			t.Fatal("accepted an empty or oversized token")
		}
	})
}

func TestPresentedToken(t *testing.T) {
	cases := map[string]struct {
		header http.Header
		want   string
		ok     bool
	}{
		"bearer":               {header: http.Header{"Authorization": {"Bearer abc"}}, want: "abc", ok: true},
		"bearer lower-case":    {header: http.Header{"Authorization": {"bearer abc"}}, want: "abc", ok: true},
		"token form":           {header: http.Header{"Authorization": {`Token token="abc"`}}, want: "abc", ok: true},
		"x-api-token":          {header: http.Header{"X-Api-Token": {"abc"}}, want: "abc", ok: true},
		"both forms agree":     {header: http.Header{"Authorization": {"Bearer abc"}, "X-Api-Token": {"abc"}}, want: "abc", ok: true},
		"both forms disagree":  {header: http.Header{"Authorization": {"Bearer abc"}, "X-Api-Token": {"xyz"}}},
		"basic auth":           {header: http.Header{"Authorization": {"Basic dXNlcjpwYXNz"}}},
		"token without token=": {header: http.Header{"Authorization": {"Token abc"}}},
		"empty bearer":         {header: http.Header{"Authorization": {"Bearer "}}},
		"none":                 {header: http.Header{}},
		"oversized":            {header: http.Header{"X-Api-Token": {strings.Repeat("a", verify.MaxTokenBytes+1)}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v, ok := PresentedToken(tc.header)
			if ok != tc.ok || (ok && string(v.Reveal()) != tc.want) {
				t.Fatalf("PresentedToken = %v, %v; want ok=%v", v, ok, tc.ok)
			}
		})
	}
}

func TestParseWait(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  time.Duration
		err   bool
	}{
		{"", DefaultWait, false},
		{"wait=0", 0, false},
		{"wait=2.5", 2500 * time.Millisecond, false},
		{"wait=20", 20 * time.Second, false},
		// Longer than the write timeout allows: the answer, and a value
		// shown only once, would be lost.
		{"wait=21", 0, true},
		{"wait=60", 0, true},
		{"wait=-1", 0, true},
		{"wait=soon", 0, true},
		{"wait=1&wait=2", 0, true},
	} {
		v, _ := url.ParseQuery(tc.query)
		got, err := parseWait(v)
		if tc.err {
			var fe *selfservice.FieldError
			if !errors.As(err, &fe) || fe.Field != "wait" || !strings.Contains(fe.Message, "from 0 to 20") {
				t.Errorf("parseWait(%q) = %v, %v; want an error naming wait and its range", tc.query, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("parseWait(%q) = %v, %v; want %v", tc.query, got, err, tc.want)
		}
	}
	if MaxWait >= WriteTimeout {
		t.Fatalf("MaxWait %v must stay below the write timeout %v", MaxWait, WriteTimeout)
	}
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
