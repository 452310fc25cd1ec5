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
	"reflect"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokencache"
)

// The cache's transform keeps an ApiToken as a record that expands to what
// it was, minus managed fields and kubectl's last-applied copy; what every
// record repeats (its namespace) is one copy.
func TestStripForCacheKeepsContent(t *testing.T) {
	fresh := func() *authv1alpha1.ApiToken {
		return &authv1alpha1.ApiToken{
			TypeMeta: metav1.TypeMeta{APIVersion: string([]byte("auth.apitoken.io/v1alpha1")), Kind: string([]byte("ApiToken"))},
			ObjectMeta: metav1.ObjectMeta{Namespace: string([]byte("team-a")), Name: "ci",
				Annotations:   map[string]string{string([]byte(authv1alpha1.CreatedByAnnotation)): "alice", lastApplied: "{}", "example.com/x": "y"},
				Labels:        map[string]string{"team": "a"},
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}},
			Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenType(string([]byte("ApiClient"))), Principal: "ci"},
			Status: authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatus(string([]byte("Active"))),
				Conditions: []metav1.Condition{{Type: string([]byte("Ready")), Status: "True", Reason: string([]byte("Issued")), Message: "issued"}}},
		}
	}
	record := func() *tokencache.Record {
		t.Helper()
		obj, err := stripForCache(fresh())
		if err != nil {
			t.Fatal(err)
		}
		r, ok := obj.(*tokencache.Record)
		if !ok {
			t.Fatalf("the cache keeps a %T, want a *tokencache.Record", obj)
		}
		return r
	}
	r := record()
	want := fresh()
	want.ManagedFields = nil
	delete(want.Annotations, lastApplied)
	delete(want.Annotations, "example.com/x") // not the operator's: see boundAnnotations
	if got := r.ApiToken(); !equality.Semantic.DeepEqual(got, want) {
		t.Fatalf("the transform changed the ApiToken:\n%+v\nwant\n%+v", got, want)
	}
	if again, err := stripForCache(r); err != nil || again != any(r) {
		t.Fatalf("a record through the transform again = %v, %v; want it unchanged", again, err)
	}
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	other := record()
	if !same(r.GetNamespace(), other.GetNamespace()) {
		t.Error("two records of one namespace do not share its name")
	}
}

// A managed Secret's metadata reads the same after the transform, and what
// every Secret repeats is one copy: its labels map, its owner reference's
// flags, and the ApiToken's name in its owner annotation and reference.
func TestSealSecretsSharesMetadata(t *testing.T) {
	fresh := func(name string) *corev1.Secret {
		yes := true
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: name,
			Labels:      map[string]string{string([]byte(authv1alpha1.ManagedByLabel)): string([]byte(authv1alpha1.ManagedByValue))},
			Annotations: map[string]string{authv1alpha1.OwnerAnnotation: string([]byte(name))},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: authv1alpha1.GroupVersion.String(), Kind: "ApiToken", Name: string([]byte(name)),
				UID: "uid-" + types.UID(name), Controller: &yes, BlockOwnerDeletion: &yes}}}}
	}
	a, b := fresh("a"), fresh("b")
	for _, s := range []*corev1.Secret{a, b} {
		if _, err := sealSecrets(s); err != nil {
			t.Fatal(err)
		}
	}
	if !equality.Semantic.DeepEqual(a.ObjectMeta, fresh("a").ObjectMeta) {
		t.Fatalf("the transform changed the metadata:\n%+v\nwant\n%+v", a.ObjectMeta, fresh("a").ObjectMeta)
	}
	if reflect.ValueOf(a.Labels).UnsafePointer() != reflect.ValueOf(b.Labels).UnsafePointer() {
		t.Error("two Secrets with the managed label alone keep a labels map each")
	}
	if a.OwnerReferences[0].Controller != b.OwnerReferences[0].Controller || a.OwnerReferences[0].BlockOwnerDeletion != b.OwnerReferences[0].BlockOwnerDeletion {
		t.Error("the owner references' flags are not shared")
	}
	if unsafe.StringData(a.Annotations[authv1alpha1.OwnerAnnotation]) != unsafe.StringData(a.OwnerReferences[0].Name) {
		t.Error("the owner annotation keeps its own copy of the ApiToken's name")
	}
	c := fresh("c")
	c.Labels["team"] = "x"
	_, _ = sealSecrets(c)
	if c.Labels["team"] != "x" || len(c.Labels) != 2 {
		t.Fatalf("a Secret with labels of its own lost them: %v", c.Labels)
	}
}

// A token's Secret is kept as a record: what the record keeps as it is
// (namespace, labels, owner reference) is shared like a Secret's.
func TestSealSecretsSharesWhatRecordsKeep(t *testing.T) {
	record := func(name string) *tokencache.SecretRecord {
		t.Helper()
		yes := true
		s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: string([]byte("team-a")), Name: name,
			Labels:      map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue},
			Annotations: map[string]string{authv1alpha1.OwnerAnnotation: name},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: authv1alpha1.GroupVersion.String(), Kind: "ApiToken", Name: name,
				UID: "uid-" + types.UID(name), Controller: &yes, BlockOwnerDeletion: &yes}}},
			Data: map[string][]byte{authv1alpha1.DefaultSecretKey: []byte("value-" + name)}}
		obj, err := sealSecrets(s)
		if err != nil {
			t.Fatal(err)
		}
		r, ok := obj.(*tokencache.SecretRecord)
		if !ok {
			t.Fatalf("the cache keeps a %T, want a *tokencache.SecretRecord", obj)
		}
		return r
	}
	a, b := record("a"), record("b")
	if unsafe.StringData(a.GetNamespace()) != unsafe.StringData(b.GetNamespace()) {
		t.Error("two records of one namespace do not share its name")
	}
	if reflect.ValueOf(a.GetLabels()).UnsafePointer() != reflect.ValueOf(b.GetLabels()).UnsafePointer() {
		t.Error("two records with the managed label alone keep a labels map each")
	}
	// The owner reference is in the compressed body: still there to read.
	if refs := a.GetOwnerReferences(); len(refs) != 1 || refs[0].Name != "a" || refs[0].UID != "uid-a" || !ptr.Deref(refs[0].Controller, false) {
		t.Errorf("the record's owner references read %+v, want the ApiToken a's controller reference", refs)
	}
}
