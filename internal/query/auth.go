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

package query

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/apis/apiserver"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	authenticationv1 "k8s.io/client-go/kubernetes/typed/authentication/v1"
	authorizationv1 "k8s.io/client-go/kubernetes/typed/authorization/v1"
	"k8s.io/client-go/rest"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Auth modes of --query-auth.
const (
	AuthKubernetes = "kubernetes"
	AuthNone       = "none"
)

// Access decides who a caller is and which namespaces they may read.
type Access interface {
	// Authenticate returns the caller, or nil when the request carries no valid credentials.
	Authenticate(r *http.Request) (user.Info, error)
	// Visibility returns the namespaces the caller may list ApiTokens in,
	// out of the candidates.
	Visibility(ctx context.Context, u user.Info, candidates []string) (Visibility, error)
	// MayVerify says whether the caller may verify tokens (create
	// apitokens/verify, cluster-wide).
	MayVerify(ctx context.Context, u user.Info) (bool, error)
}

// openAccess lets everyone see everything: --query-auth=none, for local development.
type openAccess struct{}

func (openAccess) Authenticate(*http.Request) (user.Info, error) {
	return &user.DefaultInfo{Name: "anonymous"}, nil
}

func (openAccess) Visibility(context.Context, user.Info, []string) (Visibility, error) {
	return Visibility{All: true}, nil
}

func (openAccess) MayVerify(context.Context, user.Info) (bool, error) { return true, nil }

// kubernetesAccess checks the caller's bearer token with TokenReview and its
// permission to list apitokens with SubjectAccessReview, both cached the way
// controller-runtime's metrics filter caches them.
type kubernetesAccess struct {
	authn authenticator.Request
	authz authorizer.Authorizer
}

// NewKubernetesAccess builds the delegating authenticator and authorizer.
func NewKubernetesAccess(cfg *rest.Config, httpClient *http.Client) (Access, error) {
	authnClient, err := authenticationv1.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	authzClient, err := authorizationv1.NewForConfigAndClient(cfg, httpClient)
	if err != nil {
		return nil, err
	}
	backoff := &wait.Backoff{Duration: 500 * time.Millisecond, Factor: 1.5, Jitter: 0.2, Steps: 5}
	authn, _, err := authenticatorfactory.DelegatingAuthenticatorConfig{
		Anonymous:                &apiserver.AnonymousAuthConfig{Enabled: false},
		CacheTTL:                 time.Minute,
		TokenAccessReviewClient:  authnClient,
		TokenAccessReviewTimeout: 10 * time.Second,
		WebhookRetryBackoff:      backoff,
	}.New()
	if err != nil {
		return nil, fmt.Errorf("creating the authenticator: %w", err)
	}
	authz, err := authorizerfactory.DelegatingAuthorizerConfig{
		SubjectAccessReviewClient: authzClient,
		AllowCacheTTL:             time.Minute,
		DenyCacheTTL:              10 * time.Second,
		WebhookRetryBackoff:       backoff,
	}.New()
	if err != nil {
		return nil, fmt.Errorf("creating the authorizer: %w", err)
	}
	return &kubernetesAccess{authn: authn, authz: authz}, nil
}

func (a *kubernetesAccess) Authenticate(r *http.Request) (user.Info, error) {
	res, ok, err := a.authn.AuthenticateRequest(r)
	if err != nil || !ok {
		return nil, err
	}
	return res.User, nil
}

func (a *kubernetesAccess) Visibility(ctx context.Context, u user.Info, candidates []string) (Visibility, error) {
	allowed, err := a.mayList(ctx, u, "")
	if err != nil || allowed {
		return Visibility{All: allowed}, err
	}
	vis := Visibility{Namespaces: map[string]bool{}}
	for _, ns := range candidates {
		ok, err := a.mayList(ctx, u, ns)
		if err != nil {
			return vis, err
		}
		if ok {
			vis.Namespaces[ns] = true
		}
	}
	return vis, nil
}

func (a *kubernetesAccess) MayVerify(ctx context.Context, u user.Info) (bool, error) {
	d, _, err := a.authz.Authorize(ctx, authorizer.AttributesRecord{
		User: u, Verb: "create", APIGroup: authv1alpha1.GroupVersion.Group, APIVersion: authv1alpha1.GroupVersion.Version,
		Resource: "apitokens", Subresource: "verify", ResourceRequest: true,
	})
	if err != nil {
		return false, fmt.Errorf("checking whether %s may verify tokens: %w", u.GetName(), err)
	}
	return d == authorizer.DecisionAllow, nil
}

func (a *kubernetesAccess) mayList(ctx context.Context, u user.Info, ns string) (bool, error) {
	d, _, err := a.authz.Authorize(ctx, authorizer.AttributesRecord{
		User: u, Verb: "list", Namespace: ns, APIGroup: authv1alpha1.GroupVersion.Group,
		APIVersion: authv1alpha1.GroupVersion.Version, Resource: "apitokens", ResourceRequest: true,
	})
	if err != nil {
		return false, fmt.Errorf("checking whether %s may list apitokens in %q: %w", u.GetName(), ns, err)
	}
	return d == authorizer.DecisionAllow, nil
}
