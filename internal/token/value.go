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

// Package token makes and checks token values: random generation from
// crypto/rand without modulo bias, the fingerprint and last characters that
// status may show, and the format rule an imported value must pass. A token
// value travels as a Value, which redacts itself wherever it is printed or
// logged, so that it can only reach the Secret on purpose.
package token

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"unicode/utf8"
)

// Redacted is what a Value prints as.
const Redacted = "[redacted]"

// Value is a token value. It prints, formats, logs and marshals as
// "[redacted]"; Reveal returns the real value for the one place it belongs.
//
// A sealed Value (see Unseal) knows only the SHA-256 and the last
// characters of a value: it is how the operator's cache holds managed
// Secrets, so that no value stays in memory after it was written. It has a
// Fingerprint, LastChars and Equal, and nothing to Reveal.
type Value struct {
	v string
	// sealed, when true, says v is SealedLen bytes: the digest, then the
	// last characters.
	sealed bool
}

// NewValue wraps a value read from a Secret.
func NewValue(b []byte) Value { return Value{v: string(b)} }

// PresentedValue wraps a value a client presented (a request header), without
// a copy: verification is on the hot path.
func PresentedValue(s string) Value { return Value{v: s} }

// Reveal returns the token value. Call it only to write the target Secret.
// A sealed value has none: nil.
func (v Value) Reveal() []byte {
	if v.sealed {
		return nil
	}
	return []byte(v.v)
}

// IsZero says whether the value is empty.
func (v Value) IsZero() bool { return v.v == "" }

// Sealed says the value is known by its digest only (see Unseal).
func (v Value) Sealed() bool { return v.sealed }

// Equal compares two values: by their digests when either is sealed.
func (v Value) Equal(o Value) bool {
	if v.sealed == o.sealed {
		return v.v == o.v
	}
	return v.IsZero() == o.IsZero() && v.Digest() == o.Digest()
}

// Digest is the value's SHA-256.
func (v Value) Digest() [sha256.Size]byte {
	if v.sealed {
		return [sha256.Size]byte([]byte(v.v[:sha256.Size]))
	}
	return sha256.Sum256([]byte(v.v))
}

// String redacts the value.
func (v Value) String() string { return Redacted }

// GoString redacts the value for %#v.
func (v Value) GoString() string { return Redacted }

// Format redacts the value for every verb.
func (v Value) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// MarshalLog redacts the value for logr.
func (v Value) MarshalLog() any { return Redacted }

// MarshalJSON redacts the value, should it ever end up in a JSON document.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// Fingerprint is the value's "sha256:<hex>" digest: what status and the
// Secret's hash annotation show instead of the value.
func (v Value) Fingerprint() string {
	sum := v.Digest()
	return "sha256:" + hex.EncodeToString(sum[:])
}

// LastChars returns the last n characters (runes) of the value; of a
// sealed value, at most the SealedLastChars it kept.
func (v Value) LastChars(n int) string {
	if v.sealed {
		kept := []rune(v.v[sha256.Size:])
		if n > len(kept) {
			return ""
		}
		return string(kept[len(kept)-n:])
	}
	if utf8.RuneCountInString(v.v) <= n {
		// A value this short is not shown at all: its "last characters" would be all of it.
		return ""
	}
	r := []rune(v.v)
	return string(r[len(r)-n:])
}

// Fingerprint returns "sha256:" and the hex SHA-256 digest of b.
func Fingerprint(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// SealedLastChars is how many last characters a sealed value keeps: what
// status shows (tokenLastChars) anyway.
const SealedLastChars = 5

// Seal is the sealed form of raw (its digest, then its last
// SealedLastChars characters), for Unseal.
func Seal(raw []byte) []byte {
	if len(raw) == 0 {
		return nil // empty stays empty: Unseal reads it as the zero Value
	}
	sum := sha256.Sum256(raw)
	return append(sum[:], NewValue(raw).LastChars(SealedLastChars)...)
}

// Unseal wraps the sealed form Seal made; anything shorter than a digest is
// the zero Value.
func Unseal(b []byte) Value {
	if len(b) < sha256.Size {
		return Value{}
	}
	return Value{v: string(b), sealed: true}
}
