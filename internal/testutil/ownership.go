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

package testutil

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// OwnershipCase is one Secret the operator wrote for Token (holding Value)
// and then somebody changed: its controller reference, its mark, and
// whether Token's status names it.
type OwnershipCase struct {
	Name          string
	Token         *authv1alpha1.ApiToken
	Secret        *corev1.Secret
	Value         token.Value
	StatusNamesIt bool
	// WantOwned is the one ownership rule's answer (tokensecret.Claim.OwnedBy).
	WantOwned bool
}

// OwnershipCases are every combination of a controller reference (none, to
// the ApiToken, to an earlier ApiToken of the same name, to another kind
// with the ApiToken's UID), the operator's mark (valid, invalid, absent)
// and the ApiToken's status naming the Secret or not; the controller and
// the verify index must both decide them by the one rule.
func OwnershipCases() []OwnershipCase {
	value := token.NewValue([]byte("ownership-case-value-0123456789"))
	issued := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	refs := map[string]func(tok *authv1alpha1.ApiToken) []metav1.OwnerReference{
		"no controller reference": func(*authv1alpha1.ApiToken) []metav1.OwnerReference { return nil },
		"controlled by the ApiToken": func(tok *authv1alpha1.ApiToken) []metav1.OwnerReference {
			return []metav1.OwnerReference{apiTokenRef(tok.Name, tok.UID)}
		},
		"controlled by an earlier ApiToken of its name": func(tok *authv1alpha1.ApiToken) []metav1.OwnerReference {
			return []metav1.OwnerReference{apiTokenRef(tok.Name, "uid-of-an-earlier-one")}
		},
		"controlled by another kind with the ApiToken's UID": func(tok *authv1alpha1.ApiToken) []metav1.OwnerReference {
			return []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: tok.Name, UID: tok.UID, Controller: ptr.To(true)}}
		},
	}
	marks := map[string]func(*corev1.Secret){
		"mark valid":   func(*corev1.Secret) {},
		"mark invalid": func(s *corev1.Secret) { s.Annotations[authv1alpha1.MarkAnnotation] += "0" },
		"mark absent":  func(s *corev1.Secret) { delete(s.Annotations, authv1alpha1.MarkAnnotation) },
	}
	var cases []OwnershipCase
	for refName, ref := range refs {
		for markName, mark := range marks {
			for _, names := range []bool{true, false} {
				tok := MakeApiToken("team-a", "ci").UID("uid-now").Obj()
				s := tokensecret.Apply(tok, nil, tokensecret.State{Current: value, Hash: value.Fingerprint(), IssuedAt: issued, Revision: 1}, Marker)
				s.OwnerReferences = ref(tok)
				mark(s)
				tok.Status = authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, TokenHash: value.Fingerprint(), Revision: 1}
				if names {
					tok.Status.SecretName = s.Name
				}
				want := false
				switch refName {
				case "controlled by the ApiToken":
					want = true
				case "no controller reference":
					want = markName == "mark valid" || names
				}
				cases = append(cases, OwnershipCase{
					Name:  fmt.Sprintf("%s, %s, status naming it %v", refName, markName, names),
					Token: tok, Secret: s, Value: value, StatusNamesIt: names, WantOwned: want,
				})
			}
		}
	}
	return cases
}

func apiTokenRef(name string, uid types.UID) metav1.OwnerReference {
	return metav1.OwnerReference{APIVersion: authv1alpha1.GroupVersion.String(), Kind: "ApiToken", Name: name, UID: uid, Controller: ptr.To(true)}
}
