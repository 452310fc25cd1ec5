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
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
)

// Every cached object is decoded with strings of its own, and most of them
// say the same thing in every object: the operator's annotation and label
// keys, the owner reference's apiVersion and kind, the namespace, the
// condition's type and reason. The cache transforms make them share one
// copy each (the strings are equal, so nothing that reads them can tell).

// knownStrings are the strings the operator writes into every object.
var knownStrings = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{
		authv1alpha1.ManagedByLabel, authv1alpha1.ManagedByValue, authv1alpha1.OwnerAnnotation, authv1alpha1.TokenHashAnnotation,
		authv1alpha1.IssuedAtAnnotation, authv1alpha1.RevisionAnnotation, authv1alpha1.PreviousExpiresAtAnnotation,
		authv1alpha1.RotateHandledAnnotation, authv1alpha1.RevokedAtAnnotation, authv1alpha1.SourceVersionAnnotation,
		authv1alpha1.MarkAnnotation, authv1alpha1.CreatedByAnnotation, authv1alpha1.RotateAnnotation, authv1alpha1.ConditionReady,
		authv1alpha1.ReasonIssued, authv1alpha1.ReasonImported, authv1alpha1.ReasonRotated, authv1alpha1.ReasonReissued,
		authv1alpha1.ReasonExpired, authv1alpha1.ReasonRevoked, authv1alpha1.ReasonInvalidImport, authv1alpha1.ReasonSourceNotFound,
		authv1alpha1.ReasonSecretConflict, authv1alpha1.ReasonRevokedTokenReused, authv1alpha1.ReasonSecretRejected,
		authv1alpha1.ReasonDuplicateToken, authv1alpha1.ReasonRetargeted, authv1alpha1.GroupVersion.String(), "ApiToken",
		string(metav1.ConditionTrue), string(metav1.ConditionFalse), string(metav1.ConditionUnknown), string(corev1.SecretTypeOpaque),
	} {
		m[s] = s
	}
	for _, s := range authv1alpha1.TokenStatuses {
		m[string(s)] = string(s)
	}
	for _, t := range authv1alpha1.TokenTypes {
		m[string(t)] = string(t)
	}
	for _, msg := range policy.FixedMessages {
		m[msg] = msg
	}
	return m
}()

// Whole values many objects carry as they are share one copy too: a
// managed Secret's labels (the managed-by label alone) and an owner
// reference's flags. Nothing modifies a cached object (the cache hands out
// deep copies, and the event handlers only read), so one map and two
// booleans serve every object.
var (
	managedLabels = map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue}
	sharedTrue    = true
	sharedFalse   = false
)

// internLabels is internMap, or the shared map for the managed label alone.
func internLabels(m map[string]string) map[string]string {
	if len(m) == 1 && m[authv1alpha1.ManagedByLabel] == authv1alpha1.ManagedByValue {
		return managedLabels
	}
	return internMap(m)
}

func internBool(b *bool) *bool {
	switch {
	case b == nil:
		return nil
	case *b:
		return &sharedTrue
	default:
		return &sharedFalse
	}
}

// namespaces interns namespace names, up to maxInterned of them (a cluster
// has far fewer; past that, strings are kept as they are).
var namespaces = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

const maxInterned = 10_000

func intern(s string) string {
	if k, ok := knownStrings[s]; ok {
		return k
	}
	return s
}

func internNamespace(s string) string {
	namespaces.Lock()
	defer namespaces.Unlock()
	if k, ok := namespaces.m[s]; ok {
		return k
	}
	if len(namespaces.m) < maxInterned {
		namespaces.m[s] = s
	}
	return s
}

// internMap is m with its known keys and values shared; nil stays nil.
func internMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[intern(k)] = intern(v)
	}
	return out
}

// internMeta shares the strings of an object's metadata.
func internMeta(o metav1.Object) {
	internIdentity(o)
	refs := o.GetOwnerReferences()
	for i := range refs {
		r := &refs[i]
		r.APIVersion, r.Kind = intern(r.APIVersion), intern(r.Kind)
		r.Controller, r.BlockOwnerDeletion = internBool(r.Controller), internBool(r.BlockOwnerDeletion)
	}
	a := internMap(o.GetAnnotations())
	// A managed Secret names its ApiToken twice: its owner annotation and
	// its owner reference.
	for _, r := range o.GetOwnerReferences() {
		if owner, ok := a[authv1alpha1.OwnerAnnotation]; ok && owner == r.Name {
			a[authv1alpha1.OwnerAnnotation] = r.Name
		}
	}
	o.SetAnnotations(a)
}

// internIdentity shares an object's namespace and labels: all a Secret's
// record keeps as it is that others have too (its annotations, UID and
// owner references are compressed with the rest).
func internIdentity(o metav1.Object) {
	o.SetNamespace(internNamespace(o.GetNamespace()))
	o.SetLabels(internLabels(o.GetLabels()))
}
