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
	"fmt"
	"strconv"
)

// MemoryLimitEnv is the container's memory limit in bytes, which the chart
// and config/manager set from resources.limits.memory.
const MemoryLimitEnv = "MEMORY_LIMIT"

// DefaultMemoryLimitRatio is how much of the container's memory limit the
// Go runtime may use (--memory-limit-ratio): the rest is room for what the
// runtime does not count and the kernel charges to the container, the
// binary's mapped code (about 40 MiB) above all. With the runtime allowed
// the whole limit, the anonymous memory alone reached it at 100,000 tokens.
const DefaultMemoryLimitRatio = 0.9

// SoftMemoryLimit is the Go runtime's soft memory limit (debug.SetMemoryLimit)
// for the environment getenv reads: ratio of MEMORY_LIMIT. It is 0, leave
// the runtime as it is, when GOMEMLIMIT is set (the runtime reads that
// itself: an operator's own choice) or MEMORY_LIMIT is not (no limit).
func SoftMemoryLimit(getenv func(string) string, ratio float64) (int64, error) {
	if !(ratio > 0 && ratio <= 1) {
		return 0, fmt.Errorf("--memory-limit-ratio=%v: must be more than 0 and at most 1", ratio)
	}
	raw := getenv(MemoryLimitEnv)
	if raw == "" || getenv("GOMEMLIMIT") != "" {
		return 0, nil
	}
	limit, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || limit <= 0 {
		return 0, fmt.Errorf("%s=%q: want the container's memory limit in bytes, as resourceFieldRef gives resources.limits.memory", MemoryLimitEnv, raw)
	}
	return int64(float64(limit) * ratio), nil
}
