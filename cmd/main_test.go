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

package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestStaticBinary builds the manager as the Dockerfile does (CGO_ENABLED=0)
// and checks that it is static, so that it runs on distroless/static, and
// that it starts and prints its flags.
func TestStaticBinary(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("checks an ELF binary")
	}
	bin := filepath.Join(t.TempDir(), "manager")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Fatalf("the binary is dynamically linked (%s program header)", p.Type)
		}
	}
	out, err := exec.Command(bin, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("manager --help: %v\n%s", err, out)
	}
	for _, flag := range []string{"-leader-elect", "-metrics-bind-address", "-health-probe-bind-address", "-query-bind-address", "-max-concurrent-reconciles", "-zap-log-level",
		"-issuer-bind-address", "-issuer-url", "-issuer-default-audience", "-signing-key-rotation", "-signing-key-overlap"} {
		if !strings.Contains(string(out), flag) {
			t.Errorf("--help does not list %s", flag)
		}
	}
}

// Out of a cluster, the mark key and the tombstones are never kept in
// "default" (round two, finding 14).
func TestKeyNamespaceAllowed(t *testing.T) {
	cases := map[string]struct {
		namespace string
		inCluster bool
		refused   bool
	}{
		"a pod in default":              {"default", true, false},
		"out of a cluster, default":     {"default", false, true},
		"out of a cluster, its own one": {"apitoken-system", false, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := keyNamespaceAllowed(tc.namespace, tc.inCluster); (err != nil) != tc.refused {
				t.Fatalf("keyNamespaceAllowed(%q, %v) = %v, refused want %v", tc.namespace, tc.inCluster, err, tc.refused)
			}
		})
	}
}

func TestOneRuleSource(t *testing.T) {
	cases := map[string]struct {
		config  string
		set     []string
		refused string
	}{
		"the flags alone":        {set: []string{"self-service-max-ttl", "self-service-scopes"}},
		"the ConfigMap alone":    {config: "apitoken-operator-self-service", set: []string{"leader-elect"}},
		"both":                   {config: "rules", set: []string{"self-service-scopes"}, refused: "--self-service-scopes would be ignored"},
		"not a name":             {config: "Rules!", refused: `--self-service-config "Rules!": not a ConfigMap name`},
		"both flags and the map": {config: "rules", set: []string{"self-service-max-ttl", "self-service-scopes"}, refused: "--self-service-max-ttl and --self-service-scopes"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := oneRuleSource(tc.config, tc.set)
			if (err != nil) != (tc.refused != "") || (err != nil && !strings.Contains(err.Error(), tc.refused)) {
				t.Fatalf("oneRuleSource(%q, %q) = %v, want refused %q", tc.config, tc.set, err, tc.refused)
			}
		})
	}
}

func TestLeaderElectionTimings(t *testing.T) {
	cases := map[string]struct {
		lease, renew, retry time.Duration
		refused             string
	}{
		"controller-runtime's defaults": {lease: 15 * time.Second, renew: 10 * time.Second, retry: 2 * time.Second},
		"a faster failover":             {lease: 6 * time.Second, renew: 4 * time.Second, retry: time.Second},
		"renew not under the lease":     {lease: 10 * time.Second, renew: 10 * time.Second, retry: time.Second, refused: "--leader-election-renew-deadline (10s) must be shorter than --leader-election-lease-duration (10s)"},
		"retry not under the renew":     {lease: 15 * time.Second, renew: 2 * time.Second, retry: 3 * time.Second, refused: "--leader-election-retry-period (3s) must be shorter"},
		"zero":                          {lease: 15 * time.Second, renew: 10 * time.Second, refused: "must each be positive"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := leaderElectionTimings(tc.lease, tc.renew, tc.retry)
			if (err != nil) != (tc.refused != "") || (err != nil && !strings.Contains(err.Error(), tc.refused)) {
				t.Fatalf("leaderElectionTimings = %v, want refused %q", err, tc.refused)
			}
		})
	}
}
