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
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tombstone"
)

var _ = Describe("Revocations and the changes that race them", func() {
	var (
		ctx context.Context
		ns  string
	)
	BeforeEach(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
	})
	// unrevoke sets spec.revoked back to false with a new fingerprint, as
	// a regenerate does, in one update.
	unrevoke := func(tok *authv1alpha1.ApiToken, value string) error {
		cur := &authv1alpha1.ApiToken{}
		if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(tok), cur); err != nil {
			return err
		}
		cur.Spec.Revoked = false
		cur.Spec.Source = testutil.MakeApiToken(ns, tok.Name).Hashed(value).Obj().Spec.Source
		return k8sClient.Update(ctx, cur)
	}

	It("refuses to un-revoke until the operator has recorded the revocation, and gives the revoked value no grace period", func() {
		valueA, valueB := uniqueValue("revorderaaaaabbbbbcccccdddddeee01", ns), uniqueValue("revorderzzzzzyyyyyxxxxxwwwwwvvv02", ns)
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "cron").Hashed(valueA).Rotation(0, time.Hour).Obj())).To(Succeed())
		tok := waitForRevision(ctx, ns, "cron", 1)

		By("the operator is down: a revocation is written, then a regenerate with a grace period")
		mgr.stop()
		restarted := false
		DeferCleanup(func() {
			if !restarted {
				mgr = startManager()
			}
		})
		patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })
		err := unrevoke(tok, valueB)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
		Expect(err.Error()).To(ContainSubstring("spec.revoked can be set back to false only once the operator has recorded the revocation"))
		Expect(getToken(ctx, ns, "cron").Spec.Revoked).To(BeTrue(), "the revocation stands")

		By("once the operator has recorded it, the regenerate is taken, without a grace period for the revoked value")
		mgr, restarted = startManager(), true
		waitForStatus(ctx, ns, "cron", authv1alpha1.TokenStatusRevoked, authv1alpha1.ReasonRevoked)
		Expect(unrevoke(tok, valueB)).To(Succeed())
		got := waitForRevision(ctx, ns, "cron", 2)
		Expect(got.Status.TokenHash).To(Equal(token.Fingerprint([]byte(valueB))))
		Expect(got.Status.PreviousTokenHash).To(BeEmpty())
		Expect(got.Status.PreviousTokenExpirationDate).To(BeNil())
	})

	It("ends every token in the state its last spec asks for when revocations and regenerates land milliseconds apart", func() {
		const n = 24
		values := func(round int) []string {
			vs := make([]string, n)
			for i := range vs {
				vs[i] = uniqueValue(fmt.Sprintf("raced%02dround%d-aaaabbbbccccddddeeee", i, round), ns)
			}
			return vs
		}
		first, second := values(1), values(2)
		for i := range n {
			Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, fmt.Sprintf("raced-%02d", i)).Hashed(first[i]).Rotation(0, time.Hour).Obj())).To(Succeed())
		}
		for i := range n {
			waitForRevision(ctx, ns, fmt.Sprintf("raced-%02d", i), 1)
		}
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				defer GinkgoRecover()
				tok := getToken(ctx, ns, fmt.Sprintf("raced-%02d", i))
				patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })
				// As soon as the API server takes it: the first moment the
				// operator has recorded the revocation.
				Eventually(func() error { return unrevoke(tok, second[i]) }).WithPolling(5 * time.Millisecond).Should(Succeed())
			})
		}
		wg.Wait()
		for i := range n {
			name := fmt.Sprintf("raced-%02d", i)
			Eventually(func(g Gomega) {
				got := getToken(ctx, ns, name)
				g.Expect(got.Status.ObservedGeneration).To(Equal(got.Generation))
				g.Expect(got.Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusActive), name)
				g.Expect(got.Status.TokenHash).To(Equal(token.Fingerprint([]byte(second[i]))), name)
				g.Expect(got.Status.PreviousTokenHash).To(BeEmpty(), "%s: a revoked value has no grace period", name)
				g.Expect(readyCondition(got).Status).To(BeEquivalentTo("True"), name)
			}).Should(Succeed())
		}
	})
})

var _ = Describe("An earlier copy of a token Secret written back", func() {
	It("is drift: the rotated-away value is not reported again, a new token is issued, and an Event says an earlier revision was written back", func() {
		ctx := context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns := newNamespace(ctx)
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "restored").Obj())).To(Succeed())
		first := waitForRevision(ctx, ns, "restored", 1)
		backup := getSecret(ctx, ns, "restored")
		annotateRotate(ctx, first, "rotate-once")
		second := waitForRevision(ctx, ns, "restored", 2)
		Expect(second.Status.TokenHash).NotTo(Equal(first.Status.TokenHash))

		By("a backup restore writes revision 1 back, mark and all")
		Eventually(func() error {
			cur := getSecret(ctx, ns, "restored")
			cur.Data, cur.Annotations = backup.Data, backup.Annotations
			return k8sClient.Update(ctx, cur)
		}).Should(Succeed())

		got := waitForRevision(ctx, ns, "restored", 3)
		Expect(got.Status.TokenHash).NotTo(BeElementOf(first.Status.TokenHash, second.Status.TokenHash))
		Eventually(func(g Gomega) {
			var list eventsv1.EventList
			g.Expect(k8sClient.List(ctx, &list, client.InNamespace(ns))).To(Succeed())
			var notes []string
			for _, e := range list.Items {
				if e.Regarding.Name == "restored" && e.Reason == authv1alpha1.ReasonReissued {
					notes = append(notes, e.Note)
				}
			}
			g.Expect(notes).To(ContainElement(ContainSubstring("holds revision 1 of the token, earlier than the current 2: an earlier copy was written back")))
		}).Should(Succeed())
		Expect(getSecret(ctx, ns, "restored").Annotations[authv1alpha1.TokenHashAnnotation]).To(Equal(got.Status.TokenHash))
	})
})

var _ = Describe("A revoked fingerprint", func() {
	It("never comes back: not after an un-revoke with a new value, nor in another ApiToken", func() {
		ctx := context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns := newNamespace(ctx)
		valueA, valueB := uniqueValue("tombstoneaaaaabbbbbcccccdddddee01", ns), uniqueValue("tombstonezzzzzyyyyyxxxxxwwwwwvv02", ns)
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "laptop").Hashed(valueA).Obj())).To(Succeed())
		tok := waitForRevision(ctx, ns, "laptop", 1)
		patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })
		revoked := waitForStatus(ctx, ns, "laptop", authv1alpha1.TokenStatusRevoked, authv1alpha1.ReasonRevoked)
		Expect(revoked.Status.RevokedTokenHashes).To(Equal([]string{token.Fingerprint([]byte(valueA))}))

		patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) {
			t.Spec.Revoked = false
			t.Spec.Source = testutil.MakeApiToken(ns, "laptop").Hashed(valueB).Obj().Spec.Source
		})
		waitForRevision(ctx, ns, "laptop", 2)

		By("the holder puts the revoked fingerprint back")
		patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) {
			t.Spec.Source = testutil.MakeApiToken(ns, "laptop").Hashed(valueA).Obj().Spec.Source
		})
		back := waitForStatus(ctx, ns, "laptop", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonRevokedTokenReused)
		Expect(back.Status.TokenHash).NotTo(Equal(token.Fingerprint([]byte(valueA))))

		By("another ApiToken copies it")
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "copy").Hashed(valueA).Obj())).To(Succeed())
		copied := waitForStatus(ctx, ns, "copy", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonDuplicateToken)
		Expect(copied.Status.TokenHash).To(BeEmpty())
	})
})

var _ = Describe("A revoked value whose ApiToken was deleted", func() {
	It("is refused under a new ApiToken anywhere, even after a restart, in words that say nothing of whose it was", func() {
		ctx := context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns, elsewhere := newNamespace(ctx), newNamespace(ctx)
		leaked := uniqueValue("tombstonedeletedaaaabbbbccccdd01", ns)
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "leaked-one").Hashed(leaked).Obj())).To(Succeed())
		tok := waitForRevision(ctx, ns, "leaked-one", 1)
		patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })
		waitForStatus(ctx, ns, "leaked-one", authv1alpha1.TokenStatusRevoked, authv1alpha1.ReasonRevoked)
		digest := strings.TrimPrefix(token.Fingerprint([]byte(leaked)), "sha256:")
		Eventually(func(g Gomega) {
			s := &corev1.Secret{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: "default", Name: tombstone.SecretPrefix + digest[:1]}, s)).To(Succeed())
			g.Expect(s.Data).To(HaveKey(digest))
		}).Should(Succeed())

		By("an editor deletes the revoked ApiToken and creates another with the value")
		Expect(k8sClient.Delete(ctx, tok)).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKeyFromObject(tok), &authv1alpha1.ApiToken{}))
		}).Should(BeTrue())
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(elsewhere, "fresh-start").Hashed(leaked).Obj())).To(Succeed())
		// Refused either way: as a duplicate while this replica's read
		// model may still hold the deleted ApiToken's row (its informer
		// handler can lag the controller's), else as a tombstone.
		Eventually(func(g Gomega) {
			got := getToken(ctx, elsewhere, "fresh-start")
			g.Expect(got.Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusFailed))
			g.Expect(readyCondition(got).Reason).To(BeElementOf(authv1alpha1.ReasonRevokedTokenReused, authv1alpha1.ReasonDuplicateToken))
			g.Expect(got.Status.TokenHash).To(BeEmpty())
		}).Should(Succeed())

		By("a restarted operator, whose read model never saw the deleted ApiToken, refuses it as a tombstone")
		mgr.stop()
		mgr = startManager()
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(elsewhere, "after-restart").Hashed(leaked).Obj())).To(Succeed())
		refused := waitForStatus(ctx, elsewhere, "after-restart", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonRevokedTokenReused)
		Expect(refused.Status.TokenHash).To(BeEmpty())
		Expect(readyCondition(refused).Message).NotTo(ContainSubstring(ns))
		Expect(readyCondition(refused).Message).NotTo(ContainSubstring("leaked-one"))
	})
})
