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

package httpapi

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/utils/clock"
)

// decisionCache remembers authorization answers per caller and question:
// allowed ones for allowTTL, denied ones for denyTTL, as kube-apiserver's
// webhook authorizer cache does. It replaces that cache (which keys every
// question by its whole SubjectAccessReview in JSON, ~5 µs each, and keeps
// 8,192) because a query by a caller with rights in some namespaces only asks
// one question per namespace: here the caller is keyed once per request and
// each question is a map lookup.
type decisionCache struct {
	allowTTL, denyTTL time.Duration
	clock             clock.PassiveClock

	mu      sync.Mutex
	callers map[string]*callerAnswers
}

// maxCallers is how many callers the cache holds before it drops those whose
// answers have all expired.
const maxCallers = 4096

type question struct{ verb, namespace, resource, subresource string }

type answer struct {
	allowed bool
	until   time.Time
}

type callerAnswers struct {
	answers map[question]answer
	// until is when the last of its answers expires.
	until time.Time
}

func newDecisionCache(allowTTL, denyTTL time.Duration, clk clock.PassiveClock) *decisionCache {
	return &decisionCache{allowTTL: allowTTL, denyTTL: denyTTL, clock: clk, callers: map[string]*callerAnswers{}}
}

// callerKey is everything about u that an authorizer may decide on.
func callerKey(u user.Info) string {
	var b strings.Builder
	b.WriteString(u.GetName())
	b.WriteByte(0)
	b.WriteString(u.GetUID())
	for _, g := range u.GetGroups() {
		b.WriteByte(0)
		b.WriteString(g)
	}
	extra := u.GetExtra()
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		b.WriteByte(1)
		b.WriteString(k)
		for _, v := range extra[k] {
			b.WriteByte(0)
			b.WriteString(v)
		}
	}
	return b.String()
}

// lookup returns the cached answer to q for caller, if it has not expired.
func (c *decisionCache) lookup(caller string, q question) (allowed, ok bool) {
	now := c.clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	ca := c.callers[caller]
	if ca == nil {
		return false, false
	}
	if a, found := ca.answers[q]; found && now.Before(a.until) {
		return a.allowed, true
	}
	return false, false
}

// store remembers an answer.
func (c *decisionCache) store(caller string, q question, allowed bool) {
	now := c.clock.Now()
	until := now.Add(c.denyTTL)
	if allowed {
		until = now.Add(c.allowTTL)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	ca := c.callers[caller]
	if ca == nil {
		if len(c.callers) >= maxCallers {
			for k, other := range c.callers {
				if !now.Before(other.until) {
					delete(c.callers, k)
				}
			}
		}
		ca = &callerAnswers{answers: map[question]answer{}}
		c.callers[caller] = ca
	}
	ca.answers[q] = answer{allowed: allowed, until: until}
	if until.After(ca.until) {
		ca.until = until
	}
}
