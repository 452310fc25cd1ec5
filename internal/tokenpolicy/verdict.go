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
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Verdict is what the policies that govern a token say of it at an
// instant.
type Verdict struct {
	// Governed says some policy selects the token.
	Governed bool
	// Violations are the rules broken: each policy's (by name), its spec
	// rules first, then inactivity.
	Violations []Violation
	// Revoke is the violation that revokes the token now: a Deny policy's
	// inactivity.revokeAfter passed, the token not revoked yet. Under Warn
	// an inactive token is marked, not revoked.
	Revoke *Violation
	// Next is when an inactivity rule is next due; zero: never.
	Next time.Time
}

// Evaluator applies ApiTokenPolicies to tokens, parsing each version of a
// policy's selectors once: the controller evaluates every token against every
// policy, and parsing is most of the cost (docs/benchmarks.md).
type Evaluator struct {
	mu sync.Mutex
	// sels holds one entry per policy ever seen (a deleted one's stays: a
	// few hundred bytes).
	sels map[types.UID]compiled
}

type compiled struct {
	resourceVersion string
	sel             Selector
	err             error
}

// selector is p's Selector, parsed once per resourceVersion (every time
// when p has no UID: not from the API server).
func (e *Evaluator) selector(p *authv1alpha1.ApiTokenPolicy) (Selector, error) {
	if p.UID == "" {
		return NewSelector(p)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.sels[p.UID]; ok && c.resourceVersion == p.ResourceVersion {
		return c.sel, c.err
	}
	sel, err := NewSelector(p)
	if e.sels == nil {
		e.sels = map[types.UID]compiled{}
	}
	e.sels[p.UID] = compiled{p.ResourceVersion, sel, err}
	return sel, err
}

// Evaluate applies every policy to tok, in a namespace labelled nsLabels,
// at now.
func (e *Evaluator) Evaluate(policies []authv1alpha1.ApiTokenPolicy, tok *authv1alpha1.ApiToken, nsLabels map[string]string, now time.Time) Verdict {
	var v Verdict
	order := make([]*authv1alpha1.ApiTokenPolicy, 0, len(policies))
	for i := range policies {
		p := &policies[i]
		if p.DeletionTimestamp != nil {
			continue
		}
		if sel, err := e.selector(p); err == nil && sel.Governs(tok, nsLabels) {
			order = append(order, p)
		}
	}
	slices.SortFunc(order, func(a, b *authv1alpha1.ApiTokenPolicy) int { return strings.Compare(a.Name, b.Name) })
	for _, p := range order {
		v.Governed = true
		v.Violations = append(v.Violations, Check(p, tok)...)
		idle, next := Inactivity(p, tok, now)
		if idle != nil {
			v.Violations = append(v.Violations, *idle)
			if idle.Rule == Inactive && idle.Enforcement == authv1alpha1.EnforcementDeny && !tok.Spec.Revoked && v.Revoke == nil {
				v.Revoke = idle
			}
		}
		if !next.IsZero() && (v.Next.IsZero() || next.Before(v.Next)) {
			v.Next = next
		}
	}
	return v
}

// MaxRecorded bounds status.policy.violations (the CRD's maxItems).
const MaxRecorded = 32

// Record writes v into status: policy.violations, and condition
// PolicyCompliant (True, reason Compliant; False, reason the first rule
// broken, message every violation), or neither when no policy governs the
// token.
func Record(status *authv1alpha1.ApiTokenStatus, v Verdict, generation int64, now time.Time) {
	status.Policy = nil
	if !v.Governed {
		meta.RemoveStatusCondition(&status.Conditions, authv1alpha1.ConditionPolicyCompliant)
		return
	}
	c := metav1.Condition{Type: authv1alpha1.ConditionPolicyCompliant, Status: metav1.ConditionTrue, Reason: authv1alpha1.ReasonCompliant,
		Message: "the token keeps the rules of every ApiTokenPolicy that governs it", ObservedGeneration: generation, LastTransitionTime: metav1.NewTime(now)}
	if len(v.Violations) > 0 {
		msgs := make([]string, 0, len(v.Violations))
		for i, x := range v.Violations {
			msgs = append(msgs, x.String())
			if i < MaxRecorded {
				if status.Policy == nil {
					status.Policy = &authv1alpha1.PolicyStatus{}
				}
				status.Policy.Violations = append(status.Policy.Violations, authv1alpha1.PolicyViolation{
					Policy: x.Policy, Rule: string(x.Rule), Message: x.Message, Enforcement: x.Enforcement})
			}
		}
		c.Status, c.Reason, c.Message = metav1.ConditionFalse, string(v.Violations[0].Rule), strings.Join(msgs, "; ")
		if Denied(status.PolicyViolations()) {
			c.Message += ": it does not verify until it complies"
		}
	}
	meta.SetStatusCondition(&status.Conditions, c)
}

// Denied says whether recorded violations stop a token from verifying: a
// Deny policy's rule of the spec is broken. Inactivity never does (an
// inactive token is revoked instead, visibly).
func Denied(violations []authv1alpha1.PolicyViolation) bool {
	for _, v := range violations {
		if v.Enforcement == authv1alpha1.EnforcementDeny && v.Rule != string(Unused) && v.Rule != string(Inactive) {
			return true
		}
	}
	return false
}
