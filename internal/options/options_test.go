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

package options

import (
	"flag"
	"strings"
	"testing"
	"time"
)

// Validate names each flag that breaks a rule, all of them at once.
func TestValidateNamesTheFlags(t *testing.T) {
	cases := map[string]struct {
		args    []string
		env     Environment
		refused []string
	}{
		"the defaults in a pod":              {env: Environment{Namespace: "apitoken-system", InCluster: true}},
		"the defaults out of a cluster":      {env: Environment{Namespace: "apitoken-system"}},
		"default namespace out of a cluster": {env: Environment{Namespace: "default"}, refused: []string{`and that is "default"`}},
		"several at once": {env: Environment{Namespace: "apitoken-system"},
			args: []string{"--leader-election-renew-deadline=20s", "--query-auth=oidc", "--sideband-api-namespace=Team_A", "--verify-failure-limit=-1",
				"--trusted-proxies=10.0.0.0/8,proxy", "--self-service-scopes=read:*,a b\"c", "--max-concurrent-reconciles=0"},
			refused: []string{"--leader-election-renew-deadline (20s) must be shorter than --leader-election-lease-duration (15s)",
				`--query-auth "oidc": use kubernetes or none`, `--sideband-api-namespace "Team_A": not a namespace name`,
				"--verify-failure-limit: must be 0 (off) or more", `--trusted-proxies: "proxy" is neither a CIDR`, "--self-service-scopes:",
				"--max-concurrent-reconciles: is 0: must be at least 1"}},
		"the ConfigMap beside the flags": {env: Environment{Namespace: "apitoken-system", InCluster: true},
			args:    []string{"--self-service-config=rules", "--self-service-max-ttl=24h"},
			refused: []string{"--self-service-max-ttl would be ignored"}},
		"webhook delivery": {env: Environment{Namespace: "apitoken-system", InCluster: true},
			args:    []string{"--webhook-allowed-cidrs=10.0.0.0/8,relay", "--console-url=tokens.example.com"},
			refused: []string{`--webhook-allowed-cidrs: "relay" is not a CIDR`, `--console-url "tokens.example.com": not an http(s) URL`}},
		"an issuer without its URL": {env: Environment{Namespace: "apitoken-system", InCluster: true},
			args: []string{"--issuer-bind-address=:8443"}, refused: []string{"--issuer-url: required with --issuer-bind-address"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			o := NewOperatorOptions()
			fs := flag.NewFlagSet("manager", flag.ContinueOnError)
			o.AddFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			o.Complete(fs, tc.env)
			err := o.Validate()
			if len(tc.refused) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want refusals %q", tc.refused)
			}
			for _, want := range tc.refused {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Validate() = %v\nwant it to say %q", err, want)
				}
			}
		})
	}
}

// The leader election Lease lives in the operator's namespace unless the
// flag names one, in a pod and out of a cluster alike.
func TestLeaderElectionNamespace(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--leader-elect"}, "apitoken-system"},
		{[]string{"--leader-elect", "--leader-election-namespace=leases"}, "leases"},
		{nil, ""},
	} {
		o := NewOperatorOptions()
		fs := flag.NewFlagSet("manager", flag.ContinueOnError)
		o.AddFlags(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		o.Complete(fs, Environment{Namespace: "apitoken-system"})
		if got := o.ManagerOptions().LeaderElectionNamespace; got != tc.want {
			t.Errorf("%q: Lease namespace %q, want %q", tc.args, got, tc.want)
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
