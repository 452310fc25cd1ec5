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
	"testing"
	"unsafe"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// The cache's transform changes what an ApiToken's strings share, never what
// they say: the object reads the same, minus managed fields and kubectl's
// last-applied copy.
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
	tok := fresh()
	if _, err := stripForCache(tok); err != nil {
		t.Fatal(err)
	}
	want := fresh()
	want.ManagedFields = nil
	delete(want.Annotations, lastApplied)
	if !equality.Semantic.DeepEqual(tok, want) {
		t.Fatalf("the transform changed the ApiToken:\n%+v\nwant\n%+v", tok, want)
	}
	same := func(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }
	if !same(tok.Status.Conditions[0].Reason, intern("Issued")) {
		t.Error("the known strings are not shared")
	}
	other := fresh()
	_, _ = stripForCache(other)
	if !same(tok.Namespace, other.Namespace) || !same(string(tok.Spec.Type), string(other.Spec.Type)) {
		t.Error("two objects of one namespace do not share its name")
	}
}
