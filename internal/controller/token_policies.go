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
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokenpolicy"
)

// What the controller does with ApiTokenPolicies: it reads them (and the
// namespace's labels, when a policy selects namespaces) in gather, marks
// the token with tokenpolicy's verdict in its status (PolicyCompliant,
// policy.violations; the read model stops a Deny violation verifying),
// revokes a token a Deny policy's inactivity.revokeAfter has passed, and
// reconciles the tokens a policy or a namespace's labels change governs.
// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokenpolicies,verbs=get;list;watch
// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokens,verbs=patch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch

// tokenPolicies returns the ApiTokenPolicies (the cache's objects: read
// only) and, when one of them selects namespaces, the labels of tok's
// namespace.
func (r *ApiTokenReconciler) tokenPolicies(ctx context.Context, tok *authv1alpha1.ApiToken) ([]authv1alpha1.ApiTokenPolicy, map[string]string, error) {
	var list authv1alpha1.ApiTokenPolicyList
	if err := r.Client.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return nil, nil, fmt.Errorf("listing ApiTokenPolicies: %w", err)
	}
	if !slices.ContainsFunc(list.Items, func(p authv1alpha1.ApiTokenPolicy) bool { return p.Spec.NamespaceSelector != nil }) {
		return list.Items, nil, nil
	}
	ns := newNamespaceMetadata()
	if err := r.Client.Get(ctx, types.NamespacedName{Name: tok.Namespace}, ns); err != nil {
		return nil, nil, fmt.Errorf("reading the labels of namespace %s: %w", tok.Namespace, err)
	}
	return list.Items, ns.Labels, nil
}

// namespaceLabels reads a namespace's labels from the cache; none when it
// cannot.
func (r *ApiTokenReconciler) namespaceLabels(ctx context.Context) func(string) map[string]string {
	return func(name string) map[string]string {
		ns := newNamespaceMetadata()
		if err := r.Client.Get(ctx, types.NamespacedName{Name: name}, ns); err != nil {
			return nil
		}
		return ns.Labels
	}
}

// revokeInactive sets spec.revoked on tok, as an administrator would:
// visible, and reversible by setting it back. The next reconcile records
// the revocation.
func (r *ApiTokenReconciler) revokeInactive(ctx context.Context, tok *authv1alpha1.ApiToken, v *tokenpolicy.Violation) error {
	if v == nil {
		return nil
	}
	patched := tok.DeepCopy()
	patched.Spec.Revoked = true
	if err := r.Client.Patch(ctx, patched, client.MergeFromWithOptions(tok, client.MergeFromWithOptimisticLock{})); err != nil {
		return fmt.Errorf("revoking inactive ApiToken %s/%s: %w", tok.Namespace, tok.Name, err)
	}
	if r.Recorder != nil {
		r.Recorder.Eventf(tok, nil, corev1.EventTypeWarning, authv1alpha1.EventRevokedInactive, "Revoke", "Revoked by %s", v)
	}
	tok.Spec.Revoked, tok.ResourceVersion, tok.Generation = true, patched.ResourceVersion, patched.Generation
	return nil
}

// recordPolicyEvents records a change of the token's compliance: a
// Warning naming each new violation, a Normal event when it complies again.
func (r *ApiTokenReconciler) recordPolicyEvents(tok *authv1alpha1.ApiToken, status *authv1alpha1.ApiTokenStatus) {
	if r.Recorder == nil {
		return
	}
	for _, v := range status.PolicyViolations() {
		if !slices.Contains(tok.Status.PolicyViolations(), v) {
			r.Recorder.Eventf(tok, nil, corev1.EventTypeWarning, v.Rule, "Evaluate", "ApiTokenPolicy %s: %s", v.Policy, v.Message)
		}
	}
	if len(status.PolicyViolations()) == 0 && len(tok.Status.PolicyViolations()) > 0 {
		r.Recorder.Eventf(tok, nil, corev1.EventTypeNormal, authv1alpha1.ReasonCompliant, "Evaluate", "the token keeps the rules of every ApiTokenPolicy again")
	}
}

// tokensForPolicy maps a change of an ApiTokenPolicy to the ApiTokens it
// governs (controller-runtime calls it with the old and the new policy).
func (r *ApiTokenReconciler) tokensForPolicy(ctx context.Context, p *authv1alpha1.ApiTokenPolicy) []reconcile.Request {
	var tokens authv1alpha1.ApiTokenList
	if err := r.Client.List(ctx, &tokens, client.UnsafeDisableDeepCopy); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Failed to list the ApiTokens of an ApiTokenPolicy", "policy", p.Name)
		return nil
	}
	sel, err := tokenpolicy.NewSelector(p)
	if err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Failed to read the selectors of an ApiTokenPolicy", "policy", p.Name)
	}
	var reqs []reconcile.Request
	sel.Walk(tokens.Items, r.namespaceLabels(ctx), func(tok *authv1alpha1.ApiToken, governed bool) {
		// A token it marked before is reconciled too, to lose the mark.
		if (err == nil && governed) || len(tok.Status.PolicyViolations()) > 0 {
			reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(tok)})
		}
	})
	return reqs
}

// tokensForNamespace maps a change of a namespace's labels to its
// ApiTokens, when some policy selects namespaces.
func (r *ApiTokenReconciler) tokensForNamespace(ctx context.Context, ns *metav1.PartialObjectMetadata) []reconcile.Request {
	var policies authv1alpha1.ApiTokenPolicyList
	if err := r.Client.List(ctx, &policies, client.UnsafeDisableDeepCopy); err != nil ||
		!slices.ContainsFunc(policies.Items, func(p authv1alpha1.ApiTokenPolicy) bool { return p.Spec.NamespaceSelector != nil }) {
		return nil
	}
	var tokens authv1alpha1.ApiTokenList
	if err := r.Client.List(ctx, &tokens, client.InNamespace(ns.Name), client.UnsafeDisableDeepCopy); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Failed to list the ApiTokens of a namespace", "namespace", ns.Name)
		return nil
	}
	reqs := make([]reconcile.Request, 0, len(tokens.Items))
	for i := range tokens.Items {
		reqs = append(reqs, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&tokens.Items[i])})
	}
	return reqs
}

// usedWhileIdle passes a status update that records a use of a token
// marked Unused or Inactive: the use resets the inactivity clock, and the
// mark goes at once rather than at the next deadline.
func usedWhileIdle() predicate.Funcs {
	return predicate.Funcs{
		UpdateFunc: func(e event.UpdateEvent) bool {
			oldTok, ok1 := e.ObjectOld.(*authv1alpha1.ApiToken)
			newTok, ok2 := e.ObjectNew.(*authv1alpha1.ApiToken)
			if !ok1 || !ok2 || !idle(oldTok.Status.PolicyViolations()) {
				return false
			}
			before, after := oldTok.Status.LastUsedDate, newTok.Status.LastUsedDate
			return after != nil && (before == nil || after.After(before.Time))
		},
		CreateFunc: func(event.CreateEvent) bool { return false }, DeleteFunc: func(event.DeleteEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
	}
}

func idle(vs []authv1alpha1.PolicyViolation) bool {
	return slices.ContainsFunc(vs, func(v authv1alpha1.PolicyViolation) bool {
		return v.Rule == string(tokenpolicy.Unused) || v.Rule == string(tokenpolicy.Inactive)
	})
}

// labelsChanged passes a namespace whose labels changed.
func labelsChanged() predicate.TypedFuncs[*metav1.PartialObjectMetadata] {
	return predicate.TypedFuncs[*metav1.PartialObjectMetadata]{
		UpdateFunc: func(e event.TypedUpdateEvent[*metav1.PartialObjectMetadata]) bool {
			return !maps.Equal(e.ObjectOld.Labels, e.ObjectNew.Labels)
		},
		CreateFunc:  func(event.TypedCreateEvent[*metav1.PartialObjectMetadata]) bool { return false },
		DeleteFunc:  func(event.TypedDeleteEvent[*metav1.PartialObjectMetadata]) bool { return false },
		GenericFunc: func(event.TypedGenericEvent[*metav1.PartialObjectMetadata]) bool { return false },
	}
}

func newNamespaceMetadata() *metav1.PartialObjectMetadata {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Namespace"))
	return m
}
