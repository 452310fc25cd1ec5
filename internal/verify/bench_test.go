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
	"testing"

	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// BenchmarkVerify is one in-process verification with 100k tokens indexed,
// on one core (go test -cpu 1).
func BenchmarkVerify(b *testing.B) {
	v, values := testutil.IndexedVerifier(b, 100_000)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := v.Verify(values[i%len(values)]); !ok {
			b.Fatal("a valid token did not verify")
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}
