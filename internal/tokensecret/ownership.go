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
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// apiTokenKind is the kind of the ApiToken owner reference.
const apiTokenKind = "ApiToken"

// Claim is what a Secret says of the ApiToken it belongs to: the marks the
// operator writes on it, read once. The controller (Owned) and the verify
// index decide from a Claim by one rule, OwnedBy.
type Claim struct {
	// Owner is the ApiToken the owner annotation names, in the Secret's
	// namespace; Managed is the managed label.
	Owner   string
	Managed bool
	// Controlled says the Secret has a controller reference; ControllerUID
	// is its UID when it names an ApiToken, empty when another kind
	// controls the Secret.
	Controlled    bool
	ControllerUID types.UID
	// Marked says the operator's mark covers the Secret's state for Owner.
	Marked bool
}

// ClaimOf reads s's claim, checking its mark with m.
func ClaimOf(s metav1.Object, m *Marker) Claim {
	c := Claim{Owner: OwnerName(s), Managed: s.GetLabels()[authv1alpha1.ManagedByLabel] == authv1alpha1.ManagedByValue, Marked: m.Valid(s)}
	if ref := metav1.GetControllerOfNoCopy(s); ref != nil {
		c.Controlled = true
		if isApiToken(ref) {
			c.ControllerUID = ref.UID
		}
	}
	return c
}

// OwnedBy says whether the Secret is the ApiToken's (of that name and UID;
// statusNamesIt says its status names the Secret): the operator may write
// into it for that ApiToken, and the values it wrote there count for it. A
// controller reference decides when there is one: it must name that very
// ApiToken (a UID is not known before its ApiToken is created, and a
// Secret whose reference someone forged is only ever overwritten with a
// new token: see Trusted); a Secret another kind controls is nobody's.
// Without one (deletionPolicy Retain) the managed label and the owner
// annotation must name the ApiToken, and, since anybody who may create
// Secrets can set those, the operator's mark must cover the Secret or the
// ApiToken's status must name it. A Secret planted before an ApiToken
// exists is never adopted.
func (c Claim) OwnedBy(name string, uid types.UID, statusNamesIt bool) bool {
	if c.Controlled {
		return c.ControllerUID != "" && c.ControllerUID == uid
	}
	return c.Managed && c.Owner == name && (c.Marked || statusNamesIt)
}

// Owned says whether the operator may write into the Secret for this
// ApiToken (Claim.OwnedBy).
func Owned(tok *authv1alpha1.ApiToken, s metav1.Object, m *Marker) bool {
	return ClaimOf(s, m).OwnedBy(tok.Name, tok.UID, tok.Status.SecretName == s.GetName())
}

// Trusted says whether the token a Secret holds (st, read from s) is one
// the operator wrote for tok, so that it may be reported and verified: the
// value matches the hash written with it, and either the operator's mark
// covers that state for tok's name at a revision not below the one tok's
// status reports, or tok's status (which only the operator writes) already
// names this Secret, fingerprint and revision. A Secret whose value
// somebody else chose is neither; nor is an earlier state the operator
// wrote and somebody wrote back (Stale).
func Trusted(tok *authv1alpha1.ApiToken, s metav1.Object, st State, m *Marker) bool {
	if !st.Consistent() {
		return false
	}
	if OwnerName(s) == tok.Name && m.Valid(s) && !Stale(tok, st) {
		return true
	}
	status := &tok.Status
	return status.SecretName == s.GetName() && status.TokenHash == st.Hash && status.Revision == st.Revision
}

// Stale says whether st, a state the operator once wrote, is of an earlier
// revision than tok's status reports: a backup restore or a GitOps re-sync
// wrote an old copy back. The mark proves the state was written, not that
// it is current; its value was rotated away and must not come back.
func Stale(tok *authv1alpha1.ApiToken, st State) bool {
	return st.Revision < tok.Status.Revision
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

// Marks is the part of m that ManagedBy and ClaimOf look at (the mark
// aside). A cache that strips
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
	if ref := metav1.GetControllerOfNoCopy(&m); ref != nil {
		// Whatever its kind: a Secret another kind controls is nobody's
		// (Claim.OwnedBy).
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

// Strip returns s without anything of tok's token: the data keys that hold
// it (tok's key and its previous key, and any key whose value has the
// digest the hash annotation names), the token state's annotations, the
// mark, the owner annotation, the managed label and tok's owner reference.
// What is left is an ordinary Secret of its owner's, which no verifier
// reads. Strip does not modify s.
func Strip(tok *authv1alpha1.ApiToken, s *corev1.Secret) *corev1.Secret {
	out := s.DeepCopy()
	hash := s.Annotations[authv1alpha1.TokenHashAnnotation]
	for k := range out.Data {
		// dataValue: the cache's Secret holds digests (see Seal).
		if k == tok.SecretKey() || k == tok.PreviousSecretKey() || (hash != "" && k != sealedKey && DataValue(s, k).Fingerprint() == hash) {
			delete(out.Data, k)
		}
	}
	for _, k := range append(stateAnnotations, authv1alpha1.OwnerAnnotation) {
		delete(out.Annotations, k)
	}
	delete(out.Labels, authv1alpha1.ManagedByLabel)
	refs := out.OwnerReferences[:0]
	for _, r := range out.OwnerReferences {
		if r.UID != tok.UID {
			refs = append(refs, r)
		}
	}
	out.OwnerReferences = refs
	if len(refs) == 0 {
		out.OwnerReferences = nil
	}
	return out
}
