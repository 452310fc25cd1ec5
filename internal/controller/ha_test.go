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

package controller_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// queryCount asks a manager's query API how many ApiTokens a namespace holds.
func queryCount(m *runningManager, ns string) (int, error) {
	resp, err := http.Get(m.queryURL + "/api/v1/tokens?namespace=" + ns)
	if err != nil {
		return 0, err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	var r query.Response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return 0, err
	}
	return r.PageInfo.TotalCount, nil
}

var _ = Describe("High availability", func() {
	It("lets only the leader write, hands over on shutdown in time for a pending expiry, and serves queries on every replica", func(ctx context.Context) {
		SetDefaultEventuallyTimeout(30 * time.Second)
		ns := newNamespace(ctx)

		// This spec needs the only managers to be the two it starts.
		mgr.stop()
		DeferCleanup(func() { mgr = startManager() })
		id := "ha-" + ns
		a := startManagerWith(managerOptions{leaderElectionID: id, query: true}, "0")
		b := startManagerWith(managerOptions{leaderElectionID: id, query: true}, "0")
		DeferCleanup(func() { a.stop(); b.stop() })

		Eventually(func() bool { return a.leading() || b.leading() }).Should(BeTrue())
		leader, follower := a, b
		if b.leading() {
			leader, follower = b, a
		}
		Consistently(follower.leading, time.Second).Should(BeFalse(), "one leader at a time")

		By("issuing through the leader only")
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "ha").TTL(8*time.Second).Obj())).To(Succeed())
		active := waitForStatus(ctx, ns, "ha", authv1alpha1.TokenStatusActive, authv1alpha1.ReasonIssued)
		Expect(leader.writes.inNamespace(ns)).To(BeNumerically(">", 0))
		Expect(follower.writes.inNamespace(ns)).To(BeZero())
		for _, m := range []*runningManager{leader, follower} {
			Eventually(func() (int, error) { return queryCount(m, ns) }).Should(Equal(1), "every replica answers queries")
		}

		By("stopping the leader: the follower takes over within the lease duration")
		stoppedAt := time.Now()
		leader.stop()
		Eventually(follower.leading, testLeaseDuration+2*time.Second).Should(BeTrue())
		GinkgoWriter.Printf("takeover after %s\n", time.Since(stoppedAt))

		By("expiring on time under the new leader")
		expired := waitForStatus(ctx, ns, "ha", authv1alpha1.TokenStatusExpired, authv1alpha1.ReasonExpired)
		ready := readyCondition(expired)
		Expect(ready.LastTransitionTime.Time).NotTo(BeTemporally("<", active.Status.ExpirationDate.Time))
		Expect(ready.LastTransitionTime.Time).To(BeTemporally("<=", active.Status.ExpirationDate.Add(time.Second)))
		Expect(follower.writes.inNamespace(ns)).To(BeNumerically(">", 0))
		Expect(queryCount(follower, ns)).To(Equal(1))
	})
})
