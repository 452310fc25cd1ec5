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

// Package tokenpolicy is the rule of ApiTokenPolicies, pure: which tokens
// a policy governs and which of its rules a token breaks, each with the
// message the API server's admission policy (config/admission/token_policy*.yaml)
// gives for the same token, word for word; test/admission checks that the
// two agree. The controller marks existing tokens with it.
package tokenpolicy

import (
	"fmt"
	"slices"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
)

// Rule names the rule a token breaks: the reason of its PolicyCompliant
// condition.
type Rule string

// The rules.
const (
	TTLRequired      Rule = "TTLRequired"
	MaxTTLExceeded   Rule = "MaxTTLExceeded"
	ScopeNotAllowed  Rule = "ScopeNotAllowed"
	FormatNotAllowed Rule = "FormatNotAllowed"
	// Unused is past inactivity.warnAfter, Inactive past revokeAfter.
	Unused   Rule = "Unused"
	Inactive Rule = "Inactive"
)

// Violation is one rule of one policy that a token breaks.
type Violation struct {
	Policy      string
	Rule        Rule
	Message     string
	Enforcement authv1alpha1.Enforcement
}

// String is the violation as the admission policy words it:
// "ApiTokenPolicy <policy>: <message>".
func (v Violation) String() string { return "ApiTokenPolicy " + v.Policy + ": " + v.Message }

// Governs says whether p selects tok, in a namespace labelled nsLabels.
// A selector that cannot be read selects nothing (the CRD's schema
// refuses most; the policy's Ready condition says why).
func Governs(p *authv1alpha1.ApiTokenPolicy, tok *authv1alpha1.ApiToken, nsLabels map[string]string) bool {
	sel, err := NewSelector(p)
	return err == nil && sel.Governs(tok, nsLabels)
}

// Selector is a policy's selection, its label selectors parsed once.
type Selector struct {
	types           []authv1alpha1.TokenType
	namespaces, tok labels.Selector
	// byNamespace says the policy selects namespaces by their labels.
	byNamespace bool
}

// NewSelector parses p's selectors; the error names the one that cannot
// be read.
func NewSelector(p *authv1alpha1.ApiTokenPolicy) (Selector, error) {
	s := Selector{types: p.Spec.Types, namespaces: labels.Everything(), tok: labels.Everything()}
	var err error
	if p.Spec.NamespaceSelector != nil {
		s.byNamespace = true
		if s.namespaces, err = metav1.LabelSelectorAsSelector(p.Spec.NamespaceSelector); err != nil {
			return s, fmt.Errorf("spec.namespaceSelector: %w", err)
		}
	}
	if p.Spec.TokenSelector != nil {
		if s.tok, err = metav1.LabelSelectorAsSelector(p.Spec.TokenSelector); err != nil {
			return s, fmt.Errorf("spec.tokenSelector: %w", err)
		}
	}
	return s, nil
}

// Governs says whether the selection holds tok, in a namespace labelled
// nsLabels.
func (s Selector) Governs(tok *authv1alpha1.ApiToken, nsLabels map[string]string) bool {
	if len(s.types) > 0 && !slices.Contains(s.types, tok.Spec.Type) {
		return false
	}
	return s.namespaces.Matches(labels.Set(nsLabels)) && s.tok.Matches(labels.Set(tok.Labels))
}

// Walk calls fn with each of tokens and whether the selection governs it.
// labelsOf gives a namespace's labels; it is asked once per namespace, and
// only when the policy selects namespaces.
func (s Selector) Walk(tokens []authv1alpha1.ApiToken, labelsOf func(namespace string) map[string]string,
	fn func(tok *authv1alpha1.ApiToken, governed bool)) {
	known := map[string]map[string]string{}
	for i := range tokens {
		tok := &tokens[i]
		var nsLabels map[string]string
		if s.byNamespace {
			var ok bool
			if nsLabels, ok = known[tok.Namespace]; !ok {
				nsLabels = labelsOf(tok.Namespace)
				known[tok.Namespace] = nsLabels
			}
		}
		fn(tok, s.Governs(tok, nsLabels))
	}
}

// Check returns the rules of p that the spec of tok breaks, in the order
// the admission policy lists them (inactivity aside: see Inactivity).
func Check(p *authv1alpha1.ApiTokenPolicy, tok *authv1alpha1.ApiToken) []Violation {
	var out []Violation
	add := func(r Rule, format string, args ...any) {
		out = append(out, Violation{Policy: p.Name, Rule: r, Message: fmt.Sprintf(format, args...), Enforcement: enforcement(p)})
	}
	s := &p.Spec
	if s.MaxTTL != nil {
		switch {
		case tok.Spec.TTL == nil:
			add(TTLRequired, "spec.ttl is not set, and maxTTL %s requires every token to expire", Duration(s.MaxTTL.Duration))
		case tok.Spec.TTL.Duration > s.MaxTTL.Duration:
			add(MaxTTLExceeded, "spec.ttl %s exceeds maxTTL %s", Duration(tok.Spec.TTL.Duration), Duration(s.MaxTTL.Duration))
		}
	}
	if len(s.AllowedScopes) > 0 {
		var denied []string
		for _, sc := range tok.Spec.Scopes {
			if !scope.Covers(s.AllowedScopes, sc) {
				denied = append(denied, sc)
			}
		}
		if len(denied) > 0 {
			add(ScopeNotAllowed, "spec.scopes %s not covered by allowedScopes (%s)", strings.Join(denied, ", "), strings.Join(s.AllowedScopes, ", "))
		}
	}
	if g := s.Generate; g != nil {
		if path, gen, ok := generated(tok); ok {
			if g.MinLength > 0 && gen.Length < g.MinLength {
				add(FormatNotAllowed, "%s.length %d is below minLength %d", path, gen.Length, g.MinLength)
			}
			if g.Prefix != "" && gen.Prefix != g.Prefix {
				add(FormatNotAllowed, "%s.prefix %q is not the required prefix %q", path, gen.Prefix, g.Prefix)
			}
			if g.Checksum && !gen.Checksum {
				add(FormatNotAllowed, "%s.checksum is false, and checksum: true is required", path)
			}
		}
	}
	return out
}

// generated returns how tok's value is drawn, and the field that says so:
// spec.source.generate (the defaults when tok names no source),
// spec.source.hashed.generate; false for an imported value, or a hash-only
// one whose drawing is not recorded.
func generated(tok *authv1alpha1.ApiToken) (string, authv1alpha1.GenerateSource, bool) {
	src := tok.Spec.Source
	switch {
	case src == nil:
		return "spec.source.generate", authv1alpha1.GenerateSource{}.WithDefaults(), true
	case src.Generate != nil:
		return "spec.source.generate", src.Generate.WithDefaults(), true
	case src.Hashed != nil && src.Hashed.Generate != nil:
		return "spec.source.hashed.generate", src.Hashed.Generate.WithDefaults(), true
	case src.Import == nil && src.Hashed == nil:
		return "spec.source.generate", authv1alpha1.GenerateSource{}.WithDefaults(), true
	}
	return "", authv1alpha1.GenerateSource{}, false
}

// Inactivity returns the inactivity rule of p that tok breaks at now, if
// any (Inactive past revokeAfter, else Unused past warnAfter), and when its
// next one is due (zero: never). The clock runs from status.lastUsedDate,
// or from the token's creation when it was never used.
func Inactivity(p *authv1alpha1.ApiTokenPolicy, tok *authv1alpha1.ApiToken, now time.Time) (*Violation, time.Time) {
	in := p.Spec.Inactivity
	if in == nil {
		return nil, time.Time{}
	}
	since := tok.CreationTimestamp.Time
	if tok.Status.LastUsedDate != nil {
		since = tok.Status.LastUsedDate.Time
	}
	idle := now.Sub(since)
	v := func(r Rule, after time.Duration, action string) *Violation {
		return &Violation{Policy: p.Name, Rule: r, Enforcement: enforcement(p),
			Message: fmt.Sprintf("unused for %s, more than inactivity.%s %s", Duration(idle.Truncate(time.Second)), action, Duration(after))}
	}
	var next time.Time
	if in.RevokeAfter != nil {
		if idle >= in.RevokeAfter.Duration {
			return v(Inactive, in.RevokeAfter.Duration, "revokeAfter"), time.Time{}
		}
		next = since.Add(in.RevokeAfter.Duration)
	}
	if in.WarnAfter != nil {
		if idle >= in.WarnAfter.Duration {
			return v(Unused, in.WarnAfter.Duration, "warnAfter"), next
		}
		next = since.Add(in.WarnAfter.Duration)
	}
	return nil, next
}

// enforcement is p's, Deny when unset (the CRD's default).
func enforcement(p *authv1alpha1.ApiTokenPolicy) authv1alpha1.Enforcement {
	if p.Spec.Enforcement == "" {
		return authv1alpha1.EnforcementDeny
	}
	return p.Spec.Enforcement
}

// Duration writes d as people write it: 2160h, 90s, 1h30m, not 2160h0m0s.
func Duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
