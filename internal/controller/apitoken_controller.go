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
// skeleton (get, gather, decide, act, status, requeue) and the phases that
// do I/O live in their own files. What to do, what the Secret must hold and
// what status says are decided by the pure rules of package policy; the
// Secret's format is package tokensecret's.
package controller

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/controller/schedule"
	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokenpolicy"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
	"github.com/apitoken-io/apitoken-operator/internal/tombstone"
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
	// Marker signs the token state written into Secrets and checks it on
	// the ones read: a Secret without the operator's mark (or a controller
	// reference, or a status that names it) is never adopted.
	Marker *tokensecret.Marker
	// MaxConcurrentReconciles is how many ApiTokens are reconciled at once.
	MaxConcurrentReconciles int
	// Holders finds the ApiTokens, cluster-wide, whose status names a
	// digest (the read model's digest index: far smaller than a field index
	// of the cache).
	Holders func(tokensecret.Digest) []readmodel.Row
	// HoldersSynced says whether Holders has seen every ApiToken.
	HoldersSynced func() bool
	// Exists says whether an ApiToken of that namespace and name exists
	// (the read model's rows), for mapping a Secret's events to the
	// ApiToken of its name without a copy of it; nil reads the cache.
	Exists func(namespace, name string) bool

	// Claims counts each creator's claims refused as DuplicateToken; past
	// its budget their new fingerprints wait (policy.Input.ClaimsThrottled).
	// Nil: policy.DuplicateClaimLimit per policy.DuplicateClaimPeriod.
	Claims *guessing.Limiter
	// Tombstones remembers revoked fingerprints cluster-wide, past their
	// ApiToken's deletion; nil remembers none.
	Tombstones *tombstone.Store

	// secretMeta caches the metadata of every Secret, to see import sources
	// and unmanaged Secrets of a target name without caching their data.
	secretMeta cache.Cache
	// schedule is when each ApiToken is due again.
	schedule *schedule.Schedule
	// statusWrites and secretWrites are this process's own writes (see
	// ownWrites): the status a reconcile takes while the cache catches up,
	// and the Secret events that need no reconcile.
	statusWrites ownWrites[authv1alpha1.ApiTokenStatus]
	secretWrites ownWrites[struct{}]
	// policies evaluates ApiTokenPolicies, each version's selectors parsed
	// once.
	policies tokenpolicy.Evaluator
}

// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokens,verbs=get;list;watch
// +kubebuilder:rbac:groups=auth.apitoken.io,resources=apitokens/status,verbs=get;patch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;patch;delete
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile brings one ApiToken's Secret and status in line with its spec.
// There is no finalizer: under deletionPolicy Delete the Secret's owner
// reference lets the garbage collector delete it with the ApiToken.
func (r *ApiTokenReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	tok, err := r.getToken(ctx, req.NamespacedName)
	if err != nil || tok == nil {
		if tok == nil && err == nil {
			r.schedule.Forget(req)
		}
		return ctrl.Result{}, err
	}
	in, err := r.gather(ctx, tok)
	if err != nil {
		return ctrl.Result{}, err
	}
	decision := policy.Decide(in)
	verdict := r.policies.Evaluate(in.Policies, tok, in.NamespaceLabels, in.Now)
	if policy.RefusedClaim(&tok.Status, decision) {
		r.Claims.Failed(policy.Creator(tok))
	}
	outcome, err := r.act(ctx, in, decision)
	if err != nil {
		return ctrl.Result{}, err
	}
	if err := r.retire(ctx, in); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.revokeInactive(ctx, tok, verdict.Revoke); err != nil {
		return ctrl.Result{}, err
	}
	status := policy.Status(tok, outcome, in.Now)
	tokenpolicy.Record(&status, verdict, tok.Generation, in.Now)
	if err := r.writeStatus(ctx, tok, status); err != nil {
		return ctrl.Result{}, err
	}
	if err := r.tombstone(ctx, status); err != nil {
		return ctrl.Result{}, err
	}
	r.recordEvents(tok, outcome, status)
	r.recordPolicyEvents(tok, &status)
	// Due again at its expiry, renewal or the end of a grace period: the
	// controller's schedule, not RequeueAfter (the work queue's delayed
	// items cost 3.5 times as much per token: docs/design/).
	due := verdict.Next // an inactivity rule
	if d := policy.RequeueAfter(in, status); d > 0 && (due.IsZero() || in.Now.Add(d).Before(due)) {
		due = in.Now.Add(d)
	}
	if !due.IsZero() {
		r.schedule.Set(req, due)
	} else {
		r.schedule.Forget(req)
	}
	return ctrl.Result{}, nil
}

// tombstone remembers a revoked token's fingerprints cluster-wide, on every
// reconcile of it until they are written (the store skips the ones it has).
func (r *ApiTokenReconciler) tombstone(ctx context.Context, status authv1alpha1.ApiTokenStatus) error {
	if status.TokenStatus != authv1alpha1.TokenStatusRevoked || len(status.RevokedTokenHashes) == 0 {
		return nil
	}
	return r.Tombstones.Add(ctx, status.RevokedTokenHashes...)
}

// getToken returns the ApiToken to reconcile, with the status this process
// last wrote if the cache has not caught up yet; nil when it is gone or
// being deleted.
func (r *ApiTokenReconciler) getToken(ctx context.Context, key types.NamespacedName) (*authv1alpha1.ApiToken, error) {
	tok := &authv1alpha1.ApiToken{}
	if err := r.Client.Get(ctx, key, tok); err != nil {
		r.statusWrites.forget(key)
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading ApiToken %s: %w", key, err)
	}
	if !tok.DeletionTimestamp.IsZero() {
		return nil, nil
	}
	if status, after, ok := r.statusWrites.written(key, tok.ResourceVersion); ok {
		tok.Status, tok.ResourceVersion = *status.DeepCopy(), after
	}
	return tok, nil
}
