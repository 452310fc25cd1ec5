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

package operator

import (
	"context"
	"crypto/rand"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// DefaultMarkKeySecret is the name of the Secret, in the operator's
// namespace, that holds the key of the operator's marks on token Secrets.
const DefaultMarkKeySecret = "apitoken-operator-mark-key"

// markKeyField is the data key of the mark key.
const markKeyField = "key"

// loadMarker reads the mark key from its Secret, creating the Secret with a
// random key when it does not exist. Every replica does the same and the
// first create wins (the others get AlreadyExists and read the winner's),
// so no leader is needed and every replica signs with the same key. It
// runs before the manager starts: nothing reads or writes a token Secret
// without it. The key is read once; a replaced key makes the marks written
// with the old one unreadable, which only matters for Secrets that neither
// a controller reference nor a status vouches for (see tokensecret.Owned).
func loadMarker(ctx context.Context, reader client.Reader, writer client.Writer, key types.NamespacedName) (*tokensecret.Marker, error) {
	s := &corev1.Secret{}
	err := reader.Get(ctx, key, s)
	if apierrors.IsNotFound(err) {
		b := make([]byte, tokensecret.MarkKeyBytes)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("drawing a mark key: %w", err)
		}
		s = &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name,
				Labels: map[string]string{"app.kubernetes.io/name": "apitoken-operator", "app.kubernetes.io/component": "mark-key"}},
			Type: corev1.SecretTypeOpaque,
			Data: map[string][]byte{markKeyField: b},
		}
		err = writer.Create(ctx, s)
		if apierrors.IsAlreadyExists(err) {
			s = &corev1.Secret{}
			err = reader.Get(ctx, key, s)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the mark key Secret %s: %w", key, err)
	}
	m, err := tokensecret.NewMarker(s.Data[markKeyField])
	if err != nil {
		return nil, fmt.Errorf("mark key Secret %s, key %q: %w; delete the Secret to have a new key made", key, markKeyField, err)
	}
	return m, nil
}
