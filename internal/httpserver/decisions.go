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

package httpserver

import (
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/cache"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/utils/clock"
)

// decisionCache remembers authorization answers per caller and question:
// allowed ones for allowTTL, denied ones for denyTTL, as kube-apiserver's
// webhook authorizer cache does, and like it at most maxAnswers of them,
// the least recently used going first; an expired answer is never given
// and is dropped when it is next looked up or pushed out. It replaces that
// cache because it keys every question by its whole SubjectAccessReview in
// JSON (~5 µs each): here the caller is keyed once per request and each
// question is one lookup.
type decisionCache struct {
	allowTTL, denyTTL time.Duration
	answers           *cache.LRUExpireCache
}

// maxAnswers bounds the cache: whatever callers ask, it holds at most this
// many answers (a few MiB).
const maxAnswers = 16384

type question struct{ verb, namespace, resource, subresource string }

type decisionKey struct {
	caller string
	question
}

func newDecisionCache(allowTTL, denyTTL time.Duration, clk clock.PassiveClock, size int) *decisionCache {
	return &decisionCache{allowTTL: allowTTL, denyTTL: denyTTL, answers: cache.NewLRUExpireCacheWithClock(size, clk)}
}

// callerKey is who u is to RBAC: name, UID and groups. Not the extras: a
// ServiceAccount token carries its own credential ID and pod in them, so
// keying by them made every new token of the same ServiceAccount miss the
// cache and pay for its reviews again. The review itself still carries
// them.
func callerKey(u user.Info) string {
	n := len(u.GetName()) + 1 + len(u.GetUID())
	for _, g := range u.GetGroups() {
		n += 1 + len(g)
	}
	var b strings.Builder
	b.Grow(n) // one allocation: this runs on every request
	b.WriteString(u.GetName())
	b.WriteByte(0)
	b.WriteString(u.GetUID())
	for _, g := range u.GetGroups() {
		b.WriteByte(0)
		b.WriteString(g)
	}
	return b.String()
}

// lookup returns the cached answer to q for caller, if it has not expired.
func (c *decisionCache) lookup(caller string, q question) (allowed, ok bool) {
	v, ok := c.answers.Get(decisionKey{caller, q})
	if !ok {
		return false, false
	}
	return v.(bool), true
}

// store remembers an answer.
func (c *decisionCache) store(caller string, q question, allowed bool) {
	ttl := c.denyTTL
	if allowed {
		ttl = c.allowTTL
	}
	c.answers.Add(decisionKey{caller, q}, allowed, ttl)
}

// len is how many unexpired answers the cache holds.
func (c *decisionCache) len() int { return len(c.answers.Keys()) }
