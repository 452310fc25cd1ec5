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

package testutil

import (
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// Churn changes rows of m in the background at perSecond, as a busy cluster
// does: each change is a new lastUsedDate (the row moves to the end of that
// order), and every tenth also flips the status between Active and Expired
// (the counts move). It applies them in batches every 10 ms. stop ends it and
// returns how many changes were applied per second.
func Churn(m *readmodel.Model, tokens []*authv1alpha1.ApiToken, perSecond int) (stop func() float64) {
	if perSecond <= 0 {
		return func() float64 { return 0 }
	}
	var applied atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	start := time.Now()
	wg.Go(func() {
		rnd := rand.New(rand.NewPCG(7, 11))
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-tick.C:
				// Catch up to the rate from the start, whatever the ticker skipped.
				due := int64(now.Sub(start).Seconds()*float64(perSecond)) - applied.Load()
				for range due {
					r := readmodel.RowFor(tokens[rnd.IntN(len(tokens))])
					r.LastUsed = now.UnixMilli()
					if applied.Load()%10 == 0 {
						r.SetStatus(authv1alpha1.TokenStatusExpired)
					}
					m.Upsert(r)
					applied.Add(1)
				}
			}
		}
	})
	return func() float64 {
		close(done)
		wg.Wait()
		return float64(applied.Load()) / time.Since(start).Seconds()
	}
}

// ReportLatencies reports the median, 99th and 99.9th percentiles and the
// maximum of per-operation durations, in microseconds.
func ReportLatencies(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(d[len(d)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(d[len(d)*999/1000].Microseconds()), "p99.9-µs")
	b.ReportMetric(float64(d[len(d)-1].Microseconds()), "max-µs")
}
