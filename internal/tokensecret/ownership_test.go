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

package tokensecret_test

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

func TestOwnership(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").Obj()
	earlier := testutil.MakeApiToken(ns, "ci").UID("earlier").Obj()
	other := testutil.MakeApiToken(ns, "other").Obj()
	plain := func() *testutil.SecretWrapper { return testutil.MakeSecret(ns, "s") }
	labelled := func() *testutil.SecretWrapper {
		return plain().Label(authv1alpha1.ManagedByLabel, authv1alpha1.ManagedByValue)
	}
	deployment := metav1.OwnerReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "ci", UID: tok.UID, Controller: ptr.To(true)}
	lookalike := metav1.OwnerReference{APIVersion: "example.com/v1", Kind: "ApiToken", Name: "ci", UID: "x", Controller: ptr.To(true)}

	cases := map[string]struct {
		s           *corev1.Secret
		wantOwned   bool // by tok
		wantManaged bool
		wantOwner   string
	}{
		"written by tok (Delete: controller reference)": {s: tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker), wantOwned: true, wantManaged: true, wantOwner: "ci"},
		"written by tok (Retain: label and annotation)": {
			s:         tokensecret.Apply(testutil.MakeApiToken(ns, "ci").DeletionPolicy(authv1alpha1.DeletionPolicyRetain).Obj(), nil, active(valueA, 1), testutil.Marker),
			wantOwned: true, wantManaged: true, wantOwner: "ci",
		},
		"controlled by an earlier ApiToken of the same name: the reference decides": {
			s: tokensecret.Apply(earlier, nil, active(valueA, 1), testutil.Marker), wantManaged: true, wantOwner: "ci",
		},
		"written for another ApiToken":           {s: tokensecret.Apply(other, nil, active(valueA, 1), testutil.Marker), wantManaged: true, wantOwner: "other"},
		"label only":                             {s: labelled().Obj(), wantManaged: true},
		"label and an annotation naming another": {s: labelled().Annotation(authv1alpha1.OwnerAnnotation, "other").Obj(), wantManaged: true, wantOwner: "other"},
		"owner annotation only":                  {s: plain().Annotation(authv1alpha1.OwnerAnnotation, "ci").Obj(), wantManaged: true, wantOwner: "ci"},
		"controller reference only":              {s: plain().ControlledBy(tok).Obj(), wantOwned: true, wantManaged: true, wantOwner: "ci"},
		"a user's Secret":                        {s: plain().Data("token", valueA).Obj()},
		"controlled by something else with tok's UID": {
			// Another kind controls it: nobody's (Claim.OwnedBy), whatever
			// UID its reference carries.
			s: func() *corev1.Secret {
				s := plain().Obj()
				s.OwnerReferences = []metav1.OwnerReference{deployment}
				return s
			}(),
		},
		"controlled by an ApiToken kind of another group": {
			s: func() *corev1.Secret {
				s := plain().Obj()
				s.OwnerReferences = []metav1.OwnerReference{lookalike}
				return s
			}(),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := tokensecret.Owned(tok, tc.s, testutil.Marker); got != tc.wantOwned {
				t.Fatalf("Owned = %v, want %v", got, tc.wantOwned)
			}
			owner, managed := tokensecret.ManagedBy(tc.s)
			if managed != tc.wantManaged || owner != tc.wantOwner {
				t.Fatalf("ManagedBy = %q, %v; want %q, %v", owner, managed, tc.wantOwner, tc.wantManaged)
			}
			marks := &metav1.PartialObjectMetadata{ObjectMeta: tokensecret.Marks(tc.s.ObjectMeta)}
			if o, m := tokensecret.ManagedBy(marks); o != owner || m != managed {
				t.Fatalf("ManagedBy(Marks) = %q, %v; the marks lost what ManagedBy needs", o, m)
			}
		})
	}
}

// TestOwnedBy is the one ownership rule over every combination of a
// controller reference (none, to this ApiToken, to an earlier ApiToken of
// the same name, to another kind), the operator's mark (valid, invalid,
// absent) and the ApiToken's status naming the Secret or not. The verify
// index decides by the same rule (verify's TestBelongsAsOwned).
func TestOwnedBy(t *testing.T) {
	for _, c := range testutil.OwnershipCases() {
		t.Run(c.Name, func(t *testing.T) {
			if got := tokensecret.Owned(c.Token, c.Secret, testutil.Marker); got != c.WantOwned {
				t.Fatalf("Owned = %v, want %v", got, c.WantOwned)
			}
		})
	}
}
