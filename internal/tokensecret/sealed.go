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

package tokensecret

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// sealedKey marks a Secret whose data Seal replaced by digests. No Secret
// the API server returns can have it (NUL is not allowed in a data key), so
// a Secret read from the API server is never taken for a sealed one.
const sealedKey = "\x00sealed"

// Seal is the informer cache's transform of managed Secrets: each value of
// a token Secret (one that names its ApiToken) is replaced by its digest
// and last characters (token.Seal), so that the cache, which every replica
// holds, keeps no token value. The controller, the verify index and Read
// work from those; a write that must copy a value (the current token
// becoming the previous one) reads the Secret from the API server first
// (NeedsPlaintext). Other managed Secrets (the signing keys) pass whole.
// Seal changes s in place: a transform gets the decoded object to keep.
func Seal(s *corev1.Secret) {
	if owner, _ := ManagedBy(s); owner == "" || s.Data == nil {
		return
	}
	if _, done := s.Data[sealedKey]; done {
		return
	}
	for k, v := range s.Data {
		s.Data[k] = token.Seal(v)
	}
	s.Data[sealedKey] = nil
	s.StringData = nil
}

// IsSealed says whether s comes from the cache, its values sealed.
func IsSealed(s *corev1.Secret) bool {
	_, sealed := s.Data[sealedKey]
	return sealed
}

// DataValue is the value in key of s: sealed when s is (the cache's copy).
func DataValue(s *corev1.Secret, key string) token.Value {
	b, ok := s.Data[key]
	switch {
	case !ok:
		return token.Value{}
	case IsSealed(s):
		return token.Unseal(b)
	default:
		return token.NewValue(b)
	}
}

// NeedsPlaintext says whether writing want over have, both read from a
// sealed Secret, would have to write a value the cache does not hold (the
// current token kept as the previous one): then the Secret must be read
// from the API server and the decision made again.
func NeedsPlaintext(have, want State) bool {
	return want.Current.Sealed() && !want.Current.Equal(have.Current) ||
		want.Previous.Sealed() && !want.Previous.Equal(have.Previous)
}
