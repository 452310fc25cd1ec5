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

package factory

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// SecretValue reads a Secret-held token's value from its Secret, checked
// against the fingerprint in the ApiToken's status. Client-go's body log
// (-v=8 and above) is turned down for the read: a Secret's data is never
// logged.
func (c *Clients) SecretValue(ctx context.Context, name string, previous bool) ([]byte, error) {
	tok, err := c.ApiToken(ctx, name)
	if err != nil {
		return nil, err
	}
	if tok.Hashed() != nil {
		return nil, fmt.Errorf("ApiToken %s/%s is hash-only: its value is not stored anywhere in the cluster, so it cannot be revealed; make a new one with: kubectl apitoken regenerate %s -n %s", c.Namespace, name, name, c.Namespace)
	}
	if tok.Status.TokenStatus != authv1alpha1.TokenStatusActive || tok.Status.SecretName == "" {
		return nil, fmt.Errorf("ApiToken %s/%s is %s: there is no value to reveal (%s)", c.Namespace, name, printing.State(tok, time.Now(), 0), printing.ReadyMessage(tok))
	}
	secret := &corev1.Secret{}
	restore := quietBodies()
	err = c.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: tok.Status.SecretName}, secret)
	restore()
	if err != nil {
		return nil, clierrors.Describe(err, "get", "secrets", c.Namespace)
	}
	key := tok.SecretKey()
	if previous {
		key = tok.PreviousSecretKey()
	}
	value, ok := secret.Data[key]
	switch {
	case !ok && previous:
		return nil, fmt.Errorf("ApiToken %s/%s has no previous value: Secret %q holds one only during a rotation's grace period", c.Namespace, name, secret.Name)
	case !ok:
		return nil, fmt.Errorf("the Secret %s/%s has no key %q: the operator has not written the token yet; see: kubectl apitoken status %s", c.Namespace, secret.Name, key, name)
	case !previous && token.Fingerprint(value) != tok.Status.TokenHash:
		return nil, fmt.Errorf("the Secret %s/%s key %q does not hold this ApiToken's current token (its fingerprint differs from status.tokenHash): someone edited it; the operator will write the token again", c.Namespace, secret.Name, key)
	}
	return value, nil
}
