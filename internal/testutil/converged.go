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

package testutil

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// ManagedSecrets maps the name of each Secret the operator manages in ns to
// the fingerprint of its token.
func ManagedSecrets(ctx context.Context, c client.Reader, ns string) (map[string]string, error) {
	var list corev1.SecretList
	if err := c.List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue}); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list.Items))
	for _, s := range list.Items {
		out[s.Name] = token.Fingerprint(s.Data["token"])
	}
	return out, nil
}

// Converged returns nil when every ApiToken in ns is Active at minRevision
// or later, has exactly one Secret that holds the token its status names
// (fingerprint and revision), and no managed Secret lacks its ApiToken;
// otherwise the first thing that is not so. For Eventually.
func Converged(ctx context.Context, c client.Reader, ns string, minRevision int64) error {
	var tokens authv1alpha1.ApiTokenList
	if err := c.List(ctx, &tokens, client.InNamespace(ns)); err != nil {
		return err
	}
	var list corev1.SecretList
	if err := c.List(ctx, &list, client.InNamespace(ns), client.MatchingLabels{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue}); err != nil {
		return err
	}
	secrets := make(map[string]*corev1.Secret, len(list.Items))
	for i := range list.Items {
		secrets[list.Items[i].Name] = &list.Items[i]
	}
	owners := map[string]bool{}
	for _, t := range tokens.Items {
		owners[t.SecretName()] = true
		st := t.Status
		switch s := secrets[t.SecretName()]; {
		case st.TokenStatus != authv1alpha1.TokenStatusActive:
			return fmt.Errorf("%s is %s", t.Name, st.TokenStatus)
		case st.Revision < minRevision:
			return fmt.Errorf("%s is at revision %d, want at least %d", t.Name, st.Revision, minRevision)
		case st.ObservedGeneration != t.Generation:
			return fmt.Errorf("%s: generation %d not observed yet", t.Name, t.Generation)
		case s == nil:
			return fmt.Errorf("%s has no Secret %s", t.Name, t.SecretName())
		case tokensecret.OwnerName(s) != t.Name:
			return fmt.Errorf("secret %s names owner %q, not %s", s.Name, tokensecret.OwnerName(s), t.Name)
		case token.Fingerprint(s.Data[t.SecretKey()]) != st.TokenHash:
			return fmt.Errorf("the status of %s does not describe the token in its Secret", t.Name)
		case tokensecret.Read(&t, s).Revision != st.Revision:
			return fmt.Errorf("secret %s is at revision %d, status of %s says %d", s.Name, tokensecret.Read(&t, s).Revision, t.Name, st.Revision)
		}
	}
	for name := range secrets {
		if !owners[name] {
			return fmt.Errorf("secret %s has no ApiToken", name)
		}
	}
	return nil
}
