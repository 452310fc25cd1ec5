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

package status

import (
	"bytes"
	"testing"

	"github.com/apitoken-io/apitoken-operator/internal/cli/clitest"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
)

func TestStatusGolden(t *testing.T) {
	toks := clitest.Tokens()
	for i, file := range []string{"status-hash-only.golden", "status-secret-held.golden", "status-revoked.golden"} {
		var out bytes.Buffer
		if err := (report{now: clitest.Now, window: printing.DefaultExpiringWithin}).print(&out, &toks[i], nil, nil); err != nil {
			t.Fatal(err)
		}
		clitest.Golden(t, file, out.Bytes())
	}
}
