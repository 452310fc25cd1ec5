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
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// gather reads everything a decision needs (nothing for a hash-only
// token). A missing object is a nil field,
// not an error. Managed Secrets come from the cache; the API server is asked
// only for an unmanaged Secret that holds the target name and for an import
// source that policy.SourceUnchanged does not let go unread.
func (r *ApiTokenReconciler) gather(ctx context.Context, tok *authv1alpha1.ApiToken) (policy.Input, error) {
	in, err := r.gatherToken(ctx, tok)
	if err != nil {
		return in, err
	}
	in.Policies, in.NamespaceLabels, err = r.tokenPolicies(ctx, tok)
	return in, err
}

// gatherToken reads what the token's own rules decide with.
func (r *ApiTokenReconciler) gatherToken(ctx context.Context, tok *authv1alpha1.ApiToken) (policy.Input, error) {
	now := r.Clock.Now()
	if h := tok.Hashed(); h != nil {
		// A hash-only token has no Secret: its status is its whole record.
		in := policy.NewInput(tok, nil, r.Marker, now)
		if tok.Status.TokenHash != h.TokenHash {
			// Only a new fingerprint is a claim: the common reconcile of
			// a converged token asks nothing.
			in.ClaimsThrottled, _ = r.Claims.Throttled(policy.Creator(tok))
		}
		var err error
		if in.Tombstoned, err = r.tombstoned(tok, h.TokenHash); err != nil {
			return in, err
		}
		in.Holders, err = r.holders(tok, h.TokenHash)
		return in, err
	}
	target := types.NamespacedName{Namespace: tok.Namespace, Name: tok.SecretName()}
	secret, err := r.getSecret(ctx, target)
	if err != nil {
		return policy.Input{}, err
	}
	imp := tok.Import()
	if imp != nil && secret != nil && tokensecret.IsSealed(secret) {
		// An unchanged source's value is the target's, checked against the
		// import rule again: read the target from the API server (the cache
		// holds its digest only), before deciding whether the source is.
		if secret, err = r.getUncached(ctx, target); err != nil {
			return policy.Input{}, err
		}
	}
	in := policy.NewInput(tok, secret, r.Marker, now)
	if imp != nil {
		if err = r.gatherSource(ctx, &in, types.NamespacedName{Namespace: tok.Namespace, Name: imp.SecretRef.Name}); err != nil {
			return in, err
		}
		fp := importedFingerprint(in, imp)
		if in.Tombstoned, err = r.tombstoned(tok, fp); err != nil {
			return in, err
		}
		if in.Holders, err = r.holders(tok, fp); err != nil {
			return in, err
		}
	}
	in.Former, err = r.formerSecret(ctx, tok)
	return in, err
}

// tombstoned says whether fp, which tok is about to hold (its own ones
// aside), was revoked within the tombstones' retention; asking only for a
// new claim keeps the common reconcile free of the question.
func (r *ApiTokenReconciler) tombstoned(tok *authv1alpha1.ApiToken, fp string) (bool, error) {
	if fp == "" || policy.Holds(tok, fp) {
		return false, nil
	}
	return r.Tombstones.Has(fp)
}

// holders are the other ApiTokens, cluster-wide, whose status holds fp.
// Until the read model has seen every ApiToken, an absent holder proves
// nothing: the reconcile waits (an error, so it is retried).
func (r *ApiTokenReconciler) holders(tok *authv1alpha1.ApiToken, fp string) ([]policy.Holder, error) {
	d, ok := tokensecret.ParseDigest(fp)
	if !ok || r.Holders == nil {
		return nil, nil
	}
	if r.HoldersSynced != nil && !r.HoldersSynced() {
		return nil, errHoldersNotSynced
	}
	var out []policy.Holder
	for _, row := range r.Holders(d) {
		if row.UID == string(tok.UID) {
			continue
		}
		h := policy.Holder{UID: types.UID(row.UID)}
		if ms, set := readmodel.Value(row.Created); set {
			h.Since = time.UnixMilli(ms)
		}
		out = append(out, h)
	}
	return out, nil
}

var errHoldersNotSynced = errors.New("the read model has not seen every ApiToken yet: who else holds this fingerprint is not known")

// importedFingerprint is the fingerprint of the value an import is about to
// copy: the source's when it was read, else the value the Secret holds.
func importedFingerprint(in policy.Input, imp *authv1alpha1.ImportSource) string {
	if in.Source != nil {
		if v := tokensecret.DataValue(in.Source, imp.ImportKey()); !v.IsZero() {
			return v.Fingerprint()
		}
		return ""
	}
	return in.State.Hash
}

// formerSecret is the Secret that held tok's token before spec.secret.name
// changed (status.secretName still names it), when the operator wrote it
// for tok; nil otherwise.
func (r *ApiTokenReconciler) formerSecret(ctx context.Context, tok *authv1alpha1.ApiToken) (*corev1.Secret, error) {
	name := tok.Status.SecretName
	if name == "" || name == tok.SecretName() {
		return nil, nil
	}
	s, err := r.getCached(ctx, types.NamespacedName{Namespace: tok.Namespace, Name: name})
	if err != nil || s == nil || !tokensecret.Owned(tok, s, r.Marker) {
		return nil, err
	}
	return s, nil
}

// gatherSource reads the import source into in. A managed Secret is in the
// manager's cache whole: it is taken from there (the import rules refuse
// it). An unmanaged one is known by its metadata first, and read from the
// API server only when its value or its type may matter.
func (r *ApiTokenReconciler) gatherSource(ctx context.Context, in *policy.Input, key types.NamespacedName) error {
	m, err := r.getSecretMetadata(ctx, key)
	if err != nil {
		return err
	}
	var source *corev1.Secret
	if m == nil {
		source, err = r.getCached(ctx, key)
	} else {
		in.SourceVersion = m.ResourceVersion
		if policy.SourceUnchanged(in.State, m) {
			in.SourceUnchanged = true
			return nil
		}
		source, err = r.getUncached(ctx, key)
	}
	if source != nil {
		in.Source, in.SourceVersion = source, source.ResourceVersion
	}
	return err
}

// getSecret returns the Secret of that name, managed or not, or nil.
func (r *ApiTokenReconciler) getSecret(ctx context.Context, key types.NamespacedName) (*corev1.Secret, error) {
	secret, err := r.getCached(ctx, key)
	if err != nil || secret != nil {
		return secret, err
	}
	// The cache holds managed Secrets only: is there an unmanaged one?
	m, err := r.getSecretMetadata(ctx, key)
	if err != nil || m == nil {
		return nil, err
	}
	return r.getUncached(ctx, key)
}

// getCached returns a managed Secret from the manager's cache, or nil: a
// token Secret sealed (its values' digests).
func (r *ApiTokenReconciler) getCached(ctx context.Context, key types.NamespacedName) (*corev1.Secret, error) {
	return getOrNil(ctx, r.Client, key)
}

// getUncached reads a Secret the cache does not hold from the API server, or nil.
func (r *ApiTokenReconciler) getUncached(ctx context.Context, key types.NamespacedName) (*corev1.Secret, error) {
	return getOrNil(ctx, r.APIReader, key)
}

func getOrNil(ctx context.Context, c client.Reader, key types.NamespacedName) (*corev1.Secret, error) {
	s := &corev1.Secret{}
	if err := c.Get(ctx, key, s); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading Secret %s: %w", key, err)
	}
	return s, nil
}

// getSecretMetadata returns the metadata of an unmanaged Secret from the
// metadata cache, or nil.
func (r *ApiTokenReconciler) getSecretMetadata(ctx context.Context, key types.NamespacedName) (*metav1.PartialObjectMetadata, error) {
	m := newSecretMetadata()
	if err := r.secretMeta.Get(ctx, key, m); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading metadata of Secret %s: %w", key, err)
	}
	return m, nil
}
