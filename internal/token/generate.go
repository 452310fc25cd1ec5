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

package token

import (
	"crypto/rand"
	"fmt"
	"io"
	"strings"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Alphabets of the charsets.
const (
	lowerAlphanumeric = "abcdefghijklmnopqrstuvwxyz0123456789"
	alphanumeric      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	hexDigits         = "0123456789abcdef"
	base64URL         = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)

// Limits of a generated token's random part, as the CRD enforces them.
const (
	MinLength = 16
	MaxLength = 256
)

// Alphabet returns the characters of a charset.
func Alphabet(c authv1alpha1.Charset) (string, error) {
	switch c {
	case authv1alpha1.CharsetLowerAlphanumeric:
		return lowerAlphanumeric, nil
	case authv1alpha1.CharsetAlphanumeric:
		return alphanumeric, nil
	case authv1alpha1.CharsetHex:
		return hexDigits, nil
	case authv1alpha1.CharsetBase64URL:
		return base64URL, nil
	default:
		return "", fmt.Errorf("unknown charset %q: use LowerAlphanumeric, Alphanumeric, Hex or Base64URL", c)
	}
}

// MaxPrefixLength is the longest prefix a generated token may have.
const MaxPrefixLength = 32

// ValidPrefix says whether p is a prefix spec.source.generate.prefix
// accepts: at most 32 characters of A-Z a-z 0-9 _ - (the CRD's rule).
func ValidPrefix(p string) bool {
	return len(p) <= MaxPrefixLength && strings.Trim(p, alphanumeric+"_-") == ""
}

// Generator makes random tokens. Its zero value reads crypto/rand.
type Generator struct {
	// Rand is the entropy source; nil means crypto/rand. Tests inject one.
	Rand io.Reader
}

// Generate returns prefix + length characters drawn uniformly from the
// charset; with spec.Checksum the last ChecksumLength of them are the
// checksum of everything before.
func (g Generator) Generate(spec authv1alpha1.GenerateSource) (Value, error) {
	alphabet, err := Alphabet(spec.Charset)
	if err != nil {
		return Value{}, err
	}
	if spec.Length < MinLength || spec.Length > MaxLength {
		return Value{}, fmt.Errorf("length %d is out of range: must be between %d and %d", spec.Length, MinLength, MaxLength)
	}
	src := g.Rand
	if src == nil {
		src = rand.Reader
	}
	out := make([]byte, 0, len(spec.Prefix)+int(spec.Length))
	out = append(out, spec.Prefix...)
	n := int(spec.Length)
	if spec.Checksum {
		n -= ChecksumLength
	}
	random, err := draw(src, alphabet, n)
	if err != nil {
		return Value{}, err
	}
	out = append(out, random...)
	if spec.Checksum {
		out = append(out, checksum(out, alphabet)...)
	}
	return Value{v: string(out)}, nil
}

// draw picks n characters of alphabet uniformly. A random byte b is used only
// when b < limit, the largest multiple of len(alphabet) that fits in a byte,
// so that b % len(alphabet) has no modulo bias (rejection sampling).
func draw(src io.Reader, alphabet string, n int) ([]byte, error) {
	size := len(alphabet)
	limit := 256 - 256%size
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := io.ReadFull(src, buf); err != nil {
			return nil, fmt.Errorf("reading random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out = append(out, alphabet[int(b)%size])
			if len(out) == n {
				break
			}
		}
	}
	return out, nil
}
