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
	"time"

	testingclock "k8s.io/utils/clock/testing"

	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// TestBelongsAsOwned: a Secret's value verifies for an ApiToken only when
// the one ownership rule (tokensecret.Claim.OwnedBy, the controller's
// before it writes there) says the Secret is that ApiToken's, and its
// status names the Secret; the cases are tokensecret's TestOwnedBy's.
func TestBelongsAsOwned(t *testing.T) {
	for _, c := range testutil.OwnershipCases() {
		t.Run(c.Name, func(t *testing.T) {
			idx, model := verify.NewIndex(testutil.Marker), readmodel.NewModel()
			idx.Update(c.Secret)
			model.Upsert(readmodel.RowFor(c.Token))
			v := &verify.Verifier{Index: idx, Model: model, Clock: testingclock.NewFakeClock(time.Now())}
			want := c.WantOwned && c.StatusNamesIt
			if _, ok := v.Check(c.Value); ok != want {
				t.Fatalf("the value verifies: %v, want %v (owned %v, status naming the Secret %v)", ok, want, c.WantOwned, c.StatusNamesIt)
			}
		})
	}
}
