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
type Value struct {
	v string
}

// NewValue wraps a value read from a Secret.
func NewValue(b []byte) Value { return Value{v: string(b)} }

// PresentedValue wraps a value a client presented (a request header), without
// a copy: verification is on the hot path.
func PresentedValue(s string) Value { return Value{v: s} }

// Reveal returns the token value. Call it only to write the target Secret.
func (v Value) Reveal() []byte { return []byte(v.v) }

// IsZero says whether the value is empty.
func (v Value) IsZero() bool { return v.v == "" }

// Equal compares two values.
func (v Value) Equal(o Value) bool { return v.v == o.v }

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
func (v Value) Fingerprint() string { return Fingerprint([]byte(v.v)) }

// LastChars returns the last n characters (runes) of the value.
func (v Value) LastChars(n int) string {
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
