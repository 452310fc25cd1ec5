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

// Package clitest holds what the plugin's unit tests share: ApiTokens that
// cover every column's cases, the now they are seen from, and golden files.
package clitest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Golden compares got with testdata/name in the test's package, or
// rewrites it with -update.
func Golden(t *testing.T, name string, got []byte) {
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
		t.Fatalf("%v (run go test -run %s -update in this package to write it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -run %s -update in this package rewrites it)\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

// Now is the fixtures' now.
var Now = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

// At is Now plus d.
func At(d time.Duration) *metav1.Time { t := metav1.NewTime(Now.Add(d)); return &t }

// Day is 24 hours.
const Day = 24 * time.Hour

// Tokens cover every column's cases: expiring soon, never used,
// never expiring, revoked, Secret-held, pending.
func Tokens() []authv1alpha1.ApiToken {
	hashed := &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: "sha256:" + string(bytes.Repeat([]byte("ab"), 32)), TokenLastChars: "x9k2p"}}
	mk := func(ns, name string, t authv1alpha1.TokenType, principal string, age time.Duration) authv1alpha1.ApiToken {
		return authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, CreationTimestamp: *At(-age), UID: "00000000-0000-0000-0000-000000000001", ResourceVersion: "42", Generation: 1},
			Spec: authv1alpha1.ApiTokenSpec{Type: t, Principal: principal}}
	}
	laptop := mk("dev", "laptop", authv1alpha1.TokenTypeUser, "alice", 20*Day)
	laptop.Spec.Source, laptop.Spec.Scopes = hashed, []string{"read:reports", "write:reports"}
	laptop.Status = authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, Revision: 1, TokenHash: hashed.Hashed.TokenHash, TokenLastChars: "x9k2p",
		CreationDate: At(-20 * Day), ExpirationDate: At(10 * Day), LastUsedDate: At(-5 * time.Minute), ObservedGeneration: 1}
	billing := mk("payments", "billing", authv1alpha1.TokenTypeApiClient, "billing", 400*Day)
	billing.Status = authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, Revision: 3, SecretName: "billing-token", TokenLastChars: "77aaq",
		CreationDate: At(-30 * Day), ObservedGeneration: 1}
	// billing breaks two rules of a Deny policy, laptop keeps every rule of
	// the policies that govern it.
	billing.Status.Policy = &authv1alpha1.PolicyStatus{Violations: []authv1alpha1.PolicyViolation{
		{Policy: "org-defaults", Rule: "TTLRequired", Message: "spec.ttl is not set, and maxTTL 2160h requires every token to expire", Enforcement: authv1alpha1.EnforcementDeny},
		{Policy: "org-defaults", Rule: "FormatNotAllowed", Message: "spec.source.generate.checksum is false, and checksum: true is required", Enforcement: authv1alpha1.EnforcementDeny},
	}}
	billing.Status.Conditions = []metav1.Condition{{Type: authv1alpha1.ConditionPolicyCompliant, Status: metav1.ConditionFalse, Reason: "TTLRequired",
		Message: "ApiTokenPolicy org-defaults: spec.ttl is not set, and maxTTL 2160h requires every token to expire; ApiTokenPolicy org-defaults: " +
			"spec.source.generate.checksum is false, and checksum: true is required: it does not verify until it complies"}}
	laptop.Status.Conditions = []metav1.Condition{{Type: authv1alpha1.ConditionPolicyCompliant, Status: metav1.ConditionTrue, Reason: authv1alpha1.ReasonCompliant,
		Message: "the token keeps the rules of every ApiTokenPolicy that governs it"}}
	old := mk("dev", "old-ci", authv1alpha1.TokenTypeWorkflow, "ci/deploy", 200*Day)
	old.Spec.Source, old.Spec.Revoked = hashed, true
	old.Status = authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusRevoked, Revision: 2, ExpirationDate: At(-3 * Day), LastUsedDate: At(-120 * Day), ObservedGeneration: 1}
	fresh := mk("dev", "fresh", authv1alpha1.TokenTypeTeam, "payments", 2*time.Second)
	fresh.Spec.TTL = &metav1.Duration{Duration: 30 * Day}
	return []authv1alpha1.ApiToken{laptop, billing, old, fresh}
}
