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

// Package clierrors is how the plugin's commands fail: a usage error (a
// mistake in the command line, exit code 2) or an API error put in the one
// line a person or a script reads.
package clierrors

import (
	"errors"
	"fmt"
	"strings"
)

// UsageError is a mistake in the command line: exit code 2.
type UsageError struct{ msg string }

func (e *UsageError) Error() string { return e.msg }

// Usagef is a UsageError.
func Usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// IsUsage says err is a mistake in the command line: ours, or one of
// cobra's own, which are not typed.
func IsUsage(err error) bool {
	var usage *UsageError
	if errors.As(err, &usage) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "invalid argument", "accepts ", "requires at least", "flag needs an argument"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// OneLine folds an error onto one line, as scripts read it.
func OneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
