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
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

func TestParseConfigMapRules(t *testing.T) {
	key := types.NamespacedName{Namespace: "ops", Name: "self-service"}
	cases := map[string]struct {
		data    map[string]string
		maxTTL  time.Duration
		scopes  []string
		wantErr string
	}{
		"empty: the defaults":     {data: nil, maxTTL: DefaultMaxPersonalTTL},
		"both set":                {data: map[string]string{"maxTTL": " 720h ", "scopes": "reports:read, profile:*,"}, maxTTL: 720 * time.Hour, scopes: []string{"reports:read", "profile:*"}},
		"empty values":            {data: map[string]string{"maxTTL": "", "scopes": " "}, maxTTL: DefaultMaxPersonalTTL},
		"not a duration":          {data: map[string]string{"maxTTL": "30d"}, wantErr: `ConfigMap ops/self-service, data.maxTTL: "30d" is not a positive duration`},
		"a negative duration":     {data: map[string]string{"maxTTL": "-1h"}, wantErr: "data.maxTTL"},
		"a scope the CRD refuses": {data: map[string]string{"scopes": "read reports"}, wantErr: "ConfigMap ops/self-service, data.scopes"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r, err := ParseConfigMapRules(key, tc.data)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || r.MaxTTL != tc.maxTTL || !slices.Equal(r.Scopes, tc.scopes) {
				t.Fatalf("rules %+v, error %v; want maxTTL %s, scopes %q", r, err, tc.maxTTL, tc.scopes)
			}
			if r.MaxTTLFrom != "ConfigMap ops/self-service, data.maxTTL" {
				t.Fatalf("MaxTTLFrom %q", r.MaxTTLFrom)
			}
		})
	}
}
