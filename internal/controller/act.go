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
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// act carries out the decision on the target Secret: one create or one
// patch, only when something differs, and says what it came to.
//
// A Secret is created only if absent (AlreadyExists: another writer was
// first; retry and adopt what it wrote) and patched only at the
// resourceVersion it was read at, so two writers can never both believe
// their token is the one in the Secret.
func (r *ApiTokenReconciler) act(ctx context.Context, in policy.Input, d policy.Decision) (policy.Outcome, error) {
	if !d.TouchesSecret(in) {
		if d.Action == policy.ActionAccept {
			metrics.Issued.WithLabelValues(strings.ToLower(d.Reason)).Inc()
		}
		return policy.Unchanged(in, d), nil
	}
	tok, cur := in.Token, in.Secret
	value := d.Value
	if d.Action == policy.ActionIssue {
		v, err := r.Generator.Generate(tok.Generate())
		if err != nil {
			return policy.Outcome{}, fmt.Errorf("generating a token: %w", err)
		}
		value = v
	}
	next := policy.NextState(in, d, value)
	if cur != nil && tokensecret.IsSealed(cur) && tokensecret.NeedsPlaintext(in.State, next) {
		// The cache holds digests only: read the values from the API
		// server and decide again on them.
		live, err := r.liveInput(ctx, in)
		if err != nil {
			return policy.Outcome{}, err
		}
		return r.act(ctx, live, policy.Decide(live))
	}
	desired := tokensecret.Apply(tok, cur, next, r.Marker)
	key := types.NamespacedName{Namespace: desired.Namespace, Name: desired.Name}
	log := logf.FromContext(ctx).WithValues("secret", key)

	var err error
	switch {
	case cur == nil:
		err = r.Client.Create(ctx, desired)
	case equality.Semantic.DeepEqual(cur, desired):
		return policy.Unchanged(in, d), nil
	default:
		err = r.Client.Patch(ctx, desired, client.MergeFromWithOptions(cur, client.MergeFromWithOptimisticLock{}))
	}
	switch {
	case err == nil:
		r.secretWrites.remember(client.ObjectKeyFromObject(desired), "", desired.ResourceVersion, struct{}{})
		if d.Writes() {
			metrics.Issued.WithLabelValues(strings.ToLower(d.Reason)).Inc()
		}
		if d.Writes() || d.Action == policy.ActionRevoke || d.WithdrawToken {
			log.Info("Wrote Secret", "action", d.Action, "reason", d.Reason, "revision", next.Revision)
		} else {
			log.V(1).Info("Restored Secret metadata")
		}
		return policy.Outcome{Decision: d, State: next}, nil
	case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err):
		// Retrying will not help until the spec changes (labels or
		// annotations the API server refuses): report it.
		return policy.Rejected(in, d, redact(err.Error(), value, in.State.Current, in.State.Previous)), nil
	default:
		return policy.Outcome{}, fmt.Errorf("writing Secret %s: %w", key, redactErr(err, value, in.State.Current, in.State.Previous))
	}
}

// liveInput is in with its target Secret read from the API server (values
// and all) instead of the cache; a Secret gone meanwhile is nil.
func (r *ApiTokenReconciler) liveInput(ctx context.Context, in policy.Input) (policy.Input, error) {
	s, err := r.getUncached(ctx, client.ObjectKeyFromObject(in.Secret))
	if err != nil {
		return in, err
	}
	return in.WithSecret(s, r.Marker), nil
}

// writeStatus patches the status, once, if it changed, with an optimistic
// lock: a status decided from a stale copy (a revocation the cache still
// shows while a regenerate has landed) must not overwrite the state of the
// newer spec. A conflict is returned, so that the ApiToken is reconciled
// again (with the queue's backoff) from its newer version: that version's
// own event may not come, as status-only changes (lastUsedDate) are not
// watched.
func (r *ApiTokenReconciler) writeStatus(ctx context.Context, tok *authv1alpha1.ApiToken, status authv1alpha1.ApiTokenStatus) error {
	key := types.NamespacedName{Namespace: tok.Namespace, Name: tok.Name}
	if equality.Semantic.DeepEqual(tok.Status, status) {
		return nil
	}
	patched := tok.DeepCopy()
	patched.Status = status
	if err := r.Client.Status().Patch(ctx, patched, client.MergeFromWithOptions(tok, client.MergeFromWithOptimisticLock{})); err != nil {
		if apierrors.IsConflict(err) {
			return fmt.Errorf("patching status of ApiToken %s: it changed since it was read, reconciling it again: %w", key, err)
		}
		return fmt.Errorf("patching status of ApiToken %s: %w", key, err)
	}
	r.statusWrites.remember(key, tok.ResourceVersion, patched.ResourceVersion, *status.DeepCopy())
	return nil
}

// redact removes token values from a message that came from elsewhere (an
// API error), in case it quotes one.
func redact(msg string, values ...token.Value) string {
	for _, v := range values {
		if !v.IsZero() && !v.Sealed() { // a sealed value holds nothing to quote
			msg = strings.ReplaceAll(msg, string(v.Reveal()), token.Redacted)
		}
	}
	return msg
}

// redactErr is err, or an error with its message redacted when it quotes
// one of the values.
func redactErr(err error, values ...token.Value) error {
	msg := redact(err.Error(), values...)
	if msg == err.Error() {
		return err
	}
	return fmt.Errorf("%s", msg)
}
