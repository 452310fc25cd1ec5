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

package clierrors

import (
	"strings"

	"github.com/spf13/cobra"
)

// NoArgs refuses arguments as a usage error.
func NoArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return Usagef("unknown command or argument %q", args[0])
	}
	return nil
}

// ExactlyOneName takes the ApiToken's name and nothing else.
func ExactlyOneName(_ *cobra.Command, args []string) error {
	switch len(args) {
	case 0:
		return Usagef("NAME is required: the ApiToken's name")
	case 1:
		return nil
	default:
		return Usagef("one NAME only, got %d arguments: %s", len(args), strings.Join(args, " "))
	}
}
