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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// Hostile ApiTokens each get a clear status or are refused by the API
// server, and harm nothing else: a bystander in the same namespace keeps its
// token throughout.
var _ = Describe("Hostile input", func() {
	var ns string
	var bystander []byte
	BeforeEach(func(ctx context.Context) {
		ns = newNamespace(ctx)
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "bystander").TTL(time.Hour).Obj())).To(Succeed())
		waitForRevision(ctx, ns, "bystander", 1)
		bystander = getSecret(ctx, ns, "bystander").Data["token"]
	})
	AfterEach(func(ctx context.Context) {
		Expect(getToken(ctx, ns, "bystander").Status.Revision).To(Equal(int64(1)))
		Expect(getSecret(ctx, ns, "bystander").Data["token"]).To(Equal(bystander), "the bystander was not harmed")
	})

	It("issues for the longest name the API server allows, and refuses a longer one", func(ctx context.Context) {
		long := strings.Repeat("a", 253)
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, long).Obj())).To(Succeed())
		waitForRevision(ctx, ns, long, 1)
		Expect(getSecret(ctx, ns, long).Data["token"]).NotTo(BeEmpty())

		err := k8sClient.Create(ctx, testutil.MakeApiToken(ns, long+"a").Obj())
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
	})

	It("copes with the largest labels and annotations the API server allows", func(ctx context.Context) {
		tok := testutil.MakeApiToken(ns, "big-meta").Obj()
		tok.Annotations = map[string]string{"example.com/blob": strings.Repeat("x", 255*1024)}
		tok.Labels = map[string]string{}
		for i := range 64 {
			tok.Labels[fmt.Sprintf("example.com/label-%02d", i)] = strings.Repeat("v", 63)
		}
		Expect(k8sClient.Create(ctx, tok)).To(Succeed())
		waitForRevision(ctx, ns, "big-meta", 1)

		tooBig := testutil.MakeApiToken(ns, "too-big").Obj()
		tooBig.Annotations = map[string]string{"example.com/blob": strings.Repeat("x", 257*1024)}
		err := k8sClient.Create(ctx, tooBig)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
		Expect(err.Error()).To(ContainSubstring("metadata.annotations: Too long"))

		By("Secret annotations the API server refuses are reported, not retried forever")
		rejected := testutil.MakeApiToken(ns, "bad-secret-meta").Obj()
		rejected.Spec.Secret.Annotations = map[string]string{"example.com/blob": strings.Repeat("x", 257*1024)}
		Expect(k8sClient.Create(ctx, rejected)).To(Succeed())
		failed := waitForStatus(ctx, ns, "bad-secret-meta", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonSecretRejected)
		Expect(readyCondition(failed).Message).To(ContainSubstring("spec.secret"))
	})

	It("refuses to import a 1 MiB value, saying why without quoting it", func(ctx context.Context) {
		huge := strings.Repeat("a", 1<<20-64)
		Expect(k8sClient.Create(ctx, testutil.MakeSecret(ns, "huge").Data("token", huge).Obj())).To(Succeed())
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "imp-huge").Import("huge", "", "a+").Obj())).To(Succeed())
		failed := waitForStatus(ctx, ns, "imp-huge", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonInvalidImport)
		msg := readyCondition(failed).Message
		Expect(msg).To(ContainSubstring("longer than the 1024 bytes accepted"))
		Expect(msg).NotTo(ContainSubstring("aaaaaaaa"))
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "imp-huge"}, &metav1.PartialObjectMetadata{})).NotTo(Succeed(), "no Secret written")
	})

	It("absorbs rotate annotations as fast as the API server takes them and ends on the last one", func(ctx context.Context) {
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "storm").TTL(time.Hour).Obj())).To(Succeed())
		waitForRevision(ctx, ns, "storm", 1)
		const n = 600
		// No client-side rate limit: as fast as the API server takes them.
		fast := rest.CopyConfig(cfg)
		fast.QPS, fast.Burst = -1, 0
		writer, err := client.New(fast, client.Options{Scheme: scheme})
		Expect(err).NotTo(HaveOccurred())
		var wg sync.WaitGroup
		var mu sync.Mutex
		last := 0
		started := time.Now()
		for w := range 16 {
			wg.Go(func() {
				defer GinkgoRecover()
				for i := w; i < n; i += 16 {
					patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:"%05d"}}}`, authv1alpha1.RotateAnnotation, i)
					Expect(writer.Patch(ctx, &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "storm"}},
						client.RawPatch("application/merge-patch+json", []byte(patch)))).To(Succeed())
					mu.Lock()
					last = max(last, i)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		took := time.Since(started)
		GinkgoWriter.Printf("%d rotate annotations in %s (%.0f/s)\n", n, took, n/took.Seconds())
		storm := getToken(ctx, ns, "storm")
		final := storm.Annotations[authv1alpha1.RotateAnnotation]
		Eventually(func(g Gomega) {
			s := getSecret(ctx, ns, "storm")
			g.Expect(tokensecret.Read(storm, s).RotateHandled).To(Equal(final))
			g.Expect(testutil.Converged(ctx, k8sClient, ns, 1)).To(Succeed())
			g.Expect(getToken(ctx, ns, "storm").Status.Revision).To(BeNumerically(">=", 2))
		}, time.Minute).Should(Succeed())
		rev := getToken(ctx, ns, "storm").Status.Revision
		Expect(rev).To(BeNumerically("<=", n+1), "at most one rotation per annotation value")
		GinkgoWriter.Printf("revision %d after %d rotate requests (last %d)\n", rev, n, last)
	})
})
