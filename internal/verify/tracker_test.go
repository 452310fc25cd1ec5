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

package verify_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	testingclock "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

func TestTrackerCoalescesWrites(t *testing.T) {
	tok := testutil.MakeApiToken("team-a", "svc").Obj()
	var writes atomic.Int32
	scheme := runtime.NewScheme()
	if err := authv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(tok).WithStatusSubresource(tok).
		WithInterceptorFuncs(interceptor.Funcs{SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
			writes.Add(1)
			return c.SubResource(sub).Patch(ctx, obj, p, opts...)
		}}).Build()
	clk := testingclock.NewFakeClock(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	tr := &verify.Tracker{Client: c, Clock: clk, Interval: time.Minute, Log: logr.Discard()}
	ctx := context.Background()

	// 10,000 verifications within one minute: one write.
	for i := range 10_000 {
		tr.Used("team-a", "svc", clk.Now().Add(time.Duration(i)*time.Millisecond*5))
		if i%1000 == 0 {
			tr.Flush(ctx, false)
		}
	}
	tr.Flush(ctx, false)
	if got := writes.Load(); got != 1 {
		t.Fatalf("%d status writes for 10,000 verifications within the interval, want 1", got)
	}

	// The latest time is kept and written once the interval has passed.
	clk.Step(time.Minute)
	tr.Flush(ctx, false)
	if got := writes.Load(); got != 2 {
		t.Fatalf("%d writes after the interval, want 2", got)
	}
	got := testutil.MakeApiToken("team-a", "svc").Obj()
	if err := c.Get(ctx, client.ObjectKeyFromObject(tok), got); err != nil {
		t.Fatal(err)
	}
	if got.Status.LastUsedDate == nil || !got.Status.LastUsedDate.Time.Equal(time.Date(2026, 11, 23, 12, 0, 49, 0, time.UTC)) {
		t.Fatalf("lastUsedDate = %v, want the latest verification (12:00:49)", got.Status.LastUsedDate)
	}

	// Nothing pending: nothing written. A pending time is flushed on shutdown.
	tr.Flush(ctx, false)
	tr.Used("team-a", "svc", clk.Now())
	tr.Flush(ctx, true)
	if got := writes.Load(); got != 3 {
		t.Fatalf("%d writes after the final flush, want 3", got)
	}
}
