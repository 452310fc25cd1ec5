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
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// seeded is a deterministic entropy source, so that distribution checks
// cannot flake.
func seeded(seed uint64) *rand.ChaCha8 {
	var s [32]byte
	s[0] = byte(seed)
	return rand.NewChaCha8(s)
}

func TestGenerate(t *testing.T) {
	cases := map[string]struct {
		spec      authv1alpha1.GenerateSource
		alphabet  string
		wantLen   int
		wantError string
	}{
		"defaults":        {spec: authv1alpha1.GenerateSource{Length: 32, Charset: authv1alpha1.CharsetLowerAlphanumeric}, alphabet: lowerAlphanumeric, wantLen: 32},
		"alphanumeric":    {spec: authv1alpha1.GenerateSource{Length: 40, Charset: authv1alpha1.CharsetAlphanumeric}, alphabet: alphanumeric, wantLen: 40},
		"hex":             {spec: authv1alpha1.GenerateSource{Length: 64, Charset: authv1alpha1.CharsetHex}, alphabet: hexDigits, wantLen: 64},
		"base64url":       {spec: authv1alpha1.GenerateSource{Length: 16, Charset: authv1alpha1.CharsetBase64URL}, alphabet: base64URL, wantLen: 16},
		"prefix":          {spec: authv1alpha1.GenerateSource{Length: 32, Charset: authv1alpha1.CharsetHex, Prefix: "at_"}, alphabet: hexDigits, wantLen: 35},
		"longest":         {spec: authv1alpha1.GenerateSource{Length: 256, Charset: authv1alpha1.CharsetAlphanumeric}, alphabet: alphanumeric, wantLen: 256},
		"too short":       {spec: authv1alpha1.GenerateSource{Length: 15, Charset: authv1alpha1.CharsetHex}, wantError: "length 15 is out of range"},
		"too long":        {spec: authv1alpha1.GenerateSource{Length: 257, Charset: authv1alpha1.CharsetHex}, wantError: "length 257 is out of range"},
		"unknown charset": {spec: authv1alpha1.GenerateSource{Length: 32, Charset: "Emoji"}, wantError: "unknown charset \"Emoji\""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v, err := Generator{Rand: seeded(1)}.Generate(tc.spec)
			if tc.wantError != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantError) {
					t.Fatalf("error = %v, want it to contain %q", err, tc.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := string(v.Reveal())
			if len(got) != tc.wantLen {
				t.Fatalf("length = %d, want %d", len(got), tc.wantLen)
			}
			if !strings.HasPrefix(got, tc.spec.Prefix) {
				t.Fatalf("token does not start with prefix %q", tc.spec.Prefix)
			}
			for _, c := range strings.TrimPrefix(got, tc.spec.Prefix) {
				if !strings.ContainsRune(tc.alphabet, c) {
					t.Fatalf("character %q is not in the %s alphabet", c, tc.spec.Charset)
				}
			}
		})
	}
}

func TestGenerateUsesCryptoRandByDefault(t *testing.T) {
	spec := authv1alpha1.GenerateSource{Length: 32, Charset: authv1alpha1.CharsetAlphanumeric}
	a, errA := Generator{}.Generate(spec)
	b, errB := Generator{}.Generate(spec)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a.Equal(b) {
		t.Fatal("two generated tokens are equal")
	}
}

// TestDrawIsUniform checks that every character of each alphabet is drawn
// about equally often (chi-square over a deterministic stream): the modulo
// bias rejection sampling avoids would push a 36- or 62-character alphabet's
// first characters well above the bound.
func TestDrawIsUniform(t *testing.T) {
	for _, cs := range []authv1alpha1.Charset{authv1alpha1.CharsetLowerAlphanumeric, authv1alpha1.CharsetAlphanumeric, authv1alpha1.CharsetHex, authv1alpha1.CharsetBase64URL} {
		t.Run(string(cs), func(t *testing.T) {
			alphabet, _ := Alphabet(cs)
			const n = 200_000
			out, err := draw(seeded(7), alphabet, n)
			if err != nil {
				t.Fatal(err)
			}
			counts := map[byte]int{}
			for _, b := range out {
				counts[b]++
			}
			if len(counts) != len(alphabet) {
				t.Fatalf("drew %d distinct characters, want %d", len(counts), len(alphabet))
			}
			expected := float64(n) / float64(len(alphabet))
			chi2 := 0.0
			for i := range len(alphabet) {
				d := float64(counts[alphabet[i]]) - expected
				chi2 += d * d / expected
			}
			// 99.9th percentile of chi-square with 63 degrees of freedom is
			// about 103; a biased draw scores in the hundreds.
			if chi2 > 110 {
				t.Fatalf("chi-square = %.1f over %d characters: not uniform", chi2, len(alphabet))
			}
		})
	}
}

// TestDrawRejectsBiasedBytes feeds bytes at and above the rejection limit:
// they must be skipped, not folded onto the first characters.
func TestDrawRejectsBiasedBytes(t *testing.T) {
	// 36 characters: limit = 252; bytes 252..255 are rejected.
	src := bytes.NewReader(append(bytes.Repeat([]byte{252, 253, 254, 255}, 10), bytes.Repeat([]byte{35}, 64)...))
	out, err := draw(src, lowerAlphanumeric, 16)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Repeat("9", 16); string(out) != want {
		t.Fatalf("draw = %q, want %q (bytes >= 252 must be rejected)", out, want)
	}
}
