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
	"strings"
	"testing"
)

func TestSealedValue(t *testing.T) {
	raw := []byte("abcdefghijklmnopqrstuvwxyz012345")
	plain := NewValue(raw)
	sealed := Unseal(Seal(raw))
	if strings.Contains(string(Seal(raw)), string(raw[:10])) {
		t.Fatal("the sealed form holds the value")
	}
	for name, c := range map[string]struct{ got, want any }{
		"Sealed":            {sealed.Sealed(), true},
		"plain not Sealed":  {plain.Sealed(), false},
		"Fingerprint":       {sealed.Fingerprint(), plain.Fingerprint()},
		"Digest":            {sealed.Digest(), plain.Digest()},
		"LastChars(5)":      {sealed.LastChars(5), "12345"},
		"LastChars(3)":      {sealed.LastChars(3), "345"},
		"LastChars(6)":      {sealed.LastChars(6), ""},
		"Reveal":            {sealed.Reveal() == nil, true},
		"IsZero":            {sealed.IsZero(), false},
		"Equal plain":       {sealed.Equal(plain) && plain.Equal(sealed), true},
		"Equal sealed":      {sealed.Equal(Unseal(Seal(raw))), true},
		"not Equal other":   {sealed.Equal(NewValue([]byte("another-value-0123456789abcdefgh"))), false},
		"not Equal zero":    {sealed.Equal(Value{}) || (Value{}).Equal(sealed), false},
		"short is zero":     {Unseal([]byte("short")).IsZero(), true},
		"redacted":          {sealed.String(), Redacted},
		"short value":       {Unseal(Seal([]byte("abc"))).LastChars(5), ""},
		"empty stays empty": {Unseal(Seal(nil)).IsZero(), true},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", name, c.got, c.want)
		}
	}
}
