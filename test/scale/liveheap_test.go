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

package scale

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// The live heap while the manager starts: what it holds at its most, as
// the garbage collector last marked it, beside what it keeps afterwards.

const liveHeapMetric = "/gc/heap/live:bytes"

// sampleLiveHeap records the peak of the live heap (the bytes the last
// garbage collection found reachable) every 25 ms until stop is first
// called; stop returns it. With HEAP_PROFILE_DIR set it also writes a heap
// profile each time the peak grows by a tenth, named after prefix and the
// peak in MiB: the profile is of the same collection as the figure, so it
// shows what the peak is made of.
func sampleLiveHeap(b *testing.B, prefix string) (stop func() uint64) {
	b.Helper()
	dir := os.Getenv("HEAP_PROFILE_DIR")
	done := make(chan struct{})
	var peak, profiled uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		sample := []metrics.Sample{{Name: liveHeapMetric}}
		tick := time.NewTicker(25 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if live := sample[0].Value.Uint64(); live > peak {
				peak = live
				if dir != "" && live > profiled+profiled/10 {
					profiled = live
					if err := writeProfileTo(filepath.Join(dir, fmt.Sprintf("%s-%dMiB.pprof", prefix, live>>20))); err != nil {
						b.Error(err) // from this goroutine: not Fatal
					}
				}
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return sync.OnceValue(func() uint64 {
		close(done)
		wg.Wait()
		return peak
	})
}
