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

package httpserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

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
