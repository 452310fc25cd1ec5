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

package readmodel

// violationKey is a policy's rule.
type violationKey struct{ policy, rule string }

// violationCounts is how many rows break each policy's rule, kept as rows
// change so that a scrape reads the counts, not every row.
type violationCounts map[violationKey]int

// add counts r's violations (delta 1) or uncounts them (-1): a row once per
// policy and rule, however many messages it has of them.
func (c *violationCounts) add(r *Row, delta int) {
	vs := r.PolicyViolations()
	if len(vs) == 0 {
		return
	}
	if *c == nil {
		*c = violationCounts{}
	}
	for i, v := range vs {
		k := violationKey{v.Policy, v.Rule}
		counted := false
		for _, earlier := range vs[:i] {
			if earlier.Policy == v.Policy && earlier.Rule == v.Rule {
				counted = true
				break
			}
		}
		if counted {
			continue
		}
		if (*c)[k] += delta; (*c)[k] <= 0 {
			delete(*c, k)
		}
	}
}

// PolicyViolations calls fn with each policy's rule that some rows break,
// and how many rows break it.
func (m *Model) PolicyViolations(fn func(policy, rule string, rows int)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for k, n := range m.violations {
		fn(k.policy, k.rule, n)
	}
}
