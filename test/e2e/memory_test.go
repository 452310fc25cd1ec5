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

package e2e

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// TestMemoryLimitWarning runs the binary under a memory limit its live heap
// is already more than half of (GOMEMLIMIT, as the chart sets it from the
// container's limit): once its caches have synced, it says so in its log,
// with the figures and the limit it recommends.
func TestMemoryLimitWarning(t *testing.T) {
	g := NewWithT(t)
	logs := &testutil.SyncBuffer{}
	startOperatorWithEnv(t, logs, []string{"GOMEMLIMIT=8MiB"},
		"--leader-elect=false", "--metrics-bind-address=0", "--health-probe-bind-address=0", "--query-bind-address=0")
	g.Eventually(logs.String, time.Minute, 250*time.Millisecond).Should(And(
		ContainSubstring("the live heap is over half the memory limit"),
		ContainSubstring(`"memoryLimitMiB":8`),
		ContainSubstring(`"recommendedLimitMiB":`)))
}
