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
	"fmt"
	"regexp"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/policy"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// Copying a fingerprint into a hash-only ApiToken tells its creator
// whether anyone holds that value (DuplicateToken): round two, finding 5.
var _ = Describe("Claims of fingerprints held elsewhere", func() {
	It("answer DuplicateToken only within a small budget per creator, then the same for every new fingerprint of theirs", func() {
		ctx := context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		victimNS, ns := newNamespace(ctx), newNamespace(ctx)
		held := uniqueValue("claimsheldvalue0123456789abcdef01", victimNS)
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(victimNS, "victim").Hashed(held).Obj())).To(Succeed())
		waitForRevision(ctx, victimNS, "victim", 1)

		claim := func(name, creator, value string) {
			GinkgoHelper()
			Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, name).Hashed(value).Annotation(authv1alpha1.CreatedByAnnotation, creator).Obj())).To(Succeed())
		}
		for i := range policy.DuplicateClaimLimit {
			name := fmt.Sprintf("copy-%d", i)
			claim(name, "mallory", held)
			waitForStatus(ctx, ns, name, authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonDuplicateToken)
		}
		claim("copy-over", "mallory", held)
		over := waitForStatus(ctx, ns, "copy-over", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonClaimsThrottled)
		claim("fresh", "mallory", uniqueValue("claimsfreshvalue0123456789abcdef", ns))
		fresh := waitForStatus(ctx, ns, "fresh", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonClaimsThrottled)
		// The same words but for when the check comes again.
		when := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
		Expect(when.ReplaceAllString(readyCondition(fresh).Message, "T")).To(Equal(when.ReplaceAllString(readyCondition(over).Message, "T")),
			"a value held elsewhere and one held nowhere read the same")
		Expect(readyCondition(over).Message).NotTo(ContainSubstring("another ApiToken"))

		By("another creator, and the first holder, are not affected")
		claim("bobs", "bob", uniqueValue("claimsbobsvalue0123456789abcdef0", ns))
		waitForRevision(ctx, ns, "bobs", 1)
		Expect(getToken(ctx, victimNS, "victim").Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusActive))
	})
})
