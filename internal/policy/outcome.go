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
	"fmt"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// Outcome is what acting on a decision came to: status and events are
// derived from it, so that they describe the Secret as it now is.
type Outcome struct {
	// Decision is what was decided; carried out unless Rejected is set.
	Decision Decision
	// Rejected is the failure to report instead of Decision when the API
	// server refused to store the Secret: retrying will not help until the
	// spec changes. Nil when the write succeeded or none was needed.
	Rejected *Decision
	// State is what the target Secret says about the token now: the state
	// written, or the one gathered when nothing was written. Zero when the
	// Secret is absent or someone else's.
	State tokensecret.State
}

// Unchanged is the outcome of a decision that wrote nothing.
func Unchanged(in Input, d Decision) Outcome {
	return Outcome{Decision: d, State: in.State}
}

// Rejected is the outcome of a write the API server refused with reason
// (already free of token values): the Secret is as gathered.
func Rejected(in Input, d Decision, reason string) Outcome {
	f := fail(authv1alpha1.ReasonSecretRejected, fmt.Sprintf("the API server rejected Secret %q: %s; fix spec.secret", in.Token.SecretName(), reason))
	return Outcome{Decision: d, Rejected: &f, State: in.State}
}

// Reported is the verdict that status and events report.
func (o Outcome) Reported() Decision {
	if o.Rejected != nil {
		return *o.Rejected
	}
	return o.Decision
}
