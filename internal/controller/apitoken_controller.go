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

// Package controller holds the ApiToken reconciler: Reconcile is a short
// skeleton (get, gather, decide, act, status), the I/O phases live in their
// own files, and the Secret and status are computed by pure functions.
package controller

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// ApiTokenReconciler issues, imports, rotates, expires and revokes the token
// of each ApiToken.
type ApiTokenReconciler struct {
	// Client reads from the manager's cache (ApiTokens, managed Secrets) and writes.
	Client client.Client
	// APIReader reads what the cache does not hold: import sources and
	// Secrets of a target name that the operator does not manage.
	APIReader client.Reader
	Clock     clock.PassiveClock
	Recorder  recorder.EventRecorder
	Generator token.Generator
	// MaxConcurrentReconciles is how many ApiTokens are reconciled at once.
	MaxConcurrentReconciles int

	// secretMeta caches the metadata of every Secret, to see import sources
	// and unmanaged Secrets of a target name without caching their data.
	secretMeta cache.Cache
	memo       statusMemo
}

// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokens,verbs=get;list;watch
// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokens/status,verbs=get;patch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile brings one ApiToken's Secret and status in line with its spec.
// There is no finalizer: under deletionPolicy Delete the Secret's owner
// reference lets the garbage collector delete it with the ApiToken.
func (r *ApiTokenReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	tok := &authv1alpha1.ApiToken{}
	if err := r.Client.Get(ctx, req.NamespacedName, tok); err != nil {
		r.memo.forget(req.NamespacedName)
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !tok.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, nil
	}
	r.memo.catchUp(tok)

	in, err := r.gather(ctx, tok)
	if err != nil {
		return ctrl.Result{}, err
	}
	decision := policy.Decide(in)
	secret, decision, err := r.writeSecret(ctx, in, decision)
	if err != nil {
		return ctrl.Result{}, err
	}
	status := computeStatus(tok, secret, decision, in.Now)
	if err := r.writeStatus(ctx, tok, status); err != nil {
		return ctrl.Result{}, err
	}
	r.recordEvents(tok, decision, status)
	return ctrl.Result{RequeueAfter: requeueAfter(tok, secret, in.Now)}, nil
}

// requeueAfter is the time until the next thing that happens by the clock:
// expiry, renewal, or the end of a grace period. Zero when there is none.
func requeueAfter(tok *authv1alpha1.ApiToken, secret *corev1.Secret, now time.Time) time.Duration {
	if tok.Spec.Revoked {
		return 0
	}
	st := policy.ReadSecret(tok, secret)
	sched := policy.ScheduleFor(tok, st.IssuedAt)
	d, _ := policy.NextDeadline(now, sched.Expiry, sched.Renewal, st.PreviousExpiresAt)
	return d
}
