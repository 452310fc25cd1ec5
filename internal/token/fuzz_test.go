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
	"errors"
	"fmt"
	"strings"
	"testing"
)

// FuzzImportRule: any pattern either compiles or is refused with
// ErrInvalidPattern; checking any value never panics, and an error never
// carries the value (unless the value is part of the pattern the user wrote,
// which the error quotes).
func FuzzImportRule(f *testing.F) {
	for _, seed := range [][2]string{
		{"", "0123456789abcdefghij0123456789ab"},
		{"", "0123456789abcdefghij0123456789ab\n"},
		{`[A-Z]{8}`, "ABCDEFGH"},
		{`(a+)+$`, strings.Repeat("a", 64) + "!"},
		{`(`, "anything-goes-here"},
		{`\p{Greek}+`, "αβγδεζηθ"},
		{`x{1001}`, "x"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		rule, err := NewImportRule(pattern)
		if err != nil {
			if !errors.Is(err, ErrInvalidPattern) {
				t.Fatalf("pattern %q: error %v does not wrap ErrInvalidPattern", pattern, err)
			}
			return
		}
		err = rule.Check(NewValue([]byte(value)))
		if err == nil {
			if value == "" {
				t.Fatal("an empty value passed")
			}
			return
		}
		// The text an error may hold besides the value: the rule and the quoted pattern.
		template := strings.Join([]string{fmt.Sprintf("%q", pattern), DefaultImportRule, "the value is empty", "the value is not ",
			"; set spec.source.import.pattern to accept another format", "the value does not match spec.source.import.pattern ",
			" (it ends with whitespace or a newline: store the token without one)"}, "\n")
		if len(value) >= 4 && strings.Contains(err.Error(), value) && !strings.Contains(template, value) {
			t.Fatalf("the error quotes the value: %v", err)
		}
	})
}
