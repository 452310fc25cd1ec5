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

package writeapi

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
)

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
	if MaxWait >= httpserver.WriteTimeout {
		t.Fatalf("MaxWait %v must stay below the write timeout %v", MaxWait, httpserver.WriteTimeout)
	}
}

// A refusal by an ApiTokenPolicy's admission policy names the request's
// field, as the API server's own validation does.
func TestPolicyRefusalNamesTheField(t *testing.T) {
	for msg, want := range map[string]string{
		`apitokens.auth.apitoken.io "x" is forbidden: ValidatingAdmissionPolicy 'apitoken-policies-deny' with binding 'apitoken-policies-deny' denied request: ApiTokenPolicy org: spec.ttl 9000h exceeds maxTTL 48h`: "ttl",
		`... denied request: ApiTokenPolicy org: spec.scopes admin not covered by allowedScopes (read:*)`:                                                                                                             "scopes",
		`... denied request: ApiTokenPolicy org: spec.source.generate.length 24 is below minLength 32`:                                                                                                                "generate.length",
		`... denied request: ApiTokenPolicy org: spec.source.hashed.generate.prefix "" is not the required prefix "at_"`:                                                                                              "generate.prefix",
		`... denied request: personal tokens ...`: "",
		`spec.ttl: Invalid value`:                 "",
	} {
		if got := requestField(policyField(msg)); got != want {
			t.Errorf("%q: field %q, want %q", msg, got, want)
		}
	}
}
