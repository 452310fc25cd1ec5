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
	"context"
	"fmt"

	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// grant is what a caller may do, with one verb, to the ApiTokens of a
// namespace: Kubernetes RBAC decides, asked with a SubjectAccessReview.
type grant int

const (
	// grantNone: neither the verb on apitokens nor apitokens/self.
	grantNone grant = iota
	// grantOwn: create on apitokens/self only; the caller may create, see,
	// regenerate, revoke and delete their own personal tokens.
	grantOwn
	// grantAll: the verb on apitokens in the namespace.
	grantAll
)

// Marker subresources: RBAC rules with no request behind them, asked about
// with a SubjectAccessReview.
const (
	// selfSubresource: create on it allows personal tokens through the HTTP API.
	selfSubresource = "self"
	// personalSubresource: create on it (the apitoken-personal-tokens
	// ClusterRole) limits a caller who may write apitokens to their own
	// personal tokens, as the personal-tokens admission policy does for
	// kubectl, unless they also hold anySubresource.
	personalSubresource = "personal"
	// anySubresource: create on it (apitoken-editor-role, apitoken-admin-role)
	// lifts the personalSubresource limit.
	anySubresource = "any"
)

// grantFor asks what u may do with verb in namespace.
func (s *API) grantFor(ctx context.Context, u user.Info, verb, namespace string) (grant, error) {
	all, err := s.Access.Allowed(ctx, u, verb, namespace, "apitokens", "")
	if err != nil {
		return grantNone, err
	}
	if all {
		limited, err := s.limitedToPersonal(ctx, u, namespace)
		if err != nil || !limited {
			return grantAll, err
		}
		return grantOwn, nil
	}
	own, err := s.Access.Allowed(ctx, u, "create", namespace, "apitokens", selfSubresource)
	if err != nil || !own {
		return grantNone, err
	}
	return grantOwn, nil
}

// limitedToPersonal says whether u's write rights on apitokens in namespace
// come with the personal-tokens limit: the HTTP API writes as the operator,
// so it applies the admission policy's rule itself.
func (s *API) limitedToPersonal(ctx context.Context, u user.Info, namespace string) (bool, error) {
	personal, err := s.Access.Allowed(ctx, u, "create", namespace, "apitokens", personalSubresource)
	if err != nil || !personal {
		return false, err
	}
	anyToken, err := s.Access.Allowed(ctx, u, "create", namespace, "apitokens", anySubresource)
	return !anyToken, err
}

// covers says whether the grant lets u act on the token in row.
func (g grant) covers(row *readmodel.Row, u user.Info) bool {
	return g == grantAll || g == grantOwn && row.PersonalTo(u.GetName())
}

// notAllowed is the 403 message for a caller with neither permission.
func notAllowed(u user.Info, verb, namespace string) string {
	return fmt.Sprintf("%s may not %s apitokens.auth.apitoken.io in namespace %q: that needs %s on apitokens, or create on apitokens/self for the caller's own personal tokens",
		u.GetName(), verb, namespace, verb)
}
