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

package printing_test

import (
	"testing"
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clitest"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
)

func TestState(t *testing.T) {
	toks := clitest.Tokens()
	for _, tc := range []struct {
		tok    *authv1alpha1.ApiToken
		window time.Duration
		want   string
	}{
		{&toks[0], 14 * clitest.Day, printing.StatusExpiringSoon},
		{&toks[0], 9 * clitest.Day, "Active"},
		{&toks[1], 14 * clitest.Day, "Active"},
		{&toks[2], 14 * clitest.Day, "Revoked"},
		{&toks[3], 14 * clitest.Day, "Pending"},
	} {
		if got := printing.State(tc.tok, clitest.Now, tc.window); got != tc.want {
			t.Errorf("state(%s, window %s) = %s, want %s", tc.tok.Name, tc.window, got, tc.want)
		}
	}
}
