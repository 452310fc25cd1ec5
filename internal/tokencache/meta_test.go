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

package tokencache

import (
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/randfill"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// A record is most of what the cache holds per object: a field more puts
// it in the next size class, 16 bytes per object.
func TestCoreFitsItsSizeClass(t *testing.T) {
	for _, size := range []uintptr{unsafe.Sizeof(Record{}), unsafe.Sizeof(SecretRecord{})} {
		if size > 160 {
			t.Fatalf("a record is %d bytes, over the 160-byte size class", size)
		}
	}
}

// getters reads an Object's whole metadata through its getters.
//
//nolint:staticcheck // metav1.Object has a selfLink
func getters(o metav1.Object) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: o.GetName(), GenerateName: o.GetGenerateName(), Namespace: o.GetNamespace(), SelfLink: o.GetSelfLink(),
		UID: o.GetUID(), ResourceVersion: o.GetResourceVersion(), Generation: o.GetGeneration(), CreationTimestamp: o.GetCreationTimestamp(),
		DeletionTimestamp: o.GetDeletionTimestamp(), DeletionGracePeriodSeconds: o.GetDeletionGracePeriodSeconds(), Labels: o.GetLabels(),
		Annotations: o.GetAnnotations(), OwnerReferences: o.GetOwnerReferences(), Finalizers: o.GetFinalizers(), ManagedFields: o.GetManagedFields()}
}

// setAll writes om into o through its setters.
//
//nolint:staticcheck // metav1.Object has a selfLink
func setAll(o metav1.Object, om metav1.ObjectMeta) {
	o.SetName(om.Name)
	o.SetGenerateName(om.GenerateName)
	o.SetNamespace(om.Namespace)
	o.SetSelfLink(om.SelfLink)
	o.SetUID(om.UID)
	o.SetResourceVersion(om.ResourceVersion)
	o.SetGeneration(om.Generation)
	o.SetCreationTimestamp(om.CreationTimestamp)
	o.SetDeletionTimestamp(om.DeletionTimestamp)
	o.SetDeletionGracePeriodSeconds(om.DeletionGracePeriodSeconds)
	o.SetLabels(om.Labels)
	o.SetAnnotations(om.Annotations)
	o.SetOwnerReferences(om.OwnerReferences)
	o.SetFinalizers(om.Finalizers)
	o.SetManagedFields(om.ManagedFields)
}

// A record is a metav1.Object like the object it was made from: every
// getter reads what the object's metadata says, wherever the record keeps
// it, every setter changes what the record expands to.
func TestRecordsAreTheirObjectsMetadata(t *testing.T) {
	f := randfill.NewWithSeed(7).NilChance(0.3).NumElements(0, 3)
	for i := range 200 {
		var om, changed metav1.ObjectMeta
		f.Fill(&om)
		f.Fill(&changed)
		// The cache transform drops managed fields before a record is made
		// (and an empty FieldsV1 reads back as none through JSON).
		om.ManagedFields, changed.ManagedFields = nil, nil
		tok, err := Compact(&authv1alpha1.ApiToken{ObjectMeta: *om.DeepCopy()})
		if err != nil {
			t.Fatal(err)
		}
		secret, err := CompactSecret(&corev1.Secret{ObjectMeta: *om.DeepCopy()})
		if err != nil {
			t.Fatal(err)
		}
		records := []struct {
			metav1.Object
			expanded func() metav1.ObjectMeta
		}{
			{tok, func() metav1.ObjectMeta { return tok.ApiToken().ObjectMeta }},
			{secret, func() metav1.ObjectMeta { return secret.Secret().ObjectMeta }},
		}
		for _, r := range records {
			if got := getters(r.Object); !equality.Semantic.DeepEqual(got, om) {
				t.Fatalf("case %d: %T's getters read\n%+v\nwant\n%+v", i, r.Object, got, om)
			}
			if got := r.expanded(); !equality.Semantic.DeepEqual(got, om) {
				t.Fatalf("case %d: %T expands to\n%+v\nwant\n%+v", i, r.Object, got, om)
			}
			setAll(r.Object, *changed.DeepCopy())
			if got := getters(r.Object); !equality.Semantic.DeepEqual(got, changed) {
				t.Fatalf("case %d: after the setters, %T's getters read\n%+v\nwant\n%+v", i, r.Object, got, changed)
			}
			if got := r.expanded(); !equality.Semantic.DeepEqual(got, changed) {
				t.Fatalf("case %d: after the setters, %T expands to\n%+v\nwant\n%+v", i, r.Object, got, changed)
			}
		}
	}
}
