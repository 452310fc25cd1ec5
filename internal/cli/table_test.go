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

package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	clocktesting "k8s.io/utils/clock/testing"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run %s -update to write it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./internal/cli -run %s -update rewrites it)\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

var goldenNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func at(d time.Duration) *metav1.Time { t := metav1.NewTime(goldenNow.Add(d)); return &t }

const day = 24 * time.Hour

// goldenTokens cover every column's cases: expiring soon, never used,
// never expiring, revoked, Secret-held, pending.
func goldenTokens() []authv1alpha1.ApiToken {
	hashed := &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: "sha256:" + string(bytes.Repeat([]byte("ab"), 32)), TokenLastChars: "x9k2p"}}
	mk := func(ns, name string, t authv1alpha1.TokenType, principal string, age time.Duration) authv1alpha1.ApiToken {
		return authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: *at(-age), UID: "00000000-0000-0000-0000-000000000001", ResourceVersion: "42", Generation: 1},
			Spec: authv1alpha1.ApiTokenSpec{Type: t, Principal: principal}}
	}
	laptop := mk("dev", "laptop", authv1alpha1.TokenTypeUser, "alice", 20*day)
	laptop.Spec.Source, laptop.Spec.Scopes = hashed, []string{"read:reports", "write:reports"}
	laptop.Status = authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, Revision: 1, TokenHash: hashed.Hashed.TokenHash, TokenLastChars: "x9k2p",
		CreationDate: at(-20 * day), ExpirationDate: at(10 * day), LastUsedDate: at(-5 * time.Minute), ObservedGeneration: 1}
	billing := mk("payments", "billing", authv1alpha1.TokenTypeApiClient, "billing", 400*day)
	billing.Status = authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, Revision: 3, SecretName: "billing-token", TokenLastChars: "77aaq",
		CreationDate: at(-30 * day), ObservedGeneration: 1}
	old := mk("dev", "old-ci", authv1alpha1.TokenTypeWorkflow, "ci/deploy", 200*day)
	old.Spec.Source, old.Spec.Revoked = hashed, true
	old.Status = authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusRevoked, Revision: 2, ExpirationDate: at(-3 * day), LastUsedDate: at(-120 * day), ObservedGeneration: 1}
	fresh := mk("dev", "fresh", authv1alpha1.TokenTypeTeam, "payments", 2*time.Second)
	fresh.Spec.TTL = &metav1.Duration{Duration: 30 * day}
	return []authv1alpha1.ApiToken{laptop, billing, old, fresh}
}

func TestGetOutputGolden(t *testing.T) {
	for _, tc := range []struct {
		file, output string
		all          bool
	}{
		{"get-table.golden", "", false},
		{"get-wide.golden", "wide", false},
		{"get-all-namespaces.golden", "", true},
		{"get-json.golden", "json", false},
		{"get-yaml.golden", "yaml", false},
		{"get-name.golden", "name", false},
		{"get-jsonpath.golden", "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.status.tokenStatus}{\"\\n\"}{end}", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var out bytes.Buffer
			g := &getOptions{
				options:        &options{Env: Env{IOStreams: genericiooptions.IOStreams{Out: &out}, Clock: clocktesting.NewFakePassiveClock(goldenNow)}},
				print:          genericclioptions.NewPrintFlags("").WithTypeSetter(scheme),
				allNamespaces:  tc.all,
				expiringWithin: DefaultExpiringWithin,
			}
			*g.print.OutputFormat = tc.output
			if err := g.show(goldenTokens(), nil); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.file, out.Bytes())
		})
	}
}

func TestStatusGolden(t *testing.T) {
	toks := goldenTokens()
	for i, file := range []string{"status-hash-only.golden", "status-secret-held.golden", "status-revoked.golden"} {
		var out bytes.Buffer
		if err := (report{now: goldenNow, window: DefaultExpiringWithin}).print(&out, &toks[i], nil, nil); err != nil {
			t.Fatal(err)
		}
		golden(t, file, out.Bytes())
	}
}

func TestState(t *testing.T) {
	toks := goldenTokens()
	for _, tc := range []struct {
		tok    *authv1alpha1.ApiToken
		window time.Duration
		want   string
	}{
		{&toks[0], 14 * day, StatusExpiringSoon},
		{&toks[0], 9 * day, "Active"},
		{&toks[1], 14 * day, "Active"},
		{&toks[2], 14 * day, "Revoked"},
		{&toks[3], 14 * day, "Pending"},
	} {
		if got := state(tc.tok, goldenNow, tc.window); got != tc.want {
			t.Errorf("state(%s, window %s) = %s, want %s", tc.tok.Name, tc.window, got, tc.want)
		}
	}
}

func TestListFilter(t *testing.T) {
	names := func(f listFilter) []string {
		var out []string
		for _, tok := range f.apply(goldenTokens(), goldenNow) {
			out = append(out, tok.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		filter listFilter
		want   []string
	}{
		{"none", listFilter{window: 14 * day}, []string{"laptop", "billing", "old-ci", "fresh"}},
		{"Active includes ExpiringSoon", listFilter{window: 14 * day, status: "Active"}, []string{"laptop", "billing"}},
		{"ExpiringSoon", listFilter{window: 14 * day, status: StatusExpiringSoon}, []string{"laptop"}},
		{"Revoked", listFilter{window: 14 * day, status: "Revoked"}, []string{"old-ci"}},
		{"type", listFilter{window: 14 * day, tokenType: authv1alpha1.TokenTypeApiClient}, []string{"billing"}},
		{"expiring within 5d", listFilter{window: 5 * day, onlyExpiring: true}, nil},
		{"expiring within 11d", listFilter{window: 11 * day, onlyExpiring: true}, []string{"laptop"}},
		// billing was never used and is 400 days old; old-ci was last used 120 days ago.
		{"unused for 90d", listFilter{window: 14 * day, unusedFor: 90 * day}, []string{"billing", "old-ci"}},
		{"unused for 1m", listFilter{window: 14 * day, unusedFor: time.Minute}, []string{"laptop", "billing", "old-ci"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := names(tc.filter)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestParseDays(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"14d", 14 * day, false},
		{"1d12h", 36 * time.Hour, false},
		{"36h", 36 * time.Hour, false},
		{"90m", 90 * time.Minute, false},
		{"0s", 0, false},
		{"-1d", 0, true},
		{"-5m", 0, true},
		{"soon", 0, true},
		{"d", 0, true},
		{"1.5d", 0, true},
	} {
		got, err := parseDays(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseDays(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
