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
	"regexp"
	"strings"
	"testing"
)

// TestImportRuleLinearTime: RE2 matches in time linear in the input, so a
// pattern that is catastrophic for backtracking engines returns at once on
// the largest value a Secret can hold (a backtracking engine would not
// finish before the test's timeout).
func TestImportRuleLinearTime(t *testing.T) {
	for _, pattern := range []string{`(a+)+b`, `(a|aa)*b`, `(a*)*b`, `(.*a){20}`} {
		rule, err := NewImportRule(pattern)
		if err != nil {
			t.Fatal(err)
		}
		// Below MaxBytes, so that the match itself runs.
		if err := rule.Check(NewValue([]byte(strings.Repeat("a", MaxBytes)))); err == nil && pattern != `(.*a){20}` {
			t.Errorf("%s matched a value without b", pattern)
		}
		if err := rule.Check(NewValue([]byte(strings.Repeat("a", 1<<20)))); err == nil {
			t.Errorf("%s accepted a 1 MiB value", pattern)
		}
	}
	re, _ := regexp.Compile(`^(?:(a|aa)*b)$`)
	if re.MatchString(strings.Repeat("a", 1<<20)) {
		t.Error("the pattern matched")
	}
}

func TestImportRule(t *testing.T) {
	const valid = "abcdefghijklmnopqrstuvwxyz012345"
	cases := map[string]struct {
		pattern        string
		value          string
		wantPatternErr string
		wantCheckErr   string
	}{
		"default rule accepts 32 of [a-z0-9]": {value: valid},
		"default rule rejects upper case":     {value: strings.ToUpper(valid), wantCheckErr: "not exactly 32 characters of [a-z0-9]"},
		"default rule rejects 31 characters":  {value: valid[:31], wantCheckErr: "not exactly 32 characters of [a-z0-9]"},
		"default rule names the newline":      {value: valid + "\n", wantCheckErr: "ends with whitespace or a newline"},
		"empty value":                         {value: "", wantCheckErr: "the value is empty"},
		"pattern replaces the default":        {pattern: "ghp_[A-Za-z0-9]{36}", value: "ghp_" + strings.Repeat("A", 36)},
		"pattern is anchored at both ends":    {pattern: "[a-z]+", value: "abc1", wantCheckErr: "does not match spec.source.import.pattern"},
		"alternation is anchored as a whole":  {pattern: "a|b", value: "ab", wantCheckErr: "does not match"},
		"invalid pattern":                     {pattern: "(abc", wantPatternErr: "missing closing )"},
		"a value over 1024 bytes is refused":  {pattern: "a+", value: strings.Repeat("a", 1<<20), wantCheckErr: "the value is longer than the 1024 bytes accepted"},
		"1024 bytes are accepted":             {pattern: "a+", value: strings.Repeat("a", 1024)},
		"perl lookahead is not RE2":           {pattern: "(?=a)a", wantPatternErr: "is not a valid RE2 expression"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rule, err := NewImportRule(tc.pattern)
			if tc.wantPatternErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantPatternErr) || !errors.Is(err, ErrInvalidPattern) {
					t.Fatalf("NewImportRule error = %v, want ErrInvalidPattern containing %q", err, tc.wantPatternErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			err = rule.Check(NewValue([]byte(tc.value)))
			switch {
			case tc.wantCheckErr == "" && err != nil:
				t.Fatalf("Check = %v, want nil", err)
			case tc.wantCheckErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantCheckErr)):
				t.Fatalf("Check = %v, want it to contain %q", err, tc.wantCheckErr)
			case err != nil && tc.value != "" && strings.Contains(err.Error(), strings.TrimSpace(tc.value)):
				t.Fatalf("Check error %q echoes the value", err)
			}
		})
	}
}
