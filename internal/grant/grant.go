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

// Package grant answers what a caller may do to the ApiTokens of a
// namespace through the HTTP APIs (all of them, their own personal tokens,
// or nothing) and where they may create, with the questions
// httpserver.Access asks Kubernetes RBAC. The APIs write with the
// operator's client, so this is where they apply the personal-tokens
// admission policy's rule themselves.
package grant

import (
	"context"
	"fmt"

	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// Grant is what a caller may do, with one verb, to the ApiTokens of a
// namespace: Kubernetes RBAC decides, asked with a SubjectAccessReview.
type Grant int

const (
	// None is neither the verb on apitokens nor apitokens/self.
	None Grant = iota
	// Own is create on apitokens/self only; the caller may create, see,
	// regenerate, revoke and delete their own personal tokens.
	Own
	// All is the verb on apitokens in the namespace.
	All
)

// Marker subresources: RBAC rules with no request behind them, asked about
// with a SubjectAccessReview.
const (
	// SelfSubresource: create on it allows personal tokens through the HTTP API.
	SelfSubresource = "self"
	// PersonalSubresource: create on it (the apitoken-personal-tokens
	// ClusterRole) limits a caller who may write apitokens to their own
	// personal tokens, as the personal-tokens admission policy does for
	// kubectl, unless they also hold AnySubresource.
	PersonalSubresource = "personal"
	// AnySubresource: create on it (apitoken-editor-role, apitoken-admin-role)
	// lifts the PersonalSubresource limit.
	AnySubresource = "any"
)

// For asks what u may do with verb in namespace.
func For(ctx context.Context, a *httpserver.Access, u user.Info, verb, namespace string) (Grant, error) {
	all, err := a.Allowed(ctx, u, verb, namespace, "apitokens", "")
	if err != nil {
		return None, err
	}
	if all {
		limited, err := limitedToPersonal(ctx, a, u, namespace)
		if err != nil || !limited {
			return All, err
		}
		return Own, nil
	}
	own, err := a.Allowed(ctx, u, "create", namespace, "apitokens", SelfSubresource)
	if err != nil || !own {
		return None, err
	}
	return Own, nil
}

// limitedToPersonal says whether u's write rights on apitokens in namespace
// come with the personal-tokens limit: the HTTP API writes as the operator,
// so it applies the admission policy's rule itself.
func limitedToPersonal(ctx context.Context, a *httpserver.Access, u user.Info, namespace string) (bool, error) {
	personal, err := a.Allowed(ctx, u, "create", namespace, "apitokens", PersonalSubresource)
	if err != nil || !personal {
		return false, err
	}
	anyToken, err := a.Allowed(ctx, u, "create", namespace, "apitokens", AnySubresource)
	return !anyToken, err
}

// Covers says whether the grant lets u act on the token in row.
func (g Grant) Covers(row *readmodel.Row, u user.Info) bool {
	return g == All || g == Own && row.PersonalTo(u.GetName())
}

// NotAllowed is the 403 message for a caller with neither permission.
func NotAllowed(u user.Info, verb, namespace string) string {
	return fmt.Sprintf("%s may not %s apitokens.auth.apitoken.io in namespace %q: that needs %s on apitokens, or create on apitokens/self for the caller's own personal tokens",
		u.GetName(), verb, namespace, verb)
}
