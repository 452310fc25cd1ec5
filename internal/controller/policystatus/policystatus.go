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

// Package policystatus keeps each ApiTokenPolicy's status: how many
// ApiTokens it governs and how many of them break one of its rules (as the
// ApiToken controller recorded them), and Ready. It counts from the cache
// when a policy changes and then every RecountInterval, rather than on
// every ApiToken change: a count is a walk of every token.
package policystatus

import (
	"context"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/source"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokenpolicy"
)

// RecountInterval is how stale a policy's counts may be.
const RecountInterval = 30 * time.Second

// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokenpolicies/status,verbs=get;patch

// Reconciler writes ApiTokenPolicy status (leader only).
type Reconciler struct {
	Client client.Client
	Clock  clock.PassiveClock

	changes chan event.GenericEvent
}

// SetupWithManager watches ApiTokenPolicies' specs, and takes the token
// changes TokenChanged passes on.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Clock == nil {
		r.Clock = clock.RealClock{}
	}
	r.changes = make(chan event.GenericEvent, changesBuffer)
	return ctrl.NewControllerManagedBy(mgr).Named("apitokenpolicy").
		For(&authv1alpha1.ApiTokenPolicy{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		// Token changes come from the read model's listener, not a watch
		// of their own (see readmodel.OnChange).
		WatchesRawSource(source.Channel(r.changes, &handler.EnqueueRequestForObject{})).
		Complete(r)
}

// changesBuffer is how many policies to count again wait for the
// controller; past it a change is dropped, and counted at the next
// recount (RecountInterval).
const changesBuffer = 1024

// TokenChanged is told of every ApiToken change by the read model
// (readmodel.ChangeFunc): a token whose violations changed, or that came or
// went with some, has the policies it names (before and after) counted
// again at once. It never blocks.
func (r *Reconciler) TokenChanged(old, tok *authv1alpha1.ApiToken, initialList bool) {
	if initialList || r.changes == nil {
		return // every policy is counted at start
	}
	var before, after []authv1alpha1.PolicyViolation
	if old != nil {
		before = old.Status.PolicyViolations()
	}
	if tok != nil {
		after = tok.Status.PolicyViolations()
	}
	if equality.Semantic.DeepEqual(before, after) {
		return
	}
	var named []string
	for _, v := range append(before, after...) {
		if slices.Contains(named, v.Policy) {
			continue
		}
		named = append(named, v.Policy)
		select {
		case r.changes <- event.GenericEvent{Object: &authv1alpha1.ApiTokenPolicy{ObjectMeta: metav1.ObjectMeta{Name: v.Policy}}}:
		default:
		}
	}
}

// Reconcile counts what the policy governs and records it.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	p := &authv1alpha1.ApiTokenPolicy{}
	if err := r.Client.Get(ctx, req.NamespacedName, p); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	status := *p.Status.DeepCopy()
	status.ObservedGeneration = p.Generation
	ready := metav1.Condition{Type: authv1alpha1.ConditionReady, Status: metav1.ConditionTrue, Reason: "Applied", ObservedGeneration: p.Generation}
	sel, err := tokenpolicy.NewSelector(p)
	if err != nil {
		ready.Status, ready.Reason, ready.Message = metav1.ConditionFalse, "InvalidSelector", err.Error()+": the policy governs no token"
		status.Governed, status.Violating = 0, 0
	} else {
		if status.Governed, status.Violating, err = r.count(ctx, p.Name, sel); err != nil {
			return ctrl.Result{}, err
		}
		ready.Message = fmt.Sprintf("governs %d ApiTokens, %d of them break a rule (counted every %s)", status.Governed, status.Violating, RecountInterval)
	}
	meta.SetStatusCondition(&status.Conditions, ready)
	if !equality.Semantic.DeepEqual(p.Status, status) {
		patched := p.DeepCopy()
		patched.Status = status
		if err := r.Client.Status().Patch(ctx, patched, client.MergeFrom(p)); err != nil {
			return ctrl.Result{}, fmt.Errorf("writing the status of ApiTokenPolicy %s: %w", p.Name, err)
		}
	}
	return ctrl.Result{RequeueAfter: RecountInterval}, nil
}

// count walks the cached ApiTokens: those sel governs, and of them those
// whose status names a violation of the policy.
func (r *Reconciler) count(ctx context.Context, policy string, sel tokenpolicy.Selector) (governed, violating int32, err error) {
	var tokens authv1alpha1.ApiTokenList
	if err := r.Client.List(ctx, &tokens, client.UnsafeDisableDeepCopy); err != nil {
		return 0, 0, fmt.Errorf("listing ApiTokens: %w", err)
	}
	labelsOf := func(name string) map[string]string {
		ns := &metav1.PartialObjectMetadata{}
		ns.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
		if err := r.Client.Get(ctx, types.NamespacedName{Name: name}, ns); err != nil {
			return nil
		}
		return ns.Labels
	}
	sel.Walk(tokens.Items, labelsOf, func(tok *authv1alpha1.ApiToken, selected bool) {
		if !selected {
			return
		}
		governed++
		if slices.ContainsFunc(tok.Status.PolicyViolations(), func(v authv1alpha1.PolicyViolation) bool { return v.Policy == policy }) {
			violating++
		}
	})
	return governed, violating, nil
}
