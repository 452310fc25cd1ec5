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

package scope

import (
	"slices"
	"strings"
	"testing"
)

func TestCovers(t *testing.T) {
	cases := map[string]struct {
		granted []string
		wanted  string
		want    bool
	}{
		"exact":                         {[]string{"read:reports"}, "read:reports", true},
		"other scope":                   {[]string{"read:reports"}, "write:reports", false},
		"prefix wildcard":               {[]string{"read:*"}, "read:reports", true},
		"wildcard covers its prefix":    {[]string{"read:*"}, "read:", true},
		"wildcard is not a glob":        {[]string{"read:*"}, "xread:reports", false},
		"star covers everything":        {[]string{"*"}, "deploy/prod", true},
		"no grants":                     {nil, "read", false},
		"a wanted star is literal":      {[]string{"read:reports"}, "read:*", false},
		"literal star granted":          {[]string{"read:*"}, "read:*", true},
		"star in the middle is literal": {[]string{"a*b"}, "axxb", false},
		"star never covers a reserved":  {[]string{"*"}, "apitoken:self-rotate", false},
		"nor a reserved wildcard":       {[]string{"apitoken:*"}, "apitoken:introspect", false},
		"a reserved scope by its name":  {[]string{"*", "apitoken:introspect"}, "apitoken:introspect", true},
		"star covers the rest":          {[]string{"*"}, "apitoken-like:read", true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := Covers(tc.granted, tc.wanted); got != tc.want {
				t.Errorf("Covers(%q, %q) = %v, want %v", tc.granted, tc.wanted, got, tc.want)
			}
		})
	}
}

func TestMissing(t *testing.T) {
	got := Missing([]string{"read:*", "deploy"}, []string{"read:a", "write:a", "deploy", "admin"})
	if want := []string{"write:a", "admin"}; !slices.Equal(got, want) {
		t.Errorf("Missing = %q, want %q", got, want)
	}
}

func TestValidate(t *testing.T) {
	many := make([]string, MaxScopes+1)
	for i := range many {
		many[i] = "s" + strings.Repeat("x", i)
	}
	cases := map[string]struct {
		scopes []string
		err    string
	}{
		"empty list":     {nil, ""},
		"all characters": {[]string{"AZaz09:._/*-"}, ""},
		"longest":        {[]string{strings.Repeat("a", MaxLength)}, ""},
		"most":           {many[:MaxScopes], ""},
		"too many":       {many, "has 65 scopes: at most 64"},
		"empty scope":    {[]string{"a", ""}, "[1]: must be 1 to 128 characters long, got 0"},
		"too long":       {[]string{strings.Repeat("a", MaxLength+1)}, "[0]: must be 1 to 128"},
		"space":          {[]string{"read reports"}, `[0]: "read reports" has character ' '`},
		"duplicate":      {[]string{"a", "b", "a"}, `[2]: "a" is listed twice`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := Validate(tc.scopes)
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("Validate = %v, want it to contain %q", err, tc.err)
			}
		})
	}
}
