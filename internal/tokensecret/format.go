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

package tokensecret

import "time"

// FormatTime is how times are written into the Secret's annotations (RFC
// 3339, UTC, whole seconds). Messages that quote such a time use it too, so
// that a user can compare them with what the Secret says.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// parseTime reads a time written by FormatTime; anything else is zero.
func parseTime(v string) time.Time {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}
	}
	return t
}
