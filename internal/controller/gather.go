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

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
)

// gather reads everything a decision needs. A missing object is a nil field,
// not an error. Managed Secrets come from the cache; the API server is asked
// only for an unmanaged Secret that holds the target name and for an import
// source whose resourceVersion changed since its value was copied.
func (r *ApiTokenReconciler) gather(ctx context.Context, tok *authv1alpha1.ApiToken) (policy.Input, error) {
	in := policy.Input{Token: tok, Now: r.Clock.Now()}

	target := types.NamespacedName{Namespace: tok.Namespace, Name: tok.SecretName()}
	secret, err := r.getSecret(ctx, target)
	if err != nil {
		return in, err
	}
	in.Secret = secret

	imp := tok.Import()
	if imp == nil {
		return in, nil
	}
	sourceKey := types.NamespacedName{Namespace: tok.Namespace, Name: imp.SecretRef.Name}
	sourceVersion, err := r.secretVersion(ctx, sourceKey)
	if err != nil || sourceVersion == "" {
		return in, err
	}
	in.SourceVersion = sourceVersion
	if secret != nil && policy.Owned(tok, secret) && policy.ReadSecret(tok, secret).Consistent() &&
		secret.Annotations[authv1alpha1.SourceVersionAnnotation] == sourceVersion {
		in.SourceUnchanged = true
		return in, nil
	}
	source := &corev1.Secret{}
	if err := r.APIReader.Get(ctx, sourceKey, source); err != nil {
		if apierrors.IsNotFound(err) {
			return in, nil
		}
		return in, fmt.Errorf("reading import source Secret %s: %w", sourceKey, err)
	}
	in.Source, in.SourceVersion = source, source.ResourceVersion
	return in, nil
}

// getSecret returns the Secret of that name, managed or not, or nil.
func (r *ApiTokenReconciler) getSecret(ctx context.Context, key types.NamespacedName) (*corev1.Secret, error) {
	secret := &corev1.Secret{}
	err := r.Client.Get(ctx, key, secret)
	if err == nil {
		return secret, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("reading Secret %s: %w", key, err)
	}
	// The cache holds managed Secrets only: is there an unmanaged one?
	m, err := r.getSecretMetadata(ctx, key)
	if err != nil || m == nil {
		return nil, err
	}
	if err := r.APIReader.Get(ctx, key, secret); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading Secret %s: %w", key, err)
	}
	return secret, nil
}

// secretVersion returns the resourceVersion of a Secret from the caches
// (unmanaged Secrets in the metadata cache, managed ones, which may be
// imported too, in the manager's), or "" when there is none.
func (r *ApiTokenReconciler) secretVersion(ctx context.Context, key types.NamespacedName) (string, error) {
	m, err := r.getSecretMetadata(ctx, key)
	if err != nil {
		return "", err
	}
	if m != nil {
		return m.ResourceVersion, nil
	}
	managed := &corev1.Secret{}
	if err := r.Client.Get(ctx, key, managed); err != nil {
		if apierrors.IsNotFound(err) {
			return "", nil
		}
		return "", fmt.Errorf("reading Secret %s: %w", key, err)
	}
	return managed.ResourceVersion, nil
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
