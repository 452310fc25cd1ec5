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

package controller

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/controller/schedule"
	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/index"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
)

// SetupWithManager registers the indexes, the Secret metadata cache and the
// controller with the manager.
func (r *ApiTokenReconciler) SetupWithManager(ctx context.Context, mgr ctrl.Manager) error {
	if err := index.Setup(ctx, mgr.GetFieldIndexer()); err != nil {
		return err
	}
	metaCache, err := cache.New(mgr.GetConfig(), cache.Options{
		HTTPClient:       mgr.GetHTTPClient(),
		Scheme:           mgr.GetScheme(),
		Mapper:           mgr.GetRESTMapper(),
		DefaultTransform: stripSecretMetadata,
		// Managed Secrets are in the manager's cache already; holding their
		// metadata twice would cost memory per token for nothing.
		DefaultLabelSelector: unmanagedSecrets(),
	})
	if err != nil {
		return fmt.Errorf("creating the Secret metadata cache: %w", err)
	}
	if err := mgr.Add(runnableCache{metaCache}); err != nil {
		return fmt.Errorf("adding the Secret metadata cache: %w", err)
	}
	r.secretMeta = metaCache

	informer, err := mgr.GetCache().GetInformer(ctx, &authv1alpha1.ApiToken{})
	if err != nil {
		return fmt.Errorf("getting the ApiToken informer: %w", err)
	}
	if _, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, obj any) {
			if o, ok := obj.(client.Object); ok {
				r.statusWrites.observed(o)
			}
		},
	}); err != nil {
		return fmt.Errorf("watching ApiTokens for the status memo: %w", err)
	}

	if r.Clock == nil {
		r.Clock = clock.RealClock{}
	}
	timers, ok := r.Clock.(clock.Clock)
	if !ok {
		timers = clock.RealClock{}
	}
	r.schedule = schedule.New(timers)
	if r.Claims == nil {
		r.Claims = guessing.NewLimiter(policy.DuplicateClaimLimit, policy.DuplicateClaimPeriod, guessing.DefaultClients, r.Clock)
	}
	// The ApiToken informer's initial list is queued a window at a time, at
	// low priority (docs/design/cache-on-controller-runtime.md: the queue's
	// maps keep the size they reach).
	pass := newFirstPass(firstPassWindow, 5*time.Millisecond)
	b := ctrl.NewControllerManagedBy(mgr).
		Named("apitoken").
		// Status-only updates (ours, and lastUsedDate) need no reconcile.
		Watches(&authv1alpha1.ApiToken{}, deferInitial[client.Object]{&handler.EnqueueRequestForObject{}, pass},
			builder.WithPredicates(predicate.Or[client.Object](predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}, usedWhileIdle()))).
		Watches(&authv1alpha1.ApiTokenPolicy{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			p, ok := o.(*authv1alpha1.ApiTokenPolicy)
			if !ok {
				return nil
			}
			return r.tokensForPolicy(ctx, p)
		}), builder.WithPredicates(notInitialList[client.Object]())).
		WatchesRawSource(source.Kind(mgr.GetCache(), newNamespaceMetadata(),
			handler.TypedEnqueueRequestsFromMapFunc(r.tokensForNamespace), labelsChanged())).
		// The echo of the controller's own Secret writes needs no reconcile.
		// A Secret of the initial lists maps to ApiTokens that their own
		// initial-list events queue already.
		Watches(&corev1.Secret{}, handler.EnqueueRequestsFromMapFunc(r.tokensForSecret),
			builder.WithPredicates(notInitialList[client.Object](), r.secretWrites.notEcho())).
		// Unmanaged Secrets (import sources, names taken): the metadata cache
		// holds only those; managed ones come through the typed watch above.
		WatchesRawSource(source.Kind(metaCache, newSecretMetadata(),
			handler.TypedEnqueueRequestsFromMapFunc(func(ctx context.Context, m *metav1.PartialObjectMetadata) []reconcile.Request {
				return r.tokensForSecret(ctx, m)
			}), notInitialList[*metav1.PartialObjectMetadata]())).
		WatchesRawSource(pass).
		WatchesRawSource(r.schedule).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles})
	if r.HoldersSynced != nil {
		b = b.WatchesRawSource(syncGate{what: "the read model", synced: r.HoldersSynced})
	}
	return b.Complete(r)
}

// tokensForSecret maps a Secret to the ApiTokens that write it or import
// from it: the one of its name (the default target), and those the index
// names (another target name, an import source).
func (r *ApiTokenReconciler) tokensForSecret(ctx context.Context, s client.Object) []reconcile.Request {
	var reqs []reconcile.Request
	same := client.ObjectKeyFromObject(s)
	if r.tokenExists(ctx, same) {
		reqs = append(reqs, reconcile.Request{NamespacedName: same})
	}
	var list authv1alpha1.ApiTokenList
	if err := r.Client.List(ctx, &list, client.InNamespace(s.GetNamespace()),
		client.MatchingFields{index.SecretRefsKey: s.GetName()}); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Failed to list ApiTokens for Secret", "secret", same)
		return reqs
	}
	for _, t := range list.Items {
		if key := client.ObjectKeyFromObject(&t); key != same {
			reqs = append(reqs, reconcile.Request{NamespacedName: key})
		}
	}
	return reqs
}

// tokenExists says whether the ApiToken key exists: Exists when set (an
// ApiToken the read model has not seen yet is queued by its own event),
// the cache otherwise.
func (r *ApiTokenReconciler) tokenExists(ctx context.Context, key client.ObjectKey) bool {
	if r.Exists != nil {
		return r.Exists(key.Namespace, key.Name)
	}
	err := r.Client.Get(ctx, key, &authv1alpha1.ApiToken{})
	if err != nil && !apierrors.IsNotFound(err) {
		ctrl.LoggerFrom(ctx).Error(err, "Failed to get the ApiToken of a Secret's name", "secret", key)
	}
	return err == nil
}

// runnableCache lets the manager start the metadata cache with its own
// caches, before the controllers, and wait for it to sync.
type runnableCache struct{ cache.Cache }

func (c runnableCache) GetCache() cache.Cache { return c.Cache }

func newSecretMetadata() *metav1.PartialObjectMetadata {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	return m
}

// unmanagedSecrets selects the Secrets without the managed-by label.
func unmanagedSecrets() labels.Selector {
	req, err := labels.NewRequirement(authv1alpha1.ManagedByLabel, selection.NotEquals, []string{authv1alpha1.ManagedByValue})
	if err != nil {
		panic(err) // a constant key and value: cannot fail
	}
	return labels.NewSelector().Add(*req)
}

// stripSecretMetadata keeps only what the controller looks at: the name, the
// resourceVersion (has an import source changed?) and the few marks that
// decide whether an unchanged source may go unread (policy.SourceMetadata).
func stripSecretMetadata(obj any) (any, error) {
	m, ok := obj.(*metav1.PartialObjectMetadata)
	if !ok {
		return obj, nil
	}
	m.ObjectMeta = policy.SourceMetadata(m.ObjectMeta)
	return m, nil
}
