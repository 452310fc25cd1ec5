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
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// syncGate holds the controller's workers until synced says yes: a source
// that queues nothing and that the controller waits for, as it waits for
// its informers, before the first reconcile (within its cache sync
// timeout). The read model follows the same informer as the controller
// through a handler of its own, and so can still be catching up when the
// informer has synced: at 100,000 tokens, reconciles that ran before it had
// seen every ApiToken failed, since who else holds a fingerprint was not
// known yet, and were retried with backoff.
type syncGate struct {
	what   string
	synced func() bool
}

func (g syncGate) Start(context.Context, workqueue.TypedRateLimitingInterface[reconcile.Request]) error {
	return nil
}

func (g syncGate) WaitForSync(ctx context.Context) error {
	if err := wait.PollUntilContextCancel(ctx, 20*time.Millisecond, true, func(context.Context) (bool, error) {
		return g.synced(), nil
	}); err != nil {
		return fmt.Errorf("waiting for %s to sync: %w", g.what, err)
	}
	return nil
}

func (g syncGate) String() string { return "sync gate: " + g.what }
