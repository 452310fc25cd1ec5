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
	"hash/crc32"
	"math"
	"strings"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// ChecksumLength is how many trailing characters of a checksummed token are
// its checksum.
const ChecksumLength = 6

// checksum writes the CRC32 (IEEE) of body as ChecksumLength characters of
// alphabet, most significant first. A 62- or 64-character alphabet holds all
// 32 bits; a smaller one holds the CRC modulo len(alphabet)^6 (31 bits for
// LowerAlphanumeric, 24 for Hex), still enough to tell a typo or a random
// string from a real token.
func checksum(body []byte, alphabet string) []byte {
	base := uint64(len(alphabet))
	n := uint64(crc32.ChecksumIEEE(body)) % uint64(math.Pow(float64(base), ChecksumLength))
	out := make([]byte, ChecksumLength)
	for i := ChecksumLength - 1; i >= 0; i-- {
		out[i] = alphabet[n%base]
		n /= base
	}
	return out
}

// ValidChecksum says whether v ends in the checksum of the rest of it, as a
// token generated with checksum: true in charset c does. It needs nothing
// but the value, so clients and scanners can run it offline.
func ValidChecksum(v Value, c authv1alpha1.Charset) bool {
	alphabet, err := Alphabet(c)
	if err != nil || len(v.v) <= ChecksumLength {
		return false
	}
	body, sum := v.v[:len(v.v)-ChecksumLength], v.v[len(v.v)-ChecksumLength:]
	for _, r := range sum {
		if !strings.ContainsRune(alphabet, r) {
			return false
		}
	}
	return string(checksum([]byte(body), alphabet)) == sum
}
