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

package flags

import (
	"testing"
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/cli/clitest"
)

func TestParseDays(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"14d", 14 * clitest.Day, false},
		{"1d12h", 36 * time.Hour, false},
		{"36h", 36 * time.Hour, false},
		{"90m", 90 * time.Minute, false},
		{"0s", 0, false},
		{"-1d", 0, true},
		{"-5m", 0, true},
		{"soon", 0, true},
		{"d", 0, true},
		{"1.5d", 0, true},
	} {
		got, err := parseDays(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseDays(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
