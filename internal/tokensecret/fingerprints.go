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
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// Digest is the SHA-256 of a token value.
type Digest = [sha256.Size]byte

// DigestPrefix is d's first 8 bytes: the key of the in-memory digest
// indexes (the verify index, the read model's holders). A map slot keyed by
// it is 16 bytes where a whole digest's is 40; a lookup compares the whole
// digests of what shares the prefix.
func DigestPrefix(d Digest) uint64 { return binary.LittleEndian.Uint64(d[:8]) }

// Fingerprints is what a managed Secret contributes to the verify index:
// digests, never values.
type Fingerprints struct {
	// Claim is what the Secret says of the ApiToken it belongs to; its
	// Owner names the ApiToken, in the Secret's namespace.
	Claim Claim
	// Current is the digest the token-hash annotation names.
	Current Digest
	// CurrentHeld says whether some data key holds the value whose digest is
	// Current; an edited value is not valid.
	CurrentHeld bool
	// Previous are the digests of the other values in keys ending in
	// PreviousKeySuffix, valid until PreviousUntil; empty when the
	// previous-expires-at annotation is missing or cannot be read. Sorted.
	Previous      []Digest
	PreviousUntil time.Time
}

// ReadFingerprints reads the digests a Secret holds without knowing its
// ApiToken (the data key names are the ApiToken's). ok is false, and the
// Fingerprints zero, unless the Secret carries the managed label, an owner
// annotation and a token-hash annotation of the form "sha256:<64 hex>".
// These marks say only where to look: whether the digests count is decided
// by the verifier, against the owning ApiToken's status (see verify).
func ReadFingerprints(s *corev1.Secret, m *Marker) (fp Fingerprints, ok bool) {
	owner := OwnerName(s)
	current, ok := ParseDigest(s.Annotations[authv1alpha1.TokenHashAnnotation])
	if s.Labels[authv1alpha1.ManagedByLabel] != authv1alpha1.ManagedByValue || owner == "" || !ok {
		return Fingerprints{}, false
	}
	fp = Fingerprints{Claim: ClaimOf(s, m), Current: current}
	fp.PreviousUntil = parseTime(s.Annotations[authv1alpha1.PreviousExpiresAtAnnotation])
	each := func(k string, sum Digest) {
		switch {
		case sum == current:
			fp.CurrentHeld = true
		case strings.HasSuffix(k, authv1alpha1.PreviousKeySuffix) && !fp.PreviousUntil.IsZero():
			fp.Previous = append(fp.Previous, sum)
		}
	}
	switch {
	case IsSealed(s):
		for k, v := range s.Data {
			if k != sealedKey {
				each(k, token.Unseal(v).Digest())
			}
		}
	default:
		for k, v := range s.Data {
			each(k, sha256.Sum256(v))
		}
	}
	slices.SortFunc(fp.Previous, func(a, b Digest) int { return bytes.Compare(a[:], b[:]) })
	return fp, true
}

// ParseDigest reads a "sha256:<hex>" fingerprint (the token-hash annotation,
// a hash-only token's tokenHash) into its digest.
func ParseDigest(fp string) (Digest, bool) {
	var d Digest
	h, ok := strings.CutPrefix(fp, "sha256:")
	if !ok || hex.DecodedLen(len(h)) != len(d) {
		return d, false
	}
	if _, err := hex.Decode(d[:], []byte(h)); err != nil {
		return d, false
	}
	return d, true
}
