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

package signing

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Event reasons on the key Secret.
const (
	ReasonCreated   = "SigningKeysCreated"
	ReasonRecreated = "SigningKeysRecreated"
	ReasonReplaced  = "SigningKeysReplaced"
	ReasonRotated   = "SigningKeyAdded"
	ReasonDropped   = "SigningKeyDropped"
)

// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Keeper keeps the key Secret on the leader: it creates it when absent
// (again if deleted), adds each successor key Overlap before it signs and
// drops retired keys once their tokens have expired. It reads the Secret from
// the manager's cache and writes with optimistic concurrency.
type Keeper struct {
	Client client.Client
	// Cache is the cache of the key Secret alone (NewKeyCache): the keeper
	// reads and watches the Secret there.
	Cache           cache.Cache
	Namespace, Name string
	Policy          Policy
	Clock           clock.Clock
	Recorder        events.EventRecorder

	// seen is set once this process has seen the Secret, so that its
	// absence afterwards is a deletion.
	seen bool
}

// SetupWithManager runs the keeper as a controller of the key Secret (leader
// only), started once at start-up whether or not the Secret exists.
func (k *Keeper) SetupWithManager(mgr ctrl.Manager) error {
	key := types.NamespacedName{Namespace: k.Namespace, Name: k.Name}
	return ctrl.NewControllerManagedBy(mgr).
		Named("signingkeys").
		WatchesRawSource(source.Kind(k.Cache, &corev1.Secret{}, &handler.TypedEnqueueRequestForObject[*corev1.Secret]{},
			predicate.NewTypedPredicateFuncs(func(o *corev1.Secret) bool {
				return o.GetNamespace() == k.Namespace && o.GetName() == k.Name
			}))).
		WatchesRawSource(source.Func(func(_ context.Context, q workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
			q.Add(reconcile.Request{NamespacedName: key})
			return nil
		})).
		Complete(k)
}

// Reconcile gathers the stored set, decides with Decide, writes the result
// and comes back when the set next changes.
func (k *Keeper) Reconcile(ctx context.Context, _ ctrl.Request) (ctrl.Result, error) {
	now := k.Clock.Now()
	secret := &corev1.Secret{}
	err := k.Cache.Get(ctx, types.NamespacedName{Namespace: k.Namespace, Name: k.Name}, secret)
	switch {
	case apierrors.IsNotFound(err):
		return k.create(ctx, now)
	case err != nil:
		return ctrl.Result{}, err
	}
	k.seen = true
	stored, parseErr := Parse(secret.Data)
	plan, err := Decide(stored, now, k.Policy, k.newKey(now))
	if err != nil {
		return ctrl.Result{}, err
	}
	if parseErr == nil && !plan.Changed() {
		return k.after(plan, now), nil
	}
	data, err := plan.Keys.Data()
	if err != nil {
		return ctrl.Result{}, err
	}
	// A patch (the operator may patch Secrets, not update them), refused
	// if the Secret changed since it was read.
	base := client.MergeFromWithOptions(secret.DeepCopy(), client.MergeFromWithOptimisticLock{})
	secret.Data = data
	if err := k.Client.Patch(ctx, secret, base); err != nil {
		return ctrl.Result{}, fmt.Errorf("writing the signing key Secret: %w", err)
	}
	switch {
	case parseErr != nil:
		k.event(secret, corev1.EventTypeWarning, ReasonReplaced, "Replace",
			"%v; replaced with a new key set: access tokens signed by the old keys no longer verify", parseErr)
	default:
		if len(plan.Added) > 0 {
			k.event(secret, corev1.EventTypeNormal, ReasonRotated, "Rotate", "published signing key %s, which signs from %s",
				strings.Join(plan.Added, ", "), plan.Keys[len(plan.Keys)-1].SignFrom.Format(time.RFC3339))
		}
		if len(plan.Dropped) > 0 {
			k.event(secret, corev1.EventTypeNormal, ReasonDropped, "Rotate",
				"dropped retired signing key %s: every access token it signed has expired", strings.Join(plan.Dropped, ", "))
		}
	}
	return k.after(plan, now), nil
}

// create writes a new key Secret with one key that signs at once.
func (k *Keeper) create(ctx context.Context, now time.Time) (ctrl.Result, error) {
	plan, err := Decide(nil, now, k.Policy, k.newKey(now))
	if err != nil {
		return ctrl.Result{}, err
	}
	data, err := plan.Keys.Data()
	if err != nil {
		return ctrl.Result{}, err
	}
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: k.Namespace, Name: k.Name,
			// The label marks it the operator's (create refuses one without).
			Labels: map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue}},
		Type: corev1.SecretTypeOpaque,
		Data: data,
	}
	if err := k.Client.Create(ctx, secret); err != nil {
		if apierrors.IsAlreadyExists(err) {
			// Usually the cache has not seen it yet, and its watch event
			// brings the keeper back.
			return ctrl.Result{}, fmt.Errorf("the signing key Secret %s/%s exists but is not in this replica's cache yet, "+
				"or lacks the label %s=%s", k.Namespace, k.Name, authv1alpha1.ManagedByLabel, authv1alpha1.ManagedByValue)
		}
		return ctrl.Result{}, fmt.Errorf("creating the signing key Secret: %w", err)
	}
	if k.seen {
		k.event(secret, corev1.EventTypeWarning, ReasonRecreated, "Create",
			"the signing key Secret was deleted; created signing key %s: access tokens signed by the lost keys no longer verify", plan.Added[0])
	} else {
		k.event(secret, corev1.EventTypeNormal, ReasonCreated, "Create", "created signing key %s", plan.Added[0])
	}
	k.seen = true
	return k.after(plan, now), nil
}

func (k *Keeper) newKey(now time.Time) func(time.Time) (Key, error) {
	return func(signFrom time.Time) (Key, error) { return NewKey(now, signFrom) }
}

func (k *Keeper) after(plan Plan, now time.Time) ctrl.Result {
	return ctrl.Result{RequeueAfter: max(plan.Next.Sub(now), time.Second)}
}

func (k *Keeper) event(s *corev1.Secret, kind, reason, action, note string, args ...any) {
	if k.Recorder != nil {
		k.Recorder.Eventf(s, nil, kind, reason, action, note, args...)
	}
}
