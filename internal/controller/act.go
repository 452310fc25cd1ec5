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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// writeSecret carries out the decision on the target Secret: one create or
// one patch, only when something differs. It returns the Secret as it now is
// (nil when there is none the ApiToken owns) and the decision, turned into a
// failure when the API server rejects the Secret.
//
// A Secret is created only if absent (AlreadyExists: another writer was
// first; retry and adopt what it wrote) and patched only at the
// resourceVersion it was read at, so two writers can never both believe
// their token is the one in the Secret.
func (r *ApiTokenReconciler) writeSecret(ctx context.Context, in policy.Input, d policy.Decision) (*corev1.Secret, policy.Decision, error) {
	tok, cur := in.Token, in.Secret
	if cur != nil && !policy.Owned(tok, cur) {
		return nil, d, nil
	}
	if d.Action == policy.ActionFail || (cur == nil && !d.Writes()) {
		return cur, d, nil
	}

	value := d.Value
	if d.Action == policy.ActionIssue {
		v, err := r.Generator.Generate(tok.Generate())
		if err != nil {
			return nil, d, fmt.Errorf("generating a token: %w", err)
		}
		value = v
	}
	desired := desiredSecret(tok, cur, d, value, in.SourceVersion, in.Now)
	key := types.NamespacedName{Namespace: desired.Namespace, Name: desired.Name}
	log := logf.FromContext(ctx).WithValues("secret", key)

	var err error
	switch {
	case cur == nil:
		err = r.Client.Create(ctx, desired)
	case equality.Semantic.DeepEqual(cur, desired):
		return cur, d, nil
	default:
		err = r.Client.Patch(ctx, desired, client.MergeFromWithOptions(cur, client.MergeFromWithOptimisticLock{}))
	}
	switch {
	case err == nil:
		if d.Writes() {
			metrics.Issued.WithLabelValues(strings.ToLower(d.Reason)).Inc()
		}
		if d.Writes() || d.Action == policy.ActionRevoke {
			log.Info("Wrote Secret", "action", d.Action, "reason", d.Reason, "revision", desired.Annotations[authv1alpha1.RevisionAnnotation])
		} else {
			log.V(1).Info("Restored Secret metadata")
		}
		return desired, d, nil
	case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err):
		// Retrying will not help until the spec changes (labels or
		// annotations the API server refuses): report it.
		msg := fmt.Sprintf("the API server rejected Secret %q: %s; fix spec.secret", key.Name, redact(err.Error(), value, policy.ReadSecret(tok, cur).Current))
		return cur, policy.Decision{Action: policy.ActionFail, Reason: authv1alpha1.ReasonSecretRejected, Message: msg}, nil
	default:
		return nil, d, fmt.Errorf("writing Secret %s: %w", key, redactErr(err, value))
	}
}

// writeStatus patches the status, once, if it changed.
func (r *ApiTokenReconciler) writeStatus(ctx context.Context, tok *authv1alpha1.ApiToken, status authv1alpha1.ApiTokenStatus) error {
	key := types.NamespacedName{Namespace: tok.Namespace, Name: tok.Name}
	if equality.Semantic.DeepEqual(tok.Status, status) {
		return nil
	}
	patched := tok.DeepCopy()
	patched.Status = status
	if err := r.Client.Status().Patch(ctx, patched, client.MergeFrom(tok)); err != nil {
		return fmt.Errorf("patching status of ApiToken %s: %w", key, err)
	}
	r.memo.remember(key, tok.ResourceVersion, status)
	return nil
}

// redact removes token values from a message that came from elsewhere (an
// API error), in case it quotes one.
func redact(msg string, values ...token.Value) string {
	for _, v := range values {
		if !v.IsZero() {
			msg = strings.ReplaceAll(msg, string(v.Reveal()), token.Redacted)
		}
	}
	return msg
}

func redactErr(err error, v token.Value) error {
	if v.IsZero() || !strings.Contains(err.Error(), string(v.Reveal())) {
		return err
	}
	return fmt.Errorf("%s", redact(err.Error(), v))
}
