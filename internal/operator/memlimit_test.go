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

package operator

import (
	"strings"
	"testing"
)

func TestSoftMemoryLimit(t *testing.T) {
	cases := map[string]struct {
		env     map[string]string
		ratio   float64
		want    int64
		wantErr string
	}{
		"the chart's 256Mi":             {env: map[string]string{"MEMORY_LIMIT": "268435456"}, ratio: 0.9, want: 241591910},
		"the whole limit":               {env: map[string]string{"MEMORY_LIMIT": "268435456"}, ratio: 1, want: 268435456},
		"no limit: the runtime's own":   {env: map[string]string{}, ratio: 0.9},
		"GOMEMLIMIT is the user's word": {env: map[string]string{"MEMORY_LIMIT": "268435456", "GOMEMLIMIT": "100MiB"}, ratio: 0.9},
		"a quantity, not bytes":         {env: map[string]string{"MEMORY_LIMIT": "256Mi"}, ratio: 0.9, wantErr: `MEMORY_LIMIT="256Mi": want the container's memory limit in bytes`},
		"zero bytes":                    {env: map[string]string{"MEMORY_LIMIT": "0"}, ratio: 0.9, wantErr: `MEMORY_LIMIT="0"`},
		"a ratio of nothing":            {env: map[string]string{"MEMORY_LIMIT": "268435456"}, ratio: 0, wantErr: "--memory-limit-ratio=0: must be more than 0 and at most 1"},
		"a ratio past the limit":        {env: map[string]string{}, ratio: 1.5, wantErr: "--memory-limit-ratio=1.5: must be more than 0 and at most 1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := SoftMemoryLimit(func(k string) string { return tc.env[k] }, tc.ratio)
			switch {
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one saying %q", err, tc.wantErr)
			case tc.wantErr == "" && err != nil:
				t.Fatal(err)
			case got != tc.want:
				t.Fatalf("limit %d, want %d", got, tc.want)
			}
		})
	}
}
