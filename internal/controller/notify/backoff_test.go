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

package notify

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	cases := []struct {
		attempts   int
		retryAfter time.Duration
		lo, hi     time.Duration
	}{
		{1, 0, time.Second, 1200 * time.Millisecond},
		{3, 0, 4 * time.Second, 4800 * time.Millisecond},
		{9, 0, 256 * time.Second, 256 * time.Second * 6 / 5},
		{10, 0, BackoffCap, BackoffCap * 6 / 5},
		{100, 0, BackoffCap, BackoffCap * 6 / 5},
		{1, 2 * time.Minute, 2 * time.Minute, 2 * time.Minute}, // Retry-After wins when longer
		{12, 30 * time.Second, BackoffCap, BackoffCap * 6 / 5}, // and not when shorter
		{1, 48 * time.Hour, RetryFor, RetryFor},                // never past the 24 hours
	}
	for _, tc := range cases {
		for range 50 {
			if d := Backoff(tc.attempts, tc.retryAfter); d < tc.lo || d > tc.hi {
				t.Fatalf("Backoff(%d, %s) = %s, want within [%s, %s]", tc.attempts, tc.retryAfter, d, tc.lo, tc.hi)
			}
		}
	}
}
