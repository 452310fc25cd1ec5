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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// apiTokenKind is the kind of the ApiToken owner reference.
const apiTokenKind = "ApiToken"

// Owned says whether the Secret belongs to this ApiToken. A controller owner
// reference decides when there is one; otherwise (deletionPolicy Retain) the
// managed label and the owner annotation must both name it.
func Owned(tok *authv1alpha1.ApiToken, s metav1.Object) bool {
	if ref := metav1.GetControllerOfNoCopy(s); ref != nil {
		return ref.UID == tok.UID
	}
	return s.GetLabels()[authv1alpha1.ManagedByLabel] == authv1alpha1.ManagedByValue &&
		OwnerName(s) == tok.Name
}

// ManagedBy says whether the Secret is one the operator manages for some
// ApiToken, by any of the marks it writes: the managed label, a controller
// reference to an ApiToken, the owner annotation. owner is the ApiToken's
// name, in the Secret's namespace; empty when only the label is left.
func ManagedBy(s metav1.Object) (owner string, managed bool) {
	if ref := metav1.GetControllerOfNoCopy(s); ref != nil && isApiToken(ref) {
		return ref.Name, true
	}
	if name := OwnerName(s); name != "" {
		return name, true
	}
	return "", s.GetLabels()[authv1alpha1.ManagedByLabel] == authv1alpha1.ManagedByValue
}

// OwnerName is the ApiToken the owner annotation names; empty when there is none.
func OwnerName(s metav1.Object) string {
	return s.GetAnnotations()[authv1alpha1.OwnerAnnotation]
}

// Marks is the part of m that ManagedBy looks at. A cache that strips
// metadata to save memory keeps Marks, so that ManagedBy still answers on
// what it holds.
func Marks(m metav1.ObjectMeta) metav1.ObjectMeta {
	var out metav1.ObjectMeta
	if v, ok := m.Labels[authv1alpha1.ManagedByLabel]; ok {
		out.Labels = map[string]string{authv1alpha1.ManagedByLabel: v}
	}
	if v, ok := m.Annotations[authv1alpha1.OwnerAnnotation]; ok {
		out.Annotations = map[string]string{authv1alpha1.OwnerAnnotation: v}
	}
	if ref := metav1.GetControllerOfNoCopy(&m); ref != nil && isApiToken(ref) {
		out.OwnerReferences = []metav1.OwnerReference{*ref}
	}
	return out
}

func isApiToken(ref *metav1.OwnerReference) bool {
	gv, err := schema.ParseGroupVersion(ref.APIVersion)
	return err == nil && gv.Group == authv1alpha1.GroupVersion.Group && ref.Kind == apiTokenKind
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
			Kind:               apiTokenKind,
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
