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

package selfservice

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Rules are the limits of a personal token: the longest ttl and the scopes
// it may carry. Where names their source in messages (the flags, or the
// ConfigMap the personal-tokens admission policy reads too).
type Rules struct {
	MaxTTL time.Duration
	Scopes []string
	// MaxTTLFrom and ScopesFrom name where each is set, e.g.
	// "--self-service-max-ttl" or "ConfigMap ns/name, data.maxTTL".
	MaxTTLFrom, ScopesFrom string
}

// RulesSource gives the personal-token rules in force now.
type RulesSource interface {
	Rules(ctx context.Context) (Rules, error)
}

// FlagRules are the rules of --self-service-max-ttl and
// --self-service-scopes, fixed for the process's life; a maxTTL of 0 means
// DefaultMaxPersonalTTL.
func FlagRules(maxTTL time.Duration, scopes []string) RulesSource {
	if maxTTL <= 0 {
		maxTTL = DefaultMaxPersonalTTL
	}
	return fixedRules{MaxTTL: maxTTL, Scopes: scopes, MaxTTLFrom: "--self-service-max-ttl", ScopesFrom: "--self-service-scopes"}
}

type fixedRules Rules

func (r fixedRules) Rules(context.Context) (Rules, error) { return Rules(r), nil }

// The keys of the self-service ConfigMap (--self-service-config). The
// personal-tokens ValidatingAdmissionPolicy reads the same ConfigMap as its
// params and the same keys by the same rules, so kubectl and the HTTP API
// cannot drift apart.
const (
	// ConfigMaxTTL is a Go duration; absent or empty: DefaultMaxPersonalTTL.
	ConfigMaxTTL = "maxTTL"
	// ConfigScopes is a comma-separated scope list (as
	// --self-service-scopes); absent or empty: none.
	ConfigScopes = "scopes"
)

// ConfigMapRules reads the rules from a ConfigMap on every call, so that a
// change applies to the next request, as it does to the admission policy.
// Personal-token writes are made by people, a few a minute at most; the
// Reader is the API server (a Get), not a cache.
type ConfigMapRules struct {
	Reader client.Reader
	Key    types.NamespacedName
}

// Rules reads the ConfigMap; a missing or wrong one is an error that says
// why, and personal tokens are refused until it is mended.
func (c ConfigMapRules) Rules(ctx context.Context) (Rules, error) {
	cm := &corev1.ConfigMap{}
	if err := c.Reader.Get(ctx, c.Key, cm); err != nil {
		if apierrors.IsNotFound(err) {
			return Rules{}, fmt.Errorf("personal tokens are unavailable: their rules live in ConfigMap %s (--self-service-config), which does not exist", c.Key)
		}
		return Rules{}, fmt.Errorf("reading the personal-token rules from ConfigMap %s: %w", c.Key, err)
	}
	return ParseConfigMapRules(c.Key, cm.Data)
}

// ParseConfigMapRules reads the rules from a self-service ConfigMap's data.
func ParseConfigMapRules(key types.NamespacedName, data map[string]string) (Rules, error) {
	r := Rules{
		MaxTTL:     DefaultMaxPersonalTTL,
		MaxTTLFrom: fmt.Sprintf("ConfigMap %s, data.%s", key, ConfigMaxTTL),
		ScopesFrom: fmt.Sprintf("ConfigMap %s, data.%s", key, ConfigScopes),
	}
	if s := strings.TrimSpace(data[ConfigMaxTTL]); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return Rules{}, fmt.Errorf("personal tokens are unavailable: %s: %q is not a positive duration such as 720h", r.MaxTTLFrom, s)
		}
		r.MaxTTL = d
	}
	scopes, err := ParseScopeList(data[ConfigScopes])
	if err != nil {
		return Rules{}, fmt.Errorf("personal tokens are unavailable: %s: %w", r.ScopesFrom, err)
	}
	r.Scopes = scopes
	return r, nil
}
