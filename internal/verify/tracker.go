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

package verify

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// DefaultLastUsedInterval is how often lastUsedDate is written per token at most.
const DefaultLastUsedInterval = time.Minute

// Tracker records successful verifications and writes lastUsedDate, at most
// once per Interval per token: never a write per request. A failed write is
// retried at the next flush; pending times are flushed on shutdown. It runs
// on every replica (each records what it verified).
type Tracker struct {
	Client   client.Client
	Clock    clock.PassiveClock
	Interval time.Duration
	Log      logr.Logger

	mu      sync.Mutex
	pending map[types.NamespacedName]time.Time
	written map[types.NamespacedName]time.Time
}

// Used notes that a token was verified at t.
func (t *Tracker) Used(namespace, name string, at time.Time) {
	key := types.NamespacedName{Namespace: namespace, Name: name}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.pending == nil {
		t.pending = map[types.NamespacedName]time.Time{}
	}
	if at.After(t.pending[key]) {
		t.pending[key] = at
	}
}

// NeedLeaderElection is false: every replica writes what it verified.
func (t *Tracker) NeedLeaderElection() bool { return false }

// Start flushes every Interval until ctx ends, then once more.
func (t *Tracker) Start(ctx context.Context) error {
	interval := t.Interval
	if interval <= 0 {
		interval = DefaultLastUsedInterval
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			flushCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			t.Flush(flushCtx, true)
			return nil
		case <-tick.C:
			t.Flush(ctx, false)
		}
	}
}

// Flush writes pending lastUsedDates whose token was not written within the
// interval (all of them when final).
func (t *Tracker) Flush(ctx context.Context, final bool) {
	now := t.Clock.Now()
	t.mu.Lock()
	for k, at := range t.written {
		if _, ok := t.pending[k]; !ok && now.Sub(at) >= 2*t.Interval {
			delete(t.written, k) // bounded by the tokens used recently
		}
	}
	due := map[types.NamespacedName]time.Time{}
	for k, at := range t.pending {
		if final || now.Sub(t.written[k]) >= t.Interval {
			due[k] = at
			delete(t.pending, k)
		}
	}
	t.mu.Unlock()

	for k, at := range due {
		patch, _ := json.Marshal(map[string]any{"status": map[string]any{"lastUsedDate": at.UTC().Truncate(time.Second).Format(time.RFC3339)}})
		tok := &authv1alpha1.ApiToken{}
		tok.Namespace, tok.Name = k.Namespace, k.Name
		err := t.Client.Status().Patch(ctx, tok, client.RawPatch(types.MergePatchType, patch))
		t.mu.Lock()
		if err != nil {
			if client.IgnoreNotFound(err) != nil {
				t.Log.Error(err, "Failed to record lastUsedDate; retrying at the next flush", "apitoken", k)
				if at.After(t.pending[k]) {
					t.pending[k] = at
				}
			}
		} else {
			if t.written == nil {
				t.written = map[types.NamespacedName]time.Time{}
			}
			t.written[k] = now
		}
		t.mu.Unlock()
	}
}
