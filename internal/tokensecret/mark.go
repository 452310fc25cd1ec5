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
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// markVersion prefixes every mark, so that the MAC's input can change
// without a mark of one format being read as another. v2 covers the
// previous token's expiry and the handled rotate request too; a v1 mark
// (written before) no longer counts, and the Secret's status (which names
// it) vouches for it until the operator next writes it.
const markVersion = "v2."

// MarkKeyBytes is the size of a mark key.
const MarkKeyBytes = 32

// A Marker signs the token state the operator writes into a Secret: an
// HMAC-SHA256, keyed from a Secret only the operator reads, over the
// namespace, the Secret's name, the owning ApiToken's name, the fingerprint,
// the issue time, the revision, the previous token's expiry and the rotate
// request handled: every annotation the operator acts on. The label, the owner annotation and the
// hash annotation can be written by anybody who may create Secrets; the
// mark cannot, so it is what proves that the operator wrote a Secret that
// carries no controller reference (deletionPolicy Retain) or that no
// status describes yet (a crash between the Secret write and the status
// patch, a new ApiToken adopting a retained Secret).
//
// A nil *Marker signs nothing and verifies nothing.
type Marker struct{ key []byte }

// NewMarker returns a Marker for key, which must be MarkKeyBytes long.
func NewMarker(key []byte) (*Marker, error) {
	if len(key) != MarkKeyBytes {
		return nil, errors.New("the mark key must be 32 bytes")
	}
	return &Marker{key: append([]byte(nil), key...)}, nil
}

// Mark is the mark of a Secret holding st (a revoked state too) for the
// ApiToken named owner; empty when m is nil.
func (m *Marker) Mark(namespace, secretName, owner string, st State) string {
	if m == nil {
		return ""
	}
	return markVersion + base64.RawURLEncoding.EncodeToString(m.mac(namespace, secretName, owner, st))
}

// Valid says whether the Secret carries the mark that m would write for
// its owner annotation and the token state its annotations describe.
func (m *Marker) Valid(s metav1.Object) bool {
	if m == nil {
		return false
	}
	a := s.GetAnnotations()
	got, ok := decodeMark(a[authv1alpha1.MarkAnnotation])
	if !ok {
		return false
	}
	// Read as Read reads them, so that what Mark signed is what is checked.
	want := m.mac(s.GetNamespace(), s.GetName(), OwnerName(s), readAnnotations(a))
	return hmac.Equal(got, want)
}

func (m *Marker) mac(namespace, secretName, owner string, st State) []byte {
	h := hmac.New(sha256.New, m.key)
	// NUL cannot occur in any of these, so the fields cannot run together.
	for _, f := range []string{namespace, secretName, owner, st.Hash, FormatTime(st.IssuedAt), strconv.FormatInt(st.Revision, 10),
		FormatTime(st.PreviousExpiresAt), st.RotateHandled} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return h.Sum(nil)
}

func decodeMark(v string) ([]byte, bool) {
	if len(v) != len(markVersion)+base64.RawURLEncoding.EncodedLen(sha256.Size) || v[:len(markVersion)] != markVersion {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(v[len(markVersion):])
	return b, err == nil
}
