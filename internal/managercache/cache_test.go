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

package managercache

import (
	"testing"
	"unsafe"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// The cache's transform keeps an ApiToken as the *ApiToken it is, minus
// managed fields, kubectl's last-applied copy and annotations the operator
// does not read; the strings every object repeats are one copy.
func TestStripForCache(t *testing.T) {
	fresh := func() *authv1alpha1.ApiToken {
		return &authv1alpha1.ApiToken{
			TypeMeta: metav1.TypeMeta{APIVersion: "auth.apitoken.io/v1alpha1", Kind: "ApiToken"},
			ObjectMeta: metav1.ObjectMeta{Namespace: string([]byte("team-a")), Name: "ci",
				Annotations:   map[string]string{string([]byte(authv1alpha1.CreatedByAnnotation)): "alice", lastApplied: "{}", "example.com/x": "y"},
				Labels:        map[string]string{"team": "a"},
				ManagedFields: []metav1.ManagedFieldsEntry{{Manager: "kubectl"}}},
			Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "ci"},
			Status: authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatus(string([]byte("Active"))),
				Conditions: []metav1.Condition{{Type: string([]byte("Ready")), Status: "True", Reason: string([]byte("Issued")), Message: "issued"}}},
		}
	}
	cached := func() *authv1alpha1.ApiToken {
		t.Helper()
		obj, err := stripForCache(fresh())
		if err != nil {
			t.Fatal(err)
		}
		tok, ok := obj.(*authv1alpha1.ApiToken)
		if !ok {
			t.Fatalf("the cache keeps a %T, want an *ApiToken", obj)
		}
		return tok
	}
	a, b := cached(), cached()
	want := fresh()
	want.ManagedFields = nil
	want.Annotations = map[string]string{authv1alpha1.CreatedByAnnotation: "alice"}
	if !equality.Semantic.DeepEqual(a, want) {
		t.Fatalf("cached %+v\nwant %+v", a, want)
	}
	for what, pair := range map[string][2]string{
		"namespace":      {a.Namespace, b.Namespace},
		"condition type": {a.Status.Conditions[0].Type, b.Status.Conditions[0].Type},
		"reason":         {a.Status.Conditions[0].Reason, b.Status.Conditions[0].Reason},
		"token status":   {string(a.Status.TokenStatus), string(b.Status.TokenStatus)},
	} {
		if unsafe.StringData(pair[0]) != unsafe.StringData(pair[1]) {
			t.Errorf("two cached ApiTokens hold their %s in two copies", what)
		}
	}
}
