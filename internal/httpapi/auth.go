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
	"errors"
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
	"k8s.io/apiserver/pkg/endpoints/request"
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
		return nil, fmt.Errorf("--query-auth %q: use %s or %s", mode, AuthKubernetes, AuthNone)
	}
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

// errTooManyReviews is a request that would cost more reviews than
// MaxReviewsPerRequest.
var errTooManyReviews = fmt.Errorf("answering it would ask the API server more than %d authorization questions", MaxReviewsPerRequest)

type reviewBudgetKey struct{}

// withReviewBudget gives the request MaxReviewsPerRequest reviews.
func withReviewBudget(ctx context.Context) context.Context {
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
		return false, errTooManyReviews
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

// withAuthentication answers 401 without valid credentials, else puts the
// caller in the request's context (request.UserFrom) for h.
func withAuthentication(h http.Handler, authn authenticator.Request, log logr.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok, err := authn.AuthenticateRequest(r)
		if err != nil {
			// TokenReview reports a bad token as an error too: the caller
			// gets 401 either way, the reason only goes to the log.
			log.V(1).Info("Rejected a request: authentication failed", "reason", err.Error())
		}
		if err != nil || !ok || res == nil || res.User == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="apitoken-operator"`)
			writeError(w, http.StatusUnauthorized, "a valid Kubernetes bearer token is required")
			return
		}
		if apiTokenIdentity(res.User) {
			// An ApiToken authenticated by a TokenReview webhook gains no
			// right here from presenting itself.
			writeError(w, http.StatusForbidden, selfOnly)
			return
		}
		h.ServeHTTP(w, r.WithContext(withReviewBudget(request.WithUser(r.Context(), res.User))))
	})
}

// withSynced answers 503 until synced says the caches have delivered every
// object: an empty answer before that would be wrong, not just late.
func withSynced(h http.Handler, synced func() bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !synced() {
			writeError(w, http.StatusServiceUnavailable, "the token cache has not synced yet: retry shortly")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// authorized answers 403 unless the caller may do verb on resource/subresource
// cluster-wide, then calls h. The caller comes from withAuthentication.
func (s *API) authorized(verb, resource, subresource string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, _ := request.UserFrom(r.Context())
		ok, err := s.Access.Allowed(r.Context(), u, verb, "", resource, subresource)
		if err != nil {
			s.authorizationFailed(w, u, err)
			return
		}
		if !ok {
			writeError(w, http.StatusForbidden, fmt.Sprintf("%s may not %s %s in %s", u.GetName(), verb, resourceName(resource, subresource), authv1alpha1.GroupVersion.Group))
			return
		}
		h(w, r)
	}
}

// authorizationFailed answers 400 for a request past its review budget,
// asking to name namespaces, else 500 when the authorizer could not be
// asked; the reason goes to the log only.
func (s *API) authorizationFailed(w http.ResponseWriter, u user.Info, err error) {
	if errors.Is(err, errTooManyReviews) {
		writeJSON(w, http.StatusBadRequest, errorBody{Parameter: "namespace", Error: fmt.Sprintf(
			"namespace: %s may see ApiTokens in few of the %d namespaces that hold them, and finding out which would ask more than %d authorization questions: "+
				"name the namespaces to look in (namespace=a,b; at most %d)", u.GetName(), len(s.Model.Namespaces()), MaxReviewsPerRequest, query.MaxNamespaces)})
		return
	}
	s.Log.Error(err, "Failed to authorize a request", "user", u.GetName())
	writeError(w, http.StatusInternalServerError, "authorization failed")
}

// callerClient is the limiter's key for the authenticated caller itself.
func callerClient(r *http.Request) string {
	u, _ := request.UserFrom(r.Context())
	return "user:" + u.GetName()
}
