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

package policy

import (
	corev1 "k8s.io/api/core/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// Retirement is what becomes of the Secret a retargeted ApiToken wrote
// before: nothing (Secret nil), deleted, or replaced by Keep.
type Retirement struct {
	Secret *corev1.Secret
	// Delete says to delete Secret (deletionPolicy Delete); otherwise Keep
	// is Secret stripped of the token (Retain: the Secret is the user's to
	// keep, the token is not).
	Delete bool
	Keep   *corev1.Secret
}

// FormerSecret decides what happens to in.Former, the Secret the token was
// in before spec.secret.name changed: its token must stop verifying at once
// and must not stay where a workload can still read it.
func FormerSecret(in Input) Retirement {
	if in.Former == nil {
		return Retirement{}
	}
	if in.Token.DeletionPolicyOrDefault() == authv1alpha1.DeletionPolicyDelete {
		return Retirement{Secret: in.Former, Delete: true}
	}
	return Retirement{Secret: in.Former, Keep: tokensecret.Strip(in.Token, in.Former)}
}
