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
	"crypto/sha256"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// sealedKey marks a Secret whose data Seal replaced by digests. No Secret
// the API server returns can have it (NUL is not allowed in a data key), so
// a Secret read from the API server is never taken for a sealed one.
const sealedKey = "\x00sealed"

// Seal is the informer cache's transform of managed Secrets, whose cost
// anyone who may create a Secret with the managed label chooses: a Secret
// that names no ApiToken (only the label) keeps its metadata only; a token
// Secret (one that names its ApiToken) keeps only the token's keys, the
// one whose value the token-hash annotation names and its ".previous" (and
// a few copies of the token under other keys), each value replaced by its
// digest and last characters (token.Seal), so that the cache, which every
// replica holds, keeps no token value and a bounded number of keys per
// Secret. The number of other keys dropped is kept
// (DroppedKeys). The controller, the verify index and Read work from
// those; a write that must copy a value (the current token becoming the
// previous one) reads the Secret from the API server first
// (NeedsPlaintext). Seal changes s in place: a transform gets the decoded
// object to keep.
func Seal(s *corev1.Secret) {
	if _, done := s.Data[sealedKey]; done {
		return
	}
	owner, _ := ManagedBy(s)
	if owner == "" {
		s.Data, s.StringData = nil, nil
		return
	}
	if s.Data == nil {
		return
	}
	sealed := make(map[string][]byte, 3)
	if want, ok := ParseDigest(s.Annotations[authv1alpha1.TokenHashAnnotation]); ok {
		for k, v := range s.Data {
			if len(sealed) < maxTokenKeys && sha256.Sum256(v) == want {
				// The token's key, or a copy of the token under another
				// (Strip removes those from a former Secret).
				sealed[k] = token.Seal(v)
				if p, ok := s.Data[k+authv1alpha1.PreviousKeySuffix]; ok {
					sealed[k+authv1alpha1.PreviousKeySuffix] = token.Seal(p)
				}
			}
		}
	}
	sealed[sealedKey] = nil
	if dropped := len(s.Data) - (len(sealed) - 1); dropped > 0 {
		sealed[sealedKey] = []byte(strconv.Itoa(dropped))
	}
	s.Data, s.StringData = sealed, nil
}

// maxTokenKeys bounds the keys a sealed Secret keeps: the token's and its
// previous, and a few copies of the token under other keys.
const maxTokenKeys = 8

// DroppedKeys is how many data keys Seal dropped from a token Secret: keys
// that hold neither the token nor its previous value.
func DroppedKeys(s *corev1.Secret) int {
	n, _ := strconv.Atoi(string(s.Data[sealedKey]))
	return n
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
