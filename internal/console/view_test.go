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

package console

import (
	"fmt"
	"strings"
	"testing"
	"time"

	clocktesting "k8s.io/utils/clock/testing"

	"github.com/apitoken-io/apitoken-operator/internal/query"
)

func TestRelative(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) *int64 { v := now.Add(d).UnixMilli(); return &v }
	for _, tc := range []struct {
		at        *int64
		want, abs string
	}{
		{nil, "Never", ""},
		{ms(30 * time.Second), "in 30 seconds", "2026-12-03 12:00:30 UTC"},
		{ms(-time.Minute), "1 minute ago", "2026-12-03 11:59:00 UTC"},
		{ms(5 * time.Hour), "in 5 hours", "2026-12-03 17:00:00 UTC"},
		{ms(47 * time.Hour), "in 47 hours", "2026-12-05 11:00:00 UTC"},
		{ms(-3 * 24 * time.Hour), "3 days ago", "2026-11-30 12:00:00 UTC"},
		{ms(90 * 24 * time.Hour), "in 3 months", "2027-03-03 12:00:00 UTC"},
		{ms(-800 * 24 * time.Hour), "2 years ago", "2024-09-24 12:00:00 UTC"},
	} {
		got, abs := relative(now, tc.at, "Never")
		if got != tc.want || abs != tc.abs {
			t.Errorf("relative(%v) = %q, %q; want %q, %q", tc.at, got, abs, tc.want, tc.abs)
		}
	}
}

func TestBadge(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	c := &Console{opts: Options{ExpiringSoon: 14 * 24 * time.Hour, Clock: clocktesting.NewFakePassiveClock(now)}}
	ms := func(d time.Duration) *int64 { v := now.Add(d).UnixMilli(); return &v }
	for _, tc := range []struct {
		status  string
		expires *int64
		badge   string
	}{
		{"ACTIVE", nil, "Active"},
		{"ACTIVE", ms(15 * 24 * time.Hour), "Active"},
		{"ACTIVE", ms(14 * 24 * time.Hour), "Expiring soon"},
		{"ACTIVE", ms(time.Hour), "Expiring soon"},
		{"EXPIRED", ms(-time.Hour), "Expired"},
		{"REVOKED", ms(time.Hour), "Revoked"},
		{"PENDING", nil, "Pending"},
		{"FAILED", nil, "Failed"},
	} {
		if got := c.view(query.TokenDTO{TokenStatus: tc.status, ExpirationDate: tc.expires}).Badge; got != tc.badge {
			t.Errorf("%s expiring %v: badge %q, want %q", tc.status, tc.expires, got, tc.badge)
		}
	}
}

func TestCreateBody(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	c := &Console{opts: Options{Clock: clocktesting.NewFakePassiveClock(now)}}
	for _, tc := range []struct {
		name        string
		form        createForm
		want        map[string]any
		field, rule string
	}{
		{"preset, generated name", createForm{GeneratedName: "token-abc", Namespace: "team", Expiry: "30"},
			map[string]any{"namespace": "team", "name": "token-abc", "ttl": "720h"}, "", ""},
		{"own name wins; never; scopes from boxes and text, once each",
			createForm{Name: "ci", GeneratedName: "token-abc", Namespace: "team", Expiry: "never", Scopes: []string{"read"}, ScopesText: "read, write deploy:*"},
			map[string]any{"namespace": "team", "name": "ci", "scopes": []string{"read", "write", "deploy:*"}}, "", ""},
		{"custom date: to the end of that day", createForm{Namespace: "team", Expiry: "custom", ExpiryDate: "2026-12-04"},
			map[string]any{"namespace": "team", "name": "", "ttl": "129600s"}, "", ""},
		{"advanced", createForm{Namespace: "team", Expiry: "7", Length: "40", Charset: "Hex", Prefix: "apt_", Checksum: true},
			map[string]any{"namespace": "team", "name": "", "ttl": "168h", "generate": map[string]any{"length": 40, "charset": "Hex", "prefix": "apt_", "checksum": true}}, "", ""},
		{"custom without a day", createForm{Expiry: "custom"}, nil, "expiry", "choose the day"},
		{"a day that has passed", createForm{Expiry: "custom", ExpiryDate: "2026-12-02"}, nil, "expiry", "that day has passed"},
		{"no expiry chosen", createForm{}, nil, "expiry", "choose when"},
		{"length not a number", createForm{Expiry: "7", Length: "forty"}, nil, "length", `"forty" is not a number`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, field, rule := c.createBody(tc.form)
			if field != tc.field || !strings.Contains(rule, tc.rule) {
				t.Fatalf("field %q rule %q; want %q containing %q", field, rule, tc.field, tc.rule)
			}
			if tc.want != nil && !equalJSON(body, tc.want) {
				t.Errorf("body %v, want %v", body, tc.want)
			}
		})
	}
}

// equalJSON compares two bodies as printed (fmt sorts map keys).
func equalJSON(a, b any) bool { return sprint(a) == sprint(b) }

func TestFormField(t *testing.T) {
	for param, want := range map[string]string{
		"ttl": "expiry", "generate.length": "length", "generate.prefix": "prefix", "generate": "length",
		"name": "name", "scopes": "scopes", "namespace": "namespace", "body": "", "token": "",
	} {
		if got := formField(param); got != want {
			t.Errorf("formField(%q) = %q, want %q", param, got, want)
		}
	}
}

func TestEnvName(t *testing.T) {
	if got := envName("ci-deploy.v2"); got != "APITOKEN_CI_DEPLOY_V2" {
		t.Errorf("envName = %q", got)
	}
}

func TestGeneratedNameIsADNSLabel(t *testing.T) {
	a, b := generatedName(), generatedName()
	if a == b || len(a) != len("token-")+10 || strings.Trim(a[6:], "abcdefghijklmnopqrstuvwxyz234567") != "" {
		t.Errorf("generatedName() = %q, %q", a, b)
	}
}

func sprint(v any) string { return fmt.Sprintf("%v", v) }
