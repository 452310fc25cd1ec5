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
	"maps"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// desiredSecret is the target Secret as it must be after acting on d: cur
// (owned by tok, or nil when absent) with the decision applied, the
// operator's labels, annotations and owner reference restored, and a
// previous token whose grace period is over removed. value is the new token
// for ActionIssue and ActionImport. It is pure: no client, the time is given.
func desiredSecret(tok *authv1alpha1.ApiToken, cur *corev1.Secret, d policy.Decision, value token.Value, sourceVersion string, now time.Time) *corev1.Secret {
	now = now.Truncate(time.Second)
	var s *corev1.Secret
	if cur != nil {
		s = cur.DeepCopy()
	} else {
		s = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: tok.SecretName(), Namespace: tok.Namespace},
			Type:       corev1.SecretTypeOpaque,
		}
	}
	st := policy.ReadSecret(tok, cur)

	s.Labels = mergeMaps(s.Labels, tok.Spec.Secret.Labels, map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue})
	s.Annotations = mergeMaps(s.Annotations, tok.Spec.Secret.Annotations, map[string]string{authv1alpha1.OwnerAnnotation: tok.Name})
	s.OwnerReferences = ownerReferences(tok, s.OwnerReferences)
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}
	key, prevKey, a := tok.SecretKey(), tok.PreviousSecretKey(), s.Annotations

	switch d.Action {
	case policy.ActionIssue, policy.ActionImport:
		if grace := tok.GracePeriod(); d.KeepPrevious && grace > 0 && !st.Current.IsZero() {
			s.Data[prevKey] = st.Current.Reveal()
			a[authv1alpha1.PreviousExpiresAtAnnotation] = policy.FormatTime(now.Add(grace))
		} else {
			delete(s.Data, prevKey)
			delete(a, authv1alpha1.PreviousExpiresAtAnnotation)
		}
		s.Data[key] = value.Reveal()
		a[authv1alpha1.TokenHashAnnotation] = value.Fingerprint()
		a[authv1alpha1.IssuedAtAnnotation] = policy.FormatTime(now)
		a[authv1alpha1.RevisionAnnotation] = strconv.FormatInt(max(st.Revision, tok.Status.Revision)+1, 10)
		setOrDelete(a, authv1alpha1.RotateHandledAnnotation, d.RotateHandled)
		setOrDelete(a, authv1alpha1.SourceVersionAnnotation, sourceVersionFor(d, sourceVersion))
		delete(a, authv1alpha1.RevokedAtAnnotation)
	case policy.ActionRevoke:
		delete(s.Data, key)
		delete(s.Data, prevKey)
		for _, k := range []string{authv1alpha1.TokenHashAnnotation, authv1alpha1.IssuedAtAnnotation,
			authv1alpha1.PreviousExpiresAtAnnotation, authv1alpha1.SourceVersionAnnotation} {
			delete(a, k)
		}
		if _, ok := a[authv1alpha1.RevokedAtAnnotation]; !ok {
			a[authv1alpha1.RevokedAtAnnotation] = policy.FormatTime(now)
		}
	default:
		if !st.Previous.IsZero() && !now.Before(st.PreviousExpiresAt) {
			delete(s.Data, prevKey)
			delete(a, authv1alpha1.PreviousExpiresAtAnnotation)
		}
	}
	return s
}

// ownerReferences sets (deletionPolicy Delete) or removes (Retain) the
// controller reference to tok, leaving anyone else's references alone.
func ownerReferences(tok *authv1alpha1.ApiToken, refs []metav1.OwnerReference) []metav1.OwnerReference {
	out := make([]metav1.OwnerReference, 0, len(refs)+1)
	for _, r := range refs {
		if r.UID != tok.UID {
			out = append(out, r)
		}
	}
	if tok.DeletionPolicyOrDefault() == authv1alpha1.DeletionPolicyDelete {
		out = append(out, metav1.OwnerReference{
			APIVersion:         authv1alpha1.GroupVersion.String(),
			Kind:               "ApiToken",
			Name:               tok.Name,
			UID:                tok.UID,
			Controller:         ptr.To(true),
			BlockOwnerDeletion: ptr.To(true),
		})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// sourceVersionFor records the import source's version with an imported
// value; a generated value has none.
func sourceVersionFor(d policy.Decision, v string) string {
	if d.Action == policy.ActionImport {
		return v
	}
	return ""
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

func setOrDelete(m map[string]string, k, v string) {
	if v == "" {
		delete(m, k)
		return
	}
	m[k] = v
}
