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

package controller

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/source"
)

// The controller waits for a SyncingSource before its workers start.
var _ source.SyncingSource = syncGate{}

func TestSyncGateWaitsUntilSynced(t *testing.T) {
	var calls atomic.Int32
	g := syncGate{what: "the read model", synced: func() bool { return calls.Add(1) >= 3 }}
	if err := g.WaitForSync(context.Background()); err != nil {
		t.Fatalf("WaitForSync = %v, want nil once synced", err)
	}
	if n := calls.Load(); n != 3 {
		t.Fatalf("synced was asked %d times, want 3 (until it said yes)", n)
	}
}

func TestSyncGateGivesUpWithTheController(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := syncGate{what: "the read model", synced: func() bool { return false }}.WaitForSync(ctx)
	if err == nil || !strings.Contains(err.Error(), "waiting for the read model to sync") {
		t.Fatalf("WaitForSync = %v, want an error naming the read model", err)
	}
}
