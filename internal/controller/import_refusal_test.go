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
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// An import source must be a Secret a user created: never one the operator
// manages, never a ServiceAccount token (issue #14).
var _ = Describe("Import refusals", func() {
	var ns string
	BeforeEach(func(ctx context.Context) {
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		SetDefaultConsistentlyDuration(2 * time.Second)
		ns = newNamespace(ctx)
	})

	// source creates the refused Secret "src" and returns the value it holds.
	DescribeTable("refuses the source, writes nothing, and withdraws a copy made before the rule existed",
		func(ctx context.Context, source func(ctx context.Context, ns string) []byte, message ...string) {
			value := source(ctx, ns)

			By("importing it afresh")
			Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "fresh").Import("src", "", "").Obj())).To(Succeed())
			failed := waitForStatus(ctx, ns, "fresh", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonInvalidImport)
			for _, m := range message {
				Expect(readyCondition(failed).Message).To(ContainSubstring(m))
			}
			Expect(failed.Status.TokenHash).To(BeEmpty())
			Expect(failed.Status.TokenLastChars).To(BeEmpty())
			Consistently(func() bool {
				return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "fresh"}, &corev1.Secret{}))
			}).Should(BeTrue(), "no target Secret is written for a refused source")

			By("finding a copy an earlier operator made, at the source's current version")
			Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "earlier").Import("src", "", "").Obj())).To(Succeed())
			copiedBeforeTheRule(ctx, getToken(ctx, ns, "earlier"), value, getSecret(ctx, ns, "src").ResourceVersion)
			Eventually(func(g Gomega) {
				s := &corev1.Secret{}
				g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "earlier"}, s)).To(Succeed())
				g.Expect(s.Data).NotTo(ContainElement(value), "the copy is withdrawn")
				tok := &authv1alpha1.ApiToken{}
				g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "earlier"}, tok)).To(Succeed())
				g.Expect(tok.Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusFailed))
				g.Expect(readyCondition(tok).Reason).To(Equal(authv1alpha1.ReasonInvalidImport))
				g.Expect(tok.Status.TokenHash).To(BeEmpty())
				g.Expect(tok.Status.TokenLastChars).To(BeEmpty())
			}).Should(Succeed())

			By("holding the source's value nowhere but in the source")
			var list corev1.SecretList
			Expect(k8sClient.List(ctx, &list, client.InNamespace(ns))).To(Succeed())
			for _, s := range list.Items {
				if s.Name != "src" && s.Name != "upstream" {
					Expect(s.Data).NotTo(ContainElement(value), "Secret %s holds the source's value", s.Name)
				}
			}
			Expect(getSecret(ctx, ns, "src").Data["token"]).To(Equal(value), "the source is left alone")
		},
		Entry("another ApiToken's Secret", func(ctx context.Context, ns string) []byte {
			Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "upstream").SecretName("src").Obj())).To(Succeed())
			waitForRevision(ctx, ns, "upstream", 1)
			return getSecret(ctx, ns, "src").Data["token"]
		}, `import source Secret "src" is managed by apitoken-operator for ApiToken "upstream"`, "cannot import another ApiToken's token",
			"point spec.source.import.secretRef at a Secret you created"),
		Entry("a Secret that lost its label but still names its ApiToken", func(ctx context.Context, ns string) []byte {
			// Not in the manager's cache: only its metadata, stripped, is.
			gone := testutil.MakeApiToken(ns, "gone").Obj()
			s := tokensecret.Apply(gone, nil, tokensecret.State{Current: token.NewValue([]byte(validImport)), Hash: token.Fingerprint([]byte(validImport)),
				IssuedAt: time.Now().UTC().Truncate(time.Second), Revision: 1}, testutil.Marker)
			s.Name, s.Labels, s.OwnerReferences = "src", nil, nil
			Expect(k8sClient.Create(ctx, s)).To(Succeed())
			return []byte(validImport)
		}, `import source Secret "src" is managed by apitoken-operator for ApiToken "gone"`),
		Entry("a ServiceAccount token", func(ctx context.Context, ns string) []byte {
			s := testutil.MakeSecret(ns, "src").Annotation(corev1.ServiceAccountNameKey, "builder").Data("token", validImport).Obj()
			s.Type = corev1.SecretTypeServiceAccountToken
			Expect(k8sClient.Create(ctx, s)).To(Succeed())
			return []byte(validImport)
		}, `import source Secret "src" is of type kubernetes.io/service-account-token`, "ServiceAccount tokens cannot be imported", "TokenRequest"),
	)
})

// copiedBeforeTheRule writes the target Secret an operator without the
// import refusals wrote for tok: a copy of value, taken from the source at
// sourceVersion, that a reconcile need not read the source again for.
func copiedBeforeTheRule(ctx context.Context, tok *authv1alpha1.ApiToken, value []byte, sourceVersion string) {
	GinkgoHelper()
	v := token.NewValue(value)
	Expect(k8sClient.Create(ctx, tokensecret.Apply(tok, nil, tokensecret.State{
		Current: v, Hash: v.Fingerprint(), IssuedAt: time.Now().UTC().Truncate(time.Second), Revision: 1, SourceVersion: sourceVersion,
	}, testutil.Marker))).To(Succeed())
}
