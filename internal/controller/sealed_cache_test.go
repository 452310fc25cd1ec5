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
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

var _ = Describe("The manager's cache", func() {
	It("holds no token value of a managed Secret, only digests, and still rotates with a grace period and imports", func() {
		ctx := context.Background()
		ns := newNamespace(ctx)
		Expect(k8sClient.Create(ctx, testutil.MakeSecret(ns, "vault").Data("token", uniqueValue(validImport, ns)).Obj())).To(Succeed())
		for _, t := range []*authv1alpha1.ApiToken{
			testutil.MakeApiToken(ns, "plain").Obj(),
			testutil.MakeApiToken(ns, "graced").Rotation(0, time.Hour).Obj(),
			testutil.MakeApiToken(ns, "imported").Import("vault", "", "").Obj(),
		} {
			Expect(k8sClient.Create(ctx, t)).To(Succeed())
		}
		for _, name := range []string{"plain", "graced", "imported"} {
			waitForRevision(ctx, ns, name, 1)
		}
		// A rotation with a grace period copies the current value into
		// token.previous: a value the cache does not hold.
		first := getSecret(ctx, ns, "graced").Data["token"]
		annotateRotate(ctx, getToken(ctx, ns, "graced"), "sealed-cache")
		waitForRevision(ctx, ns, "graced", 2)
		Expect(getSecret(ctx, ns, "graced").Data["token.previous"]).To(Equal(first), "the previous value, read from the API server")

		var values [][]byte
		for _, name := range []string{"plain", "graced", "imported"} {
			for _, v := range getSecret(ctx, ns, name).Data {
				values = append(values, v)
			}
		}
		Expect(values).To(HaveLen(4))
		Eventually(func(g Gomega) {
			var cached corev1.SecretList
			g.Expect(mgr.cache.List(ctx, &cached, client.InNamespace(ns))).To(Succeed())
			g.Expect(cached.Items).To(HaveLen(3), "the managed Secrets (the import source is not managed)")
			for i := range cached.Items {
				// What the cache holds of each Secret: its annotations and
				// data, sealed by the transform.
				sealed := &cached.Items[i]
				for k, a := range sealed.Annotations {
					for _, v := range values {
						g.Expect(strings.Contains(a, string(v))).To(BeFalse(), "Secret %s annotation %q holds a token value in the cache", sealed.Name, k)
					}
				}
				g.Expect(tokensecret.IsSealed(sealed)).To(BeTrue(), sealed.Name)
				live := getSecret(ctx, ns, sealed.Name)
				g.Expect(sealed.Data).To(HaveLen(len(live.Data)+1), "each of %s's keys, and the sealed mark", sealed.Name)
				for k, v := range live.Data {
					g.Expect(token.Unseal(sealed.Data[k]).Digest()).To(Equal(token.NewValue(v).Digest()), "the cache holds the digest of %s/%s", sealed.Name, k)
				}
			}
		}).Should(Succeed())

		By("and nothing rewrote a Secret with what the cache holds")
		for _, name := range []string{"plain", "graced", "imported"} {
			tok := getToken(ctx, ns, name)
			Expect(tok.Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusActive), name)
			Expect(token.NewValue(getSecret(ctx, ns, name).Data["token"]).Fingerprint()).To(Equal(tok.Status.TokenHash), name)
		}
	})
})

// Round two, finding 1: what anyone who may write a Secret or an ApiToken
// puts in it costs every replica a bounded amount.
var _ = Describe("Hostile objects in the cache", func() {
	It("keeps of a labelled Secret that names no ApiToken its metadata only, of a token Secret the token's keys only, and of an ApiToken only the operator's annotations", func() {
		ctx := context.Background()
		ns := newNamespace(ctx)
		managed := map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue}
		junk := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "junk", Labels: managed},
			Data: map[string][]byte{"big": make([]byte, 900<<10)}}
		Expect(k8sClient.Create(ctx, junk)).To(Succeed())

		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "stuffed").Obj())).To(Succeed())
		waitForRevision(ctx, ns, "stuffed", 1)
		stuffed := getSecret(ctx, ns, "stuffed")
		for i := range 5000 {
			stuffed.Data[fmt.Sprintf("k%d", i)] = []byte("x")
		}
		Expect(k8sClient.Update(ctx, stuffed)).To(Succeed())

		noisy := testutil.MakeApiToken(ns, "noisy").Obj()
		noisy.Annotations = map[string]string{"example.com/blob": strings.Repeat("x", 200<<10),
			authv1alpha1.RotateAnnotation: strings.Repeat("r", 2000)}
		Expect(k8sClient.Create(ctx, noisy)).To(Succeed())
		waitForRevision(ctx, ns, "noisy", 1)

		Eventually(func(g Gomega) {
			cached := &corev1.Secret{}
			g.Expect(mgr.cache.Get(ctx, client.ObjectKey{Namespace: ns, Name: "junk"}, cached)).To(Succeed())
			g.Expect(cached.Data).To(BeNil(), "metadata only")
			g.Expect(mgr.cache.Get(ctx, client.ObjectKey{Namespace: ns, Name: "stuffed"}, cached)).To(Succeed())
			g.Expect(len(cached.Data)).To(BeNumerically("<=", 3), "the token's key (and its previous), and the sealed mark")
			g.Expect(tokensecret.DroppedKeys(cached)).To(Equal(5000))
			tok := &authv1alpha1.ApiToken{}
			g.Expect(mgr.cache.Get(ctx, client.ObjectKey{Namespace: ns, Name: "noisy"}, tok)).To(Succeed())
			g.Expect(tok.Annotations).NotTo(HaveKey("example.com/blob"))
			g.Expect(tok.Annotations[authv1alpha1.RotateAnnotation]).To(HavePrefix("sha256:"), "a long value kept as its digest")
		}).Should(Succeed())

		By("the token Secret keeps its token, and its other keys stay on the API server")
		Expect(getToken(ctx, ns, "stuffed").Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusActive))
		Expect(getSecret(ctx, ns, "stuffed").Data).To(HaveLen(5001))
	})
})
