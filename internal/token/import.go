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
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
)

// DefaultImportRule is the format an imported value must have when the
// ApiToken sets no pattern.
const DefaultImportRule = "exactly 32 characters of [a-z0-9]"

var defaultImportPattern = regexp.MustCompile(`^[a-z0-9]{32}$`)

// MaxBytes is the longest token the operator imports or verifies: longer
// values are refused rather than copied, indexed and compared.
const MaxBytes = 1024

// ErrInvalidPattern marks a pattern that is not a valid RE2 expression.
var ErrInvalidPattern = errors.New("invalid pattern")

// ImportRule checks imported values: the default rule, or a user's RE2
// pattern matched against the whole value.
type ImportRule struct {
	re      *regexp.Regexp
	pattern string
}

// NewImportRule compiles pattern (empty: the default rule). The error wraps
// ErrInvalidPattern and quotes the pattern, never a value.
func NewImportRule(pattern string) (ImportRule, error) {
	if pattern == "" {
		return ImportRule{re: defaultImportPattern}, nil
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return ImportRule{}, fmt.Errorf("%w: %q is not a valid RE2 expression: %s", ErrInvalidPattern, pattern, describeRegexpError(err))
	}
	return ImportRule{re: re, pattern: pattern}, nil
}

// Check returns nil when v passes the rule, else an error that names the rule
// broken. The error never contains the value or any part of it.
func (r ImportRule) Check(v Value) error {
	if v.IsZero() {
		return errors.New("the value is empty")
	}
	if len(v.v) > MaxBytes {
		// Not its length: a status that quotes it tells a reader of the
		// ApiToken something about a Secret they may not read.
		return fmt.Errorf("the value is longer than the %d bytes accepted", MaxBytes)
	}
	if r.re.MatchString(v.v) {
		return nil
	}
	hint := ""
	if strings.TrimRightFunc(v.v, unicode.IsSpace) != v.v {
		hint = " (it ends with whitespace or a newline: store the token without one)"
	}
	if r.pattern == "" {
		return fmt.Errorf("the value is not %s%s; set spec.source.import.pattern to accept another format", DefaultImportRule, hint)
	}
	return fmt.Errorf("the value does not match spec.source.import.pattern %q%s", r.pattern, hint)
}

// Describe names the rule for a message that must say no more than that a
// value does not match it (no hint drawn from the value).
func (r ImportRule) Describe() string {
	if r.pattern == "" {
		return DefaultImportRule
	}
	return fmt.Sprintf("spec.source.import.pattern %q", r.pattern)
}

// describeRegexpError keeps the parser's reason ("missing closing )") without
// repeating the expression, which the caller already quotes.
func describeRegexpError(err error) string {
	var syn *syntax.Error
	if errors.As(err, &syn) {
		return string(syn.Code)
	}
	return err.Error()
}
