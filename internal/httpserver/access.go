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
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"golang.org/x/sync/errgroup"
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
	"k8s.io/utils/clock"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/query"
)

// Auth modes of --query-auth.
const (
	AuthKubernetes = "kubernetes"
	AuthNone       = "none"
)

// Access is who a caller is (authentication) and what they may do
// (authorization), asked of the Kubernetes API server and cached, the way
// controller-runtime's metrics filter and kube-apiserver's delegating
// authenticator do it.
type Access struct {
	Authenticator authenticator.Request
	Authorizer    authorizer.Authorizer
	// NamespacesHeld counts the namespaces that hold ApiTokens, for the
	// message of a request past its review budget; nil counts none.
	NamespacesHeld func() int
	// Log receives why an authorization question could not be answered.
	Log logr.Logger
	// decisions caches the Authorizer's answers; nil asks it every time.
	decisions *decisionCache
}

// NewAccess builds the Access of an --query-auth mode: kubernetes
// (TokenReview and SubjectAccessReview) or none (everyone is anonymous and
// may do everything: local development only).
func NewAccess(mode string, cfg *rest.Config, httpClient *http.Client) (*Access, error) {
	switch mode {
	case AuthKubernetes:
		return newKubernetesAccess(cfg, httpClient)
	case AuthNone:
		return &Access{Authenticator: anonymous{}, Authorizer: authorizerfactory.NewAlwaysAllowAuthorizer()}, nil
	default:
		return nil, CheckAuthMode(mode)
	}
}

// CheckAuthMode refuses a --query-auth that is neither mode.
func CheckAuthMode(mode string) error {
	if mode != AuthKubernetes && mode != AuthNone {
		return fmt.Errorf("--query-auth %q: use %s or %s", mode, AuthKubernetes, AuthNone)
	}
	return nil
}

func newKubernetesAccess(cfg *rest.Config, httpClient *http.Client) (*Access, error) {
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
		// Answers are cached in Access.decisions instead (same TTLs).
		AllowCacheTTL:       0,
		DenyCacheTTL:        0,
		WebhookRetryBackoff: backoff,
	}.New()
	if err != nil {
		return nil, fmt.Errorf("creating the authorizer: %w", err)
	}
	return &Access{Authenticator: authn, Authorizer: authz, decisions: newDecisionCache(time.Minute, 10*time.Second, clock.RealClock{}, maxAnswers)}, nil
}

// anonymous authenticates everyone (--query-auth=none).
type anonymous struct{}

func (anonymous) AuthenticateRequest(*http.Request) (*authenticator.Response, bool, error) {
	return &authenticator.Response{User: &user.DefaultInfo{Name: "anonymous"}}, true, nil
}

// Allowed says whether u may do verb on resource (and subresource) of
// auth.apitoken.io in namespace ("" for cluster-wide). It is the one
// authorization question every endpoint asks.
func (a *Access) Allowed(ctx context.Context, u user.Info, verb, namespace, resource, subresource string) (bool, error) {
	return a.answer(ctx, u, callerKey(u), question{verb, namespace, resource, subresource})
}

// reviewConcurrency bounds the SubjectAccessReviews one request asks at
// once: enough to keep the API server busy, few enough not to crowd out its
// other clients (its priority and fairness limits apply as well).
const reviewConcurrency = 32

// AllowedIn is the set of namespaces where u may do verb on resource (and
// subresource). Answers not cached are asked in parallel, at most
// reviewConcurrency at a time.
func (a *Access) AllowedIn(ctx context.Context, u user.Info, verb string, namespaces []string, resource, subresource string) (map[string]bool, error) {
	caller := callerKey(u)
	allowed := make([]bool, len(namespaces))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(reviewConcurrency)
	for i, ns := range namespaces {
		q := question{verb, ns, resource, subresource}
		if a.decisions != nil {
			if ok, cached := a.decisions.lookup(caller, q); cached {
				allowed[i] = ok
				continue
			}
		}
		g.Go(func() (err error) {
			allowed[i], err = a.ask(gctx, u, caller, q)
			return err
		})
	}
	err := g.Wait()
	out := map[string]bool{}
	for i, ok := range allowed {
		if ok {
			out[namespaces[i]] = true
		}
	}
	return out, err
}

// answer answers q from the cache, else from the Authorizer.
func (a *Access) answer(ctx context.Context, u user.Info, caller string, q question) (bool, error) {
	if a.decisions != nil {
		if ok, cached := a.decisions.lookup(caller, q); cached {
			return ok, nil
		}
	}
	return a.ask(ctx, u, caller, q)
}

// MaxReviewsPerRequest bounds the SubjectAccessReviews one request may
// cost, whatever the size of the cluster (a caller with no rights used to
// cost about two per namespace holding ApiTokens): enough for a query that
// names query.MaxNamespaces namespaces, each asked about twice (list, and
// apitokens/self), and the cluster-wide question. Answers cached from
// earlier requests cost nothing.
const MaxReviewsPerRequest = 2*query.MaxNamespaces + 2

// ErrTooManyReviews is a request that would cost more reviews than
// MaxReviewsPerRequest.
var ErrTooManyReviews = fmt.Errorf("answering it would ask the API server more than %d authorization questions", MaxReviewsPerRequest)

type reviewBudgetKey struct{}

// WithReviewBudget gives the request MaxReviewsPerRequest reviews.
func WithReviewBudget(ctx context.Context) context.Context {
	b := &atomic.Int32{}
	b.Store(MaxReviewsPerRequest)
	return context.WithValue(ctx, reviewBudgetKey{}, b)
}

// spendReview takes one review of the request's budget; false when none
// is left. A context without a budget (the issuer listener's single
// questions) is not limited.
func spendReview(ctx context.Context) bool {
	b, ok := ctx.Value(reviewBudgetKey{}).(*atomic.Int32)
	return !ok || b.Add(-1) >= 0
}

// ask asks the Authorizer and caches the answer.
func (a *Access) ask(ctx context.Context, u user.Info, caller string, q question) (bool, error) {
	if !spendReview(ctx) {
		return false, ErrTooManyReviews
	}
	d, _, err := a.Authorizer.Authorize(ctx, authorizer.AttributesRecord{
		User: u, Verb: q.verb, Namespace: q.namespace, APIGroup: authv1alpha1.GroupVersion.Group,
		APIVersion: authv1alpha1.GroupVersion.Version, Resource: q.resource, Subresource: q.subresource, ResourceRequest: true,
	})
	if err != nil {
		return false, fmt.Errorf("checking whether %s may %s %s in %q: %w", u.GetName(), q.verb, resourceName(q.resource, q.subresource), q.namespace, err)
	}
	allowed := d == authorizer.DecisionAllow
	if a.decisions != nil {
		a.decisions.store(caller, q, allowed)
	}
	return allowed, nil
}

func resourceName(resource, subresource string) string {
	if subresource == "" {
		return resource
	}
	return resource + "/" + subresource
}
