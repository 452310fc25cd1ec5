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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

var _ = Describe("Hash-only tokens", func() {
	// One fingerprint, one ApiToken, cluster-wide: every spec has values
	// of its own.
	var (
		ctx            context.Context
		ns             string
		valueA, valueB string
	)
	BeforeEach(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		valueA, valueB = uniqueValue("aaaaabbbbbcccccdddddeeeeefffff01", ns), uniqueValue("zzzzzyyyyyxxxxxwwwwwvvvvvuuuuu02", ns)
	})

	It("reports the fingerprint Active and writes no Secret", func() {
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "laptop").Hashed(valueA).TTL(time.Hour).Scopes("read:*").Obj())).To(Succeed())
		got := waitForStatus(ctx, ns, "laptop", authv1alpha1.TokenStatusActive, authv1alpha1.ReasonImported)
		Expect(got.Status.TokenHash).To(Equal(token.Fingerprint([]byte(valueA))))
		Expect(got.Status.TokenLastChars).To(Equal(valueA[len(valueA)-5:]))
		Expect(got.Status.SecretName).To(BeEmpty())
		Expect(got.Status.Revision).To(Equal(int64(1)))
		Expect(got.Status.ExpirationDate.Sub(got.Status.CreationDate.Time)).To(Equal(time.Hour))
		err := k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: "laptop"}, &corev1.Secret{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "a hash-only token has no Secret: %v", err)
		Eventually(func() []string { return eventReasons(ctx, ns, "laptop") }).Should(ContainElement(authv1alpha1.ReasonImported))
	})

	It("takes a new tokenHash as a new token, keeping the previous one for the grace period", func() {
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "cli").Hashed(valueA).Rotation(0, time.Hour).Obj())).To(Succeed())
		first := waitForRevision(ctx, ns, "cli", 1)
		patchToken(ctx, first, func(t *authv1alpha1.ApiToken) {
			b := testutil.MakeApiToken(ns, "cli").Hashed(valueB).Obj()
			t.Spec.Source = b.Spec.Source
		})
		got := waitForRevision(ctx, ns, "cli", 2)
		Expect(got.Status.TokenHash).To(Equal(token.Fingerprint([]byte(valueB))))
		Expect(got.Status.PreviousTokenHash).To(Equal(token.Fingerprint([]byte(valueA))))
		Expect(got.Status.PreviousTokenExpirationDate.Sub(got.Status.CreationDate.Time)).To(Equal(time.Hour))
		Expect(got.Status.CreationDate.Before(first.Status.CreationDate)).To(BeFalse())
		Eventually(func() []string { return eventReasons(ctx, ns, "cli") }).Should(ContainElement(authv1alpha1.ReasonRotated))
	})

	It("revokes, and refuses to bring the revoked fingerprint back", func() {
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "leaked").Hashed(valueA).Obj())).To(Succeed())
		tok := waitForRevision(ctx, ns, "leaked", 1)
		patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })
		tok = waitForStatus(ctx, ns, "leaked", authv1alpha1.TokenStatusRevoked, authv1alpha1.ReasonRevoked)
		patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = false })
		got := waitForStatus(ctx, ns, "leaked", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonRevokedTokenReused)
		Expect(readyCondition(got).Message).To(ContainSubstring("a revoked token never verifies again"))
	})

	It("refuses to turn a Secret-held token into a hash-only one, or back", func() {
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "svc").Obj())).To(Succeed())
		tok := waitForRevision(ctx, ns, "svc", 1)
		tok.Spec.Source = testutil.MakeApiToken(ns, "svc").Hashed(valueA).Obj().Spec.Source
		err := k8sClient.Update(ctx, tok)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
		Expect(err.Error()).To(ContainSubstring("source.hashed cannot be added to or removed from an existing ApiToken"))

		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "person").Hashed(valueA).Obj())).To(Succeed())
		tok = waitForRevision(ctx, ns, "person", 1)
		tok.Spec.Source = nil
		err = k8sClient.Update(ctx, tok)
		Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
	})
})
