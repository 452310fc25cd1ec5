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

package notify

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// DefaultMaxConcurrentReconciles is how many webhooks deliver at once
// when MaxConcurrentReconciles is unset.
const DefaultMaxConcurrentReconciles = 8

// SetupWithManager watches ApiTokenWebhooks' specs and the ApiToken
// changes that make a fact due or settle one.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Clock == nil {
		r.Clock = clock.RealClock{}
	}
	if r.MaxConcurrentReconciles <= 0 {
		r.MaxConcurrentReconciles = DefaultMaxConcurrentReconciles
	}
	// The namespace index every informer of controller-runtime's cache
	// has; a cache of another kind is read with List.
	inf, err := mgr.GetCache().GetInformer(context.Background(), &authv1alpha1.ApiToken{})
	if err != nil {
		return fmt.Errorf("getting the ApiToken informer: %w", err)
	}
	if sii, ok := inf.(toolscache.SharedIndexInformer); ok {
		r.index = sii.GetIndexer()
	}
	return ctrl.NewControllerManagedBy(mgr).Named("apitokenwebhook").
		For(&authv1alpha1.ApiTokenWebhook{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&authv1alpha1.ApiToken{}, handler.EnqueueRequestsFromMapFunc(r.webhooksOf), builder.WithPredicates(factsChanged())).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles}).
		Complete(r)
}

// webhooksOf are the webhooks of a token's namespace.
func (r *Reconciler) webhooksOf(ctx context.Context, o client.Object) []reconcile.Request {
	var list authv1alpha1.ApiTokenWebhookList
	if err := r.Client.List(ctx, &list, client.InNamespace(o.GetNamespace()), client.UnsafeDisableDeepCopy); err != nil {
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(list.Items))
	for i := range list.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: types.NamespacedName{Namespace: list.Items[i].Namespace, Name: list.Items[i].Name}})
	}
	return reqs
}

// factsChanged passes a token that came, went, or changed in what facts
// are read from: labels, revocation, revision, dates, conditions,
// violations and the records (not lastUsedDate, written as it is used).
func factsChanged() predicate.Funcs {
	return predicate.Funcs{
		CreateFunc: func(event.CreateEvent) bool { return true },
		DeleteFunc: func(event.DeleteEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			a, okA := e.ObjectOld.(*authv1alpha1.ApiToken)
			b, okB := e.ObjectNew.(*authv1alpha1.ApiToken)
			if !okA || !okB {
				return false
			}
			return a.Spec.Revoked != b.Spec.Revoked ||
				!equality.Semantic.DeepEqual(a.Labels, b.Labels) ||
				a.Status.Revision != b.Status.Revision ||
				!equality.Semantic.DeepEqual(a.Status.ExpirationDate, b.Status.ExpirationDate) ||
				!equality.Semantic.DeepEqual(a.Status.CreationDate, b.Status.CreationDate) ||
				!equality.Semantic.DeepEqual(a.Status.Conditions, b.Status.Conditions) ||
				!equality.Semantic.DeepEqual(a.Status.Policy, b.Status.Policy) ||
				!equality.Semantic.DeepEqual(a.Status.Notifications, b.Status.Notifications)
		},
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}
