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
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// TestSIGKILLDuringIssuance kills the manager process with SIGKILL five
// times while 300 ApiTokens are being issued. After a clean start every
// ApiToken is Active with exactly one Secret, each was issued once
// (revision 1), every token seen before a kill is unchanged, and no Secret
// is left without its ApiToken.
func TestSIGKILLDuringIssuance(t *testing.T) {
	g := NewWithT(t)
	ctx := context.Background()
	ns := newNamespace(t, "kill-")
	const n = 300
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				tok := testutil.MakeApiToken(ns, fmt.Sprintf("t-%03d", i)).TTL(time.Hour).Obj()
				if err := k8sClient.Create(ctx, tok); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()

	logs := &testutil.SyncBuffer{}
	args := []string{"--leader-elect=false", "--metrics-bind-address=0", "--health-probe-bind-address=0", "--query-bind-address=0"}
	seen := map[string]string{}
	for kill, progress := range []int{20, 70, 130, 190, 250} {
		op := startOperator(t, logs, args...)
		g.Eventually(func() (int, error) {
			s, err := testutil.ManagedSecrets(ctx, k8sClient, ns)
			return len(s), err
		}, time.Minute, 5*time.Millisecond).Should(BeNumerically(">=", progress), "progress before kill %d", kill+1)
		op.kill()
		s, err := testutil.ManagedSecrets(ctx, k8sClient, ns)
		g.Expect(err).NotTo(HaveOccurred())
		t.Logf("SIGKILL %d: %d Secrets written", kill+1, len(s))
		for name, fp := range s {
			seen[name] = fp
		}
	}

	op := startOperator(t, logs, args...)
	g.Eventually(func() error { return testutil.Converged(ctx, k8sClient, ns, 1) }, 2*time.Minute, 200*time.Millisecond).Should(Succeed())
	after, err := testutil.ManagedSecrets(ctx, k8sClient, ns)
	g.Expect(err).NotTo(HaveOccurred())
	g.Expect(after).To(HaveLen(n), "exactly one Secret per ApiToken")
	for name, fp := range seen {
		g.Expect(after[name]).To(Equal(fp), "the token in %s seen before a kill is unchanged", name)
	}
	var revisions []int64
	for i := range n {
		tok := testutil.MakeApiToken(ns, fmt.Sprintf("t-%03d", i)).Obj()
		g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(tok), tok)).To(Succeed())
		if tok.Status.Revision != 1 {
			revisions = append(revisions, tok.Status.Revision)
		}
	}
	g.Expect(revisions).To(BeEmpty(), "every ApiToken issued exactly once")
	op.stop(t)
}
