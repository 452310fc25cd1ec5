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

package tokensecret

import (
	"maps"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// stateAnnotations are the annotations only the token state decides.
var stateAnnotations = []string{
	authv1alpha1.TokenHashAnnotation, authv1alpha1.IssuedAtAnnotation, authv1alpha1.RevisionAnnotation,
	authv1alpha1.PreviousExpiresAtAnnotation, authv1alpha1.RotateHandledAnnotation,
	authv1alpha1.SourceVersionAnnotation, authv1alpha1.RevokedAtAnnotation, authv1alpha1.MarkAnnotation,
}

// Apply returns cur (tok's Secret, or nil when there is none yet) holding
// want: the managed label, the owner annotation and the owner reference
// restored, spec.secret's labels and annotations added, and each part of
// the token state that differs from what cur holds written, or removed when
// want has none. A part that does not differ is left as it is, to the
// letter, so Apply(tok, s, Read(tok, s)) changes nothing but the operator's
// marks and causes no write; and Read(tok, Apply(tok, s, want)) is want when
// its times are whole seconds. m signs the state (the mark annotation).
// Apply does not modify cur.
func Apply(tok *authv1alpha1.ApiToken, cur *corev1.Secret, want State, m *Marker) *corev1.Secret {
	var s *corev1.Secret
	if cur != nil {
		s = cur.DeepCopy()
	} else {
		s = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: tok.SecretName(), Namespace: tok.Namespace},
			Type:       corev1.SecretTypeOpaque,
		}
	}
	have := Read(tok, cur)

	s.Labels = mergeMaps(s.Labels, tok.Spec.Secret.Labels, map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue})
	s.Annotations = mergeMaps(s.Annotations, userAnnotations(tok), map[string]string{authv1alpha1.OwnerAnnotation: tok.Name})
	s.OwnerReferences = ownerReferences(tok, s.OwnerReferences)
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}

	setValue(s.Data, tok.SecretKey(), have.Current, want.Current)
	setValue(s.Data, tok.PreviousSecretKey(), have.Previous, want.Previous)
	a := s.Annotations
	setString(a, authv1alpha1.TokenHashAnnotation, have.Hash, want.Hash)
	setTime(a, authv1alpha1.IssuedAtAnnotation, have.IssuedAt, want.IssuedAt)
	if want.Revision != have.Revision {
		a[authv1alpha1.RevisionAnnotation] = strconv.FormatInt(want.Revision, 10)
	}
	setTime(a, authv1alpha1.PreviousExpiresAtAnnotation, have.PreviousExpiresAt, want.PreviousExpiresAt)
	setString(a, authv1alpha1.RotateHandledAnnotation, have.RotateHandled, want.RotateHandled)
	setString(a, authv1alpha1.SourceVersionAnnotation, have.SourceVersion, want.SourceVersion)
	setString(a, authv1alpha1.MarkAnnotation, a[authv1alpha1.MarkAnnotation], m.Mark(s.Namespace, s.Name, tok.Name, want))
	if want.Revoked != have.Revoked || !want.RevokedAt.Equal(have.RevokedAt) {
		delete(a, authv1alpha1.RevokedAtAnnotation)
		if want.Revoked {
			a[authv1alpha1.RevokedAtAnnotation] = FormatTime(want.RevokedAt)
		}
	}
	return s
}

// userAnnotations is spec.secret.annotations without the annotations of the
// token state: a user's value there would make the Secret disagree with the
// token it holds, and the operator would issue again on every reconcile.
func userAnnotations(tok *authv1alpha1.ApiToken) map[string]string {
	out := maps.Clone(tok.Spec.Secret.Annotations)
	for _, k := range stateAnnotations {
		delete(out, k)
	}
	return out
}

func setValue(data map[string][]byte, key string, have, want token.Value) {
	switch {
	case want.Equal(have), want.Sealed():
		// A sealed value is written by the caller that read it whole
		// (NeedsPlaintext); here it can only stay as it is.
	case want.IsZero():
		delete(data, key)
	default:
		data[key] = want.Reveal()
	}
}

func setString(a map[string]string, key, have, want string) {
	switch want {
	case have:
	case "":
		delete(a, key)
	default:
		a[key] = want
	}
}

func setTime(a map[string]string, key string, have, want time.Time) {
	switch {
	case want.Equal(have):
	case want.IsZero():
		delete(a, key)
	default:
		a[key] = FormatTime(want)
	}
}

// mergeMaps returns base with each overlay applied in order; later overlays win.
func mergeMaps(base map[string]string, overlays ...map[string]string) map[string]string {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]string{}
	}
	for _, o := range overlays {
		maps.Copy(out, o)
	}
	return out
}
