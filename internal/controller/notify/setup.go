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
	"sigs.k8s.io/controller-runtime/pkg/source"

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
	r.changes = make(chan event.GenericEvent, ChangesBuffer)
	return ctrl.NewControllerManagedBy(mgr).Named("apitokenwebhook").
		For(&authv1alpha1.ApiTokenWebhook{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		// The ApiToken changes come from the read model's listener
		// (TokenChanged), not a watch of their own: see readmodel.OnChange.
		WatchesRawSource(source.Channel(r.changes, handler.EnqueueRequestsFromMapFunc(r.webhooksOf))).
		WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrentReconciles}).
		Complete(r)
}

// ChangesBuffer is how many token changes wait for the controller; past
// it (a burst, or a replica that is not the leader and runs no
// controller) a change is dropped, and the webhook learns it at its next
// reconcile (at most Resync later).
const ChangesBuffer = 1024

// TokenChanged is told of every ApiToken change by the read model
// (readmodel.ChangeFunc): a change facts are read from enqueues the
// webhooks of the token's namespace. It never blocks.
func (r *Reconciler) TokenChanged(old, tok *authv1alpha1.ApiToken, initialList bool) {
	// Not the initial list: every webhook is reconciled once at start.
	if initialList || tok == nil || r.changes == nil || (old != nil && !factsChanged(old, tok)) {
		return
	}
	select {
	case r.changes <- event.GenericEvent{Object: tok}:
	default:
	}
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

// factsChanged says whether a token changed in what facts are read from:
// labels, revocation, revision, dates, conditions, violations and the
// records (not lastUsedDate, written as it is used).
func factsChanged(a, b *authv1alpha1.ApiToken) bool {
	return a.Spec.Revoked != b.Spec.Revoked ||
		!equality.Semantic.DeepEqual(a.Labels, b.Labels) ||
		a.Status.Revision != b.Status.Revision ||
		!equality.Semantic.DeepEqual(a.Status.ExpirationDate, b.Status.ExpirationDate) ||
		!equality.Semantic.DeepEqual(a.Status.CreationDate, b.Status.CreationDate) ||
		!equality.Semantic.DeepEqual(a.Status.Conditions, b.Status.Conditions) ||
		!equality.Semantic.DeepEqual(a.Status.Policy, b.Status.Policy) ||
		!equality.Semantic.DeepEqual(a.Status.Notifications, b.Status.Notifications)
}
