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

// Package testutil builds test objects fluently, in the manner of Kueue's
// MakeX(...).Obj() wrappers, so that tests say only what matters to them.
package testutil

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// ApiTokenWrapper builds an ApiToken.
type ApiTokenWrapper struct{ authv1alpha1.ApiToken }

// MakeApiToken starts a generated User token for "alice".
func MakeApiToken(namespace, name string) *ApiTokenWrapper {
	return &ApiTokenWrapper{authv1alpha1.ApiToken{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, UID: types.UID("uid-" + name), Generation: 1},
		Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "alice"},
	}}
}

// Obj returns the ApiToken.
func (w *ApiTokenWrapper) Obj() *authv1alpha1.ApiToken { return w.DeepCopy() }

// TTL sets spec.ttl.
func (w *ApiTokenWrapper) TTL(d time.Duration) *ApiTokenWrapper {
	w.Spec.TTL = &metav1.Duration{Duration: d}
	return w
}

// Rotation sets spec.rotation; a zero duration leaves that field unset.
func (w *ApiTokenWrapper) Rotation(renewBefore, grace time.Duration) *ApiTokenWrapper {
	w.Spec.Rotation = &authv1alpha1.Rotation{}
	if renewBefore > 0 {
		w.Spec.Rotation.RenewBefore = &metav1.Duration{Duration: renewBefore}
	}
	if grace > 0 {
		w.Spec.Rotation.GracePeriod = &metav1.Duration{Duration: grace}
	}
	return w
}

// Generate sets spec.source.generate.
func (w *ApiTokenWrapper) Generate(length int32, charset authv1alpha1.Charset, prefix string) *ApiTokenWrapper {
	w.Spec.Source = &authv1alpha1.TokenSource{Generate: &authv1alpha1.GenerateSource{Length: length, Charset: charset, Prefix: prefix}}
	return w
}

// Import sets spec.source.import.
func (w *ApiTokenWrapper) Import(secret, key, pattern string) *ApiTokenWrapper {
	w.Spec.Source = &authv1alpha1.TokenSource{Import: &authv1alpha1.ImportSource{
		SecretRef: authv1alpha1.SecretKeyRef{Name: secret, Key: key}, Pattern: pattern}}
	return w
}

// Hashed makes the token hash-only, with the fingerprint of value.
func (w *ApiTokenWrapper) Hashed(value string) *ApiTokenWrapper {
	v := token.NewValue([]byte(value))
	w.Spec.Source = &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: v.Fingerprint(), TokenLastChars: v.LastChars(5)}}
	return w
}

// Scopes sets spec.scopes.
func (w *ApiTokenWrapper) Scopes(scopes ...string) *ApiTokenWrapper {
	w.Spec.Scopes = scopes
	return w
}

// AccessToken sets spec.accessToken: ttl (0 leaves the default) and the
// audience allowlist.
func (w *ApiTokenWrapper) AccessToken(ttl time.Duration, audiences ...string) *ApiTokenWrapper {
	w.Spec.AccessToken = &authv1alpha1.AccessTokenSpec{Audiences: audiences}
	if ttl > 0 {
		w.Spec.AccessToken.TTL = &metav1.Duration{Duration: ttl}
	}
	return w
}

// SecretName sets spec.secret.name.
func (w *ApiTokenWrapper) SecretName(name string) *ApiTokenWrapper {
	w.Spec.Secret.Name = name
	return w
}

// SecretLabel adds a label to spec.secret.labels.
func (w *ApiTokenWrapper) SecretLabel(k, v string) *ApiTokenWrapper {
	if w.Spec.Secret.Labels == nil {
		w.Spec.Secret.Labels = map[string]string{}
	}
	w.Spec.Secret.Labels[k] = v
	return w
}

// Revoked sets spec.revoked.
func (w *ApiTokenWrapper) Revoked(v bool) *ApiTokenWrapper {
	w.Spec.Revoked = v
	return w
}

// DeletionPolicy sets spec.deletionPolicy.
func (w *ApiTokenWrapper) DeletionPolicy(p authv1alpha1.DeletionPolicy) *ApiTokenWrapper {
	w.Spec.DeletionPolicy = p
	return w
}

// Annotation sets an annotation on the ApiToken.
func (w *ApiTokenWrapper) Annotation(k, v string) *ApiTokenWrapper {
	if w.Annotations == nil {
		w.Annotations = map[string]string{}
	}
	w.Annotations[k] = v
	return w
}

// UID sets metadata.uid.
func (w *ApiTokenWrapper) UID(uid string) *ApiTokenWrapper {
	w.ObjectMeta.UID = types.UID(uid)
	return w
}

// Revision sets status.revision.
func (w *ApiTokenWrapper) Revision(r int64) *ApiTokenWrapper {
	w.Status.Revision = r
	return w
}

// SecretWrapper builds a Secret.
type SecretWrapper struct{ corev1.Secret }

// MakeSecret starts an Opaque Secret.
func MakeSecret(namespace, name string) *SecretWrapper {
	return &SecretWrapper{corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Type:       corev1.SecretTypeOpaque,
	}}
}

// Obj returns the Secret.
func (w *SecretWrapper) Obj() *corev1.Secret { return w.DeepCopy() }

// Data sets one data key.
func (w *SecretWrapper) Data(k, v string) *SecretWrapper {
	if w.Secret.Data == nil {
		w.Secret.Data = map[string][]byte{}
	}
	w.Secret.Data[k] = []byte(v)
	return w
}

// Label sets one label.
func (w *SecretWrapper) Label(k, v string) *SecretWrapper {
	if w.Labels == nil {
		w.Labels = map[string]string{}
	}
	w.Labels[k] = v
	return w
}

// Annotation sets one annotation.
func (w *SecretWrapper) Annotation(k, v string) *SecretWrapper {
	if w.Annotations == nil {
		w.Annotations = map[string]string{}
	}
	w.Annotations[k] = v
	return w
}

// ControlledBy adds a controller owner reference to the ApiToken.
func (w *SecretWrapper) ControlledBy(tok *authv1alpha1.ApiToken) *SecretWrapper {
	yes := true
	w.OwnerReferences = append(w.OwnerReferences, metav1.OwnerReference{
		APIVersion: authv1alpha1.GroupVersion.String(), Kind: "ApiToken", Name: tok.Name, UID: tok.UID, Controller: &yes, BlockOwnerDeletion: &yes,
	})
	return w
}
