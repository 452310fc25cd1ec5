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

package admission

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokenpolicy"
)

// warnings collects the API server's warnings to one client.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, msg string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msg)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

// The API server (the admission policies of config/admission, as shipped)
// and internal/tokenpolicy (what the controller marks existing tokens
// with) give the same verdict on the same tokens, in the same words: Deny
// policies refuse, Warn policies warn, and a token no policy selects is
// untouched.
func TestTokenPoliciesAtAdmission(t *testing.T) {
	env, admin, scheme := startEnv(t)
	ctx := t.Context()
	for _, f := range []string{"token_policy.yaml", "token_policy_warn.yaml"} {
		policy := &admissionregistrationv1.ValidatingAdmissionPolicy{}
		readYAML(t, f, policy)
		must(t, admin.Create(ctx, policy))
	}
	for _, f := range []string{"token_policy_binding.yaml", "token_policy_warn_binding.yaml"} {
		binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
		readYAML(t, f, binding)
		must(t, admin.Create(ctx, binding))
	}
	nsLabels := map[string]map[string]string{"payments": {"team": "payments"}, "sandbox": {"team": "sandbox"}}
	for name, labels := range nsLabels {
		ns := namespace(name)
		ns.Labels = labels
		must(t, admin.Create(ctx, ns))
	}
	policies := []*authv1alpha1.ApiTokenPolicy{
		{ObjectMeta: metav1.ObjectMeta{Name: "org-defaults"}, Spec: authv1alpha1.ApiTokenPolicySpec{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"team": "payments"}},
			MaxTTL:            &metav1.Duration{Duration: 2160 * time.Hour},
			AllowedScopes:     []string{"read:*", "deploy:staging"},
			Generate:          &authv1alpha1.GenerateRules{MinLength: 32, Prefix: "at_", Checksum: true},
		}},
		{ObjectMeta: metav1.ObjectMeta{Name: "ci-tokens"}, Spec: authv1alpha1.ApiTokenPolicySpec{
			TokenSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{
				{Key: "tier", Operator: metav1.LabelSelectorOpIn, Values: []string{"ci", "build"}}}},
			Types:       []authv1alpha1.TokenType{authv1alpha1.TokenTypeApiClient, authv1alpha1.TokenTypeWorkflow},
			MaxTTL:      &metav1.Duration{Duration: 720 * time.Hour},
			Enforcement: authv1alpha1.EnforcementWarn,
		}},
	}
	for _, p := range policies {
		must(t, admin.Create(ctx, p))
		must(t, admin.Get(ctx, client.ObjectKeyFromObject(p), p)) // with the CRD's defaults
	}

	warned := &warnings{}
	cfg := rest.CopyConfig(env.Config)
	cfg.WarningHandler = warned
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	must(t, err)

	gen := func(length int32, prefix string, checksum bool) *authv1alpha1.TokenSource {
		return &authv1alpha1.TokenSource{Generate: &authv1alpha1.GenerateSource{Length: length, Prefix: prefix, Checksum: checksum}}
	}
	ttl := func(d string) *metav1.Duration {
		p, err := time.ParseDuration(d)
		must(t, err)
		return &metav1.Duration{Duration: p}
	}
	compliant := authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "svc", TTL: ttl("720h"),
		Scopes: []string{"read:reports"}, Source: gen(32, "at_", true)}
	with := func(change func(*authv1alpha1.ApiTokenSpec)) authv1alpha1.ApiTokenSpec {
		s := *compliant.DeepCopy()
		change(&s)
		return s
	}
	cases := []struct {
		name, namespace string
		labels          map[string]string
		spec            authv1alpha1.ApiTokenSpec
	}{
		{"compliant", "payments", nil, compliant},
		{"no ttl", "payments", nil, with(func(s *authv1alpha1.ApiTokenSpec) { s.TTL = nil })},
		{"ttl past maxTTL", "payments", nil, with(func(s *authv1alpha1.ApiTokenSpec) { s.TTL = ttl("8760h") })},
		{"scopes not allowed", "payments", nil, with(func(s *authv1alpha1.ApiTokenSpec) { s.Scopes = []string{"read:x", "admin", "deploy:prod"} })},
		{"reserved scope under a wildcard", "payments", nil, with(func(s *authv1alpha1.ApiTokenSpec) { s.Scopes = []string{"apitoken:self-rotate"} })},
		{"short, unprefixed, no checksum", "payments", nil, with(func(s *authv1alpha1.ApiTokenSpec) { s.Source = gen(24, "", false) })},
		{"no source: the defaults", "payments", nil, with(func(s *authv1alpha1.ApiTokenSpec) { s.Source = nil })},
		{"imported: no format rule", "payments", nil, with(func(s *authv1alpha1.ApiTokenSpec) {
			s.Source = &authv1alpha1.TokenSource{Import: &authv1alpha1.ImportSource{SecretRef: authv1alpha1.SecretKeyRef{Name: "x", Key: "k"}}}
		})},
		{"hash-only with its drawing recorded", "payments", nil, with(func(s *authv1alpha1.ApiTokenSpec) {
			s.Source = &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: "sha256:" + strings.Repeat("ab", 32),
				Generate: &authv1alpha1.GenerateSource{Length: 40, Prefix: "xy_"}}}
		})},
		{"a namespace no policy selects", "sandbox", nil, with(func(s *authv1alpha1.ApiTokenSpec) { s.TTL = nil; s.Scopes = []string{"admin"} })},
		{"a CI token: warned", "sandbox", map[string]string{"tier": "ci"}, with(func(s *authv1alpha1.ApiTokenSpec) { s.TTL = ttl("1000h") })},
		{"a CI token of another type: not selected", "sandbox", map[string]string{"tier": "ci"}, with(func(s *authv1alpha1.ApiTokenSpec) {
			s.Type, s.TTL = authv1alpha1.TokenTypeUser, nil
		})},
		{"two policies: refused and warned", "payments", map[string]string{"tier": "build"}, with(func(s *authv1alpha1.ApiTokenSpec) { s.TTL = nil })},
	}
	token := func(i int) *authv1alpha1.ApiToken {
		tc := cases[i]
		return &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Name: "tok", Namespace: tc.namespace, Labels: tc.labels}, Spec: tc.spec}
	}
	// The API server loads the policies and their params asynchronously.
	NewWithT(t).Eventually(func() error {
		return c.Create(ctx, token(1), client.DryRunAll)
	}).WithTimeout(policyTimeout).WithPolling(200*time.Millisecond).Should(HaveOccurred(), "the token-policy admission policy did not take effect")
	NewWithT(t).Eventually(func() []string {
		_ = c.Create(ctx, token(10), client.DryRunAll)
		return warned.take()
	}).WithTimeout(policyTimeout).WithPolling(200*time.Millisecond).ShouldNot(BeEmpty(), "the Warn policy did not take effect")

	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := NewWithT(t)
			tok := token(i)
			// What the controller decides, with the same policies.
			var deny, warn []string
			for _, p := range policies {
				if !tokenpolicy.Governs(p, tok, nsLabels[tc.namespace]) {
					continue
				}
				for _, v := range tokenpolicy.Check(p, tok) {
					if v.Enforcement == authv1alpha1.EnforcementDeny {
						deny = append(deny, v.String())
					} else {
						warn = append(warn, v.String())
					}
				}
			}
			_ = warned.take()
			err := c.Create(ctx, tok, client.DryRunAll)
			got := warned.take()
			if len(deny) == 0 {
				g.Expect(err).NotTo(HaveOccurred(), "tokenpolicy refuses nothing, the API server refused")
			} else {
				g.Expect(err).To(HaveOccurred(), "tokenpolicy refuses %q, the API server admitted it", deny)
				// The API server names the first rule broken, as
				// tokenpolicy lists them.
				_, refusal, found := strings.Cut(err.Error(), "denied request: ")
				g.Expect(found).To(BeTrue(), "not a refusal by the token-policy admission policy: %v", err)
				g.Expect(refusal).To(Equal(deny[0]))
			}
			var gotWarn []string
			for _, w := range got {
				if _, msg, ok := strings.Cut(w, "apitoken-policies-warn': "); ok {
					gotWarn = append(gotWarn, msg)
				}
			}
			slices.Sort(gotWarn)
			slices.Sort(warn)
			g.Expect(gotWarn).To(Equal(warn), "warnings %q", got)
		})
	}

	t.Run("the refusal reads as the issue words it", func(t *testing.T) {
		err := c.Create(ctx, token(2), client.DryRunAll)
		NewWithT(t).Expect(err).To(MatchError(ContainSubstring("ApiTokenPolicy org-defaults: spec.ttl 8760h exceeds maxTTL 2160h")))
	})
}

// The CRD refuses a policy it could not apply, naming the field.
func TestTokenPolicySchema(t *testing.T) {
	_, admin, _ := startEnv(t)
	ctx := t.Context()
	d := func(s string) *metav1.Duration { v, _ := time.ParseDuration(s); return &metav1.Duration{Duration: v} }
	for name, tc := range map[string]struct {
		spec authv1alpha1.ApiTokenPolicySpec
		want string
	}{
		"no rule":                {authv1alpha1.ApiTokenPolicySpec{}, "a policy needs at least one rule"},
		"maxTTL under 1s":        {authv1alpha1.ApiTokenPolicySpec{MaxTTL: d("500ms")}, "spec.maxTTL: Invalid value"},
		"warn after revoke":      {authv1alpha1.ApiTokenPolicySpec{Inactivity: &authv1alpha1.InactivityRules{WarnAfter: d("48h"), RevokeAfter: d("24h")}}, "spec.inactivity.warnAfter: Invalid value: inactivity.warnAfter must be shorter than inactivity.revokeAfter"},
		"an unknown operator":    {authv1alpha1.ApiTokenPolicySpec{MaxTTL: d("24h"), TokenSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "tier", Operator: "Near", Values: []string{"ci"}}}}}, "spec.tokenSelector: Invalid value"},
		"Exists with values":     {authv1alpha1.ApiTokenPolicySpec{MaxTTL: d("24h"), NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "team", Operator: "Exists", Values: []string{"x"}}}}}, "namespaceSelector.matchExpressions: each operator must be In or NotIn with values"},
		"a minLength under 16":   {authv1alpha1.ApiTokenPolicySpec{Generate: &authv1alpha1.GenerateRules{MinLength: 8}}, "spec.generate.minLength: Invalid value: 8: spec.generate.minLength in body should be greater than or equal to 16"},
		"an unknown enforcement": {authv1alpha1.ApiTokenPolicySpec{MaxTTL: d("24h"), Enforcement: "Audit"}, `spec.enforcement: Unsupported value: "Audit"`},
	} {
		t.Run(name, func(t *testing.T) {
			err := admin.Create(ctx, &authv1alpha1.ApiTokenPolicy{ObjectMeta: metav1.ObjectMeta{Name: "p"}, Spec: tc.spec})
			NewWithT(t).Expect(err).To(MatchError(ContainSubstring(tc.want)))
		})
	}
}
