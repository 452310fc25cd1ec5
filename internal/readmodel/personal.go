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

import "strings"

// personalIndex counts, per user, the personal tokens (Row.PersonalTo) each
// namespace holds: the query API asks whether a caller may see their own
// tokens only where they have some.
type personalIndex map[string]map[string]int

func (p personalIndex) add(r *Row, delta int) {
	if !r.PersonalTo(r.CreatedBy()) {
		return
	}
	byNS := p[r.CreatedBy()]
	if byNS == nil {
		byNS = map[string]int{}
		// A key of its own, not a slice of the row's text.
		p[strings.Clone(r.CreatedBy())] = byNS
	}
	byNS[r.Namespace] += delta
	if byNS[r.Namespace] <= 0 {
		delete(byNS, r.Namespace)
		if len(byNS) == 0 {
			delete(p, r.CreatedBy())
		}
	}
}

// PersonalNamespaces are the namespaces that hold personal tokens of user.
func (m *Model) PersonalNamespaces(user string) map[string]bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]bool, len(m.personal[user]))
	for ns := range m.personal[user] {
		out[ns] = true
	}
	return out
}
