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

package tokenpolicy

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// benchPolicies are n policies of every kind: each selects a tenth of the
// namespaces by label, some a token label and types, with every rule.
func benchPolicies(n int) []authv1alpha1.ApiTokenPolicy {
	out := make([]authv1alpha1.ApiTokenPolicy, n)
	for i := range out {
		p := authv1alpha1.ApiTokenPolicy{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("policy-%03d", i)}, Spec: authv1alpha1.ApiTokenPolicySpec{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": fmt.Sprintf("team-%d", i%10)}},
			MaxTTL:            &metav1.Duration{Duration: 2160 * time.Hour},
			AllowedScopes:     []string{"read:*", "deploy:staging"},
			Generate:          &authv1alpha1.GenerateRules{MinLength: 32, Prefix: "at_", Checksum: true},
			Inactivity:        &authv1alpha1.InactivityRules{WarnAfter: &metav1.Duration{Duration: 1440 * time.Hour}, RevokeAfter: &metav1.Duration{Duration: 2160 * time.Hour}},
		}}
		if i%3 == 0 {
			p.Spec.TokenSelector = &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"ci", "build"}}}}
			p.Spec.Types = []authv1alpha1.TokenType{authv1alpha1.TokenTypeApiClient, authv1alpha1.TokenTypeWorkflow}
		}
		out[i] = p
	}
	return out
}

// BenchmarkEvaluate is the controller's cost of the policies per reconcile
// of one token: 100 policies, of which the token's namespace matches ten.
func BenchmarkEvaluate(b *testing.B) {
	policies := benchPolicies(100)
	now := time.Now()
	tok := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "t", Labels: map[string]string{"tier": "ci"},
		CreationTimestamp: metav1.NewTime(now.Add(-time.Hour))},
		Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, TTL: &metav1.Duration{Duration: 720 * time.Hour}, Scopes: []string{"read:reports"},
			Source: &authv1alpha1.TokenSource{Generate: &authv1alpha1.GenerateSource{Length: 40, Prefix: "at_", Checksum: true}}}}
	for i := range policies {
		policies[i].UID, policies[i].ResourceVersion = types.UID(policies[i].Name), "1" // as from the API server
	}
	nsLabels := map[string]string{"team": "team-3"}
	e := &Evaluator{}
	b.ReportAllocs()
	for b.Loop() {
		if v := e.Evaluate(policies, tok, nsLabels, now); !v.Governed || len(v.Violations) != 0 {
			b.Fatalf("verdict %+v: want governed and compliant", v)
		}
	}
}

// BenchmarkSelectorGoverns is one policy's selection of one token, its
// selectors parsed once (policystatus walks every token so).
func BenchmarkSelectorGoverns(b *testing.B) {
	p := benchPolicies(1)[0]
	sel, err := NewSelector(&p)
	if err != nil {
		b.Fatal(err)
	}
	tok := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"tier": "ci"}}, Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient}}
	nsLabels := map[string]string{"team": "team-0"}
	b.ReportAllocs()
	for b.Loop() {
		if !sel.Governs(tok, nsLabels) {
			b.Fatal("not governed")
		}
	}
}
