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
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

func TestGoverns(t *testing.T) {
	tok := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"tier": "ci"}},
		Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient}}
	payments := map[string]string{"team": "payments"}
	sel := func(k, op string, vals ...string) *metav1.LabelSelector {
		return &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: k, Operator: metav1.LabelSelectorOperator(op), Values: vals}}}
	}
	for name, tc := range map[string]struct {
		spec authv1alpha1.ApiTokenPolicySpec
		want bool
	}{
		"no selector: everything":      {authv1alpha1.ApiTokenPolicySpec{}, true},
		"empty selectors: everything":  {authv1alpha1.ApiTokenPolicySpec{NamespaceSelector: &metav1.LabelSelector{}, TokenSelector: &metav1.LabelSelector{}}, true},
		"namespace labels match":       {authv1alpha1.ApiTokenPolicySpec{NamespaceSelector: &metav1.LabelSelector{MatchLabels: payments}}, true},
		"namespace labels differ":      {authv1alpha1.ApiTokenPolicySpec{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "x"}}}, false},
		"token In":                     {authv1alpha1.ApiTokenPolicySpec{TokenSelector: sel("tier", "In", "ci", "build")}, true},
		"token NotIn":                  {authv1alpha1.ApiTokenPolicySpec{TokenSelector: sel("tier", "NotIn", "ci")}, false},
		"token Exists":                 {authv1alpha1.ApiTokenPolicySpec{TokenSelector: sel("tier", "Exists")}, true},
		"token DoesNotExist":           {authv1alpha1.ApiTokenPolicySpec{TokenSelector: sel("tier", "DoesNotExist")}, false},
		"type listed":                  {authv1alpha1.ApiTokenPolicySpec{Types: []authv1alpha1.TokenType{authv1alpha1.TokenTypeUser, authv1alpha1.TokenTypeApiClient}}, true},
		"type not listed":              {authv1alpha1.ApiTokenPolicySpec{Types: []authv1alpha1.TokenType{authv1alpha1.TokenTypeUser}}, false},
		"a selector that cannot parse": {authv1alpha1.ApiTokenPolicySpec{TokenSelector: sel("tier", "Near", "ci")}, false},
	} {
		p := &authv1alpha1.ApiTokenPolicy{Spec: tc.spec}
		if got := Governs(p, tok, payments); got != tc.want {
			t.Errorf("%s: Governs = %v, want %v", name, got, tc.want)
		}
	}
}

func TestInactivity(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := func(s string) *metav1.Duration { v, _ := time.ParseDuration(s); return &metav1.Duration{Duration: v} }
	p := &authv1alpha1.ApiTokenPolicy{ObjectMeta: metav1.ObjectMeta{Name: "unused"},
		Spec: authv1alpha1.ApiTokenPolicySpec{Inactivity: &authv1alpha1.InactivityRules{WarnAfter: d("1440h"), RevokeAfter: d("2160h")}}}
	for name, tc := range map[string]struct {
		lastUsed *time.Time
		now      time.Time
		rule     Rule
		next     time.Time
		message  string
	}{
		"fresh":                  {now: created.Add(time.Hour), next: created.Add(1440 * time.Hour)},
		"past warnAfter":         {now: created.Add(1500 * time.Hour), rule: Unused, next: created.Add(2160 * time.Hour), message: "unused for 1500h, more than inactivity.warnAfter 1440h"},
		"past revokeAfter":       {now: created.Add(2160 * time.Hour), rule: Inactive, message: "unused for 2160h, more than inactivity.revokeAfter 2160h"},
		"a use resets the clock": {lastUsed: ptr(created.Add(1400 * time.Hour)), now: created.Add(2160 * time.Hour), next: created.Add(2840 * time.Hour)},
	} {
		tok := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(created)}}
		if tc.lastUsed != nil {
			tok.Status.LastUsedDate = &metav1.Time{Time: *tc.lastUsed}
		}
		v, next := Inactivity(p, tok, tc.now)
		switch {
		case tc.rule == "" && v != nil:
			t.Errorf("%s: %v, want none", name, v)
		case tc.rule != "" && (v == nil || v.Rule != tc.rule || v.Message != tc.message):
			t.Errorf("%s: %+v, want %s %q", name, v, tc.rule, tc.message)
		}
		if !next.Equal(tc.next) {
			t.Errorf("%s: next %v, want %v", name, next, tc.next)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{2160 * time.Hour: "2160h", 90 * time.Minute: "1h30m", 30 * time.Second: "30s", 5 * time.Minute: "5m", time.Hour + time.Second: "1h0m1s"} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// Walk asks a namespace's labels once, and only of a policy that selects
// namespaces.
func TestWalkAsksNamespacesOnce(t *testing.T) {
	tokens := []authv1alpha1.ApiToken{
		{ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "1"}}, {ObjectMeta: metav1.ObjectMeta{Namespace: "a", Name: "2"}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: "b", Name: "3"}},
	}
	for name, tc := range map[string]struct {
		spec     authv1alpha1.ApiTokenPolicySpec
		asked    []string
		governed []string
	}{
		"by namespace": {authv1alpha1.ApiTokenPolicySpec{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "a"}}},
			[]string{"a", "b"}, []string{"1", "2"}},
		"every namespace": {authv1alpha1.ApiTokenPolicySpec{}, nil, []string{"1", "2", "3"}},
	} {
		sel, err := NewSelector(&authv1alpha1.ApiTokenPolicy{Spec: tc.spec})
		if err != nil {
			t.Fatal(err)
		}
		var asked, governed []string
		sel.Walk(tokens, func(ns string) map[string]string {
			asked = append(asked, ns)
			return map[string]string{"team": ns}
		}, func(tok *authv1alpha1.ApiToken, g bool) {
			if g {
				governed = append(governed, tok.Name)
			}
		})
		if !slices.Equal(asked, tc.asked) || !slices.Equal(governed, tc.governed) {
			t.Errorf("%s: asked %v, governed %v; want %v, %v", name, asked, governed, tc.asked, tc.governed)
		}
	}
}
