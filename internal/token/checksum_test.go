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
	"strings"
	"testing"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

func TestChecksumEncoding(t *testing.T) {
	// The checksum is the CRC32 of the body in the alphabet's digits: decode
	// it back and compare with hash/crc32, so the test does not restate the
	// encoder.
	cases := map[string]struct {
		charset authv1alpha1.Charset
		modulus uint64
	}{
		"alphanumeric holds all 32 bits": {authv1alpha1.CharsetAlphanumeric, 1 << 32},
		"base64url holds all 32 bits":    {authv1alpha1.CharsetBase64URL, 1 << 32},
		"lower alphanumeric: mod 36^6":   {authv1alpha1.CharsetLowerAlphanumeric, 2176782336},
		"hex: mod 16^6":                  {authv1alpha1.CharsetHex, 1 << 24},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			alphabet, _ := Alphabet(tc.charset)
			for _, body := range []string{"", "at_", "ghp_0123456789abcdefghijklmnopqrstu", strings.Repeat("z", 250)} {
				sum := checksum([]byte(body), alphabet)
				var got uint64
				for _, c := range sum {
					got = got*uint64(len(alphabet)) + uint64(strings.IndexByte(alphabet, c))
				}
				if want := uint64(crc32.ChecksumIEEE([]byte(body))) % tc.modulus; got != want {
					t.Errorf("checksum(%q) decodes to %d, want %d", body, got, want)
				}
			}
		})
	}
}

func TestGenerateWithChecksum(t *testing.T) {
	for _, c := range authv1alpha1.Charsets {
		t.Run(string(c), func(t *testing.T) {
			spec := authv1alpha1.GenerateSource{Length: 32, Charset: c, Prefix: "at_", Checksum: true}
			v, err := Generator{Rand: seeded(7)}.Generate(spec)
			if err != nil {
				t.Fatal(err)
			}
			alphabet, _ := Alphabet(c)
			s := v.v
			if len(s) != 35 || !strings.HasPrefix(s, "at_") {
				t.Fatalf("length %d, prefix %q: want 35 characters starting at_", len(s), s[:3])
			}
			for _, r := range s[3:] {
				if !strings.ContainsRune(alphabet, r) {
					t.Fatalf("character %q is outside charset %s", r, c)
				}
			}
			if !ValidChecksum(v, c) {
				t.Fatal("a generated token fails its own checksum")
			}
			// Any one changed character before the checksum is caught.
			for i := 3; i < len(s)-ChecksumLength; i++ {
				b := []byte(s)
				b[i] = alphabet[(strings.IndexByte(alphabet, b[i])+1)%len(alphabet)]
				if ValidChecksum(NewValue(b), c) {
					t.Fatalf("a token with character %d changed still passes", i)
				}
			}
		})
	}
}

func TestValidChecksumRejects(t *testing.T) {
	cases := map[string]struct {
		value   string
		charset authv1alpha1.Charset
	}{
		"too short":       {"abcdef", authv1alpha1.CharsetAlphanumeric},
		"random string":   {"at_0123456789abcdefghijklmnopqrstu", authv1alpha1.CharsetAlphanumeric},
		"outside charset": {"at_0123456789abcdefghijklmno!!!!!!", authv1alpha1.CharsetAlphanumeric},
		"unknown charset": {"at_0123456789abcdefghijklmnopqrstu", "Emoji"},
		"empty":           {"", authv1alpha1.CharsetHex},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if ValidChecksum(NewValue([]byte(tc.value)), tc.charset) {
				t.Errorf("ValidChecksum(%q) = true, want false", tc.value)
			}
		})
	}
}
