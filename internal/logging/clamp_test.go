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

package logging

import (
	"strings"
	"testing"

	"github.com/go-logr/logr/funcr"
)

func TestClampDropsVerboseLevels(t *testing.T) {
	var out strings.Builder
	base := funcr.New(func(prefix, args string) { out.WriteString(prefix + " " + args + "\n") }, funcr.Options{Verbosity: 10})
	l := Clamp(base).WithName("client").WithValues("k", "v")

	cases := map[string]struct {
		level  int
		logged bool
	}{
		"info":                  {level: 0, logged: true},
		"debug":                 {level: 1, logged: true},
		"highest allowed":       {level: MaxVerbosity, logged: true},
		"client-go bodies":      {level: 8, logged: false},
		"client-go full bodies": {level: 10, logged: false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out.Reset()
			v := l.V(tc.level)
			v.Info("request", "body", "secret-body")
			if got := strings.Contains(out.String(), "secret-body"); got != tc.logged {
				t.Fatalf("V(%d) logged = %v, want %v", tc.level, got, tc.logged)
			}
			if v.Enabled() != tc.logged {
				t.Fatalf("V(%d).Enabled() = %v, want %v", tc.level, v.Enabled(), tc.logged)
			}
		})
	}
}
