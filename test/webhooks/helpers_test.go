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

package webhooks

import (
	"context"
	"strings"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// signingSecretIn creates the signing Secret in ns.
func signingSecretIn(ns string) {
	Expect(k8sClient.Create(context.Background(), &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "signing", Namespace: ns},
		Data:       map[string][]byte{"secret": []byte(signingSecret)},
	})).To(Succeed())
}

// newWebhook creates an ApiTokenWebhook in ns sending CloudEvents to the
// receiver's path, signed, trusting the receiver's CA.
func newWebhook(ns, name, url string, mut func(*authv1alpha1.ApiTokenWebhookSpec)) *authv1alpha1.ApiTokenWebhook {
	wh := &authv1alpha1.ApiTokenWebhook{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: authv1alpha1.ApiTokenWebhookSpec{
			URL:              url,
			SigningSecretRef: &authv1alpha1.SecretKeyRef{Name: "signing", Key: "secret"},
			CABundle:         receiver.CA,
		},
	}
	if mut != nil {
		mut(&wh.Spec)
	}
	Expect(k8sClient.Create(context.Background(), wh)).To(Succeed())
	return wh
}

// newToken creates an ApiToken in ns with labels, and ttl when not zero.
func newToken(ns, name string, ttl time.Duration, labels map[string]string) *authv1alpha1.ApiToken {
	tok := &authv1alpha1.ApiToken{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, Labels: labels},
		Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeWorkflow, Principal: "ci-" + name},
	}
	if ttl > 0 {
		tok.Spec.TTL = &metav1.Duration{Duration: ttl}
	}
	Expect(k8sClient.Create(context.Background(), tok)).To(Succeed())
	Eventually(func(g Gomega) {
		g.Expect(k8sClient.Get(context.Background(), client.ObjectKeyFromObject(tok), tok)).To(Succeed())
		g.Expect(tok.Status.TokenHash).NotTo(BeEmpty())
	}).Should(Succeed())
	return tok
}

// patchToken applies mut to the ApiToken.
func patchToken(tok *authv1alpha1.ApiToken, mut func(*authv1alpha1.ApiToken)) {
	Eventually(func() error {
		cur := &authv1alpha1.ApiToken{}
		if err := k8sClient.Get(context.Background(), client.ObjectKeyFromObject(tok), cur); err != nil {
			return err
		}
		before := cur.DeepCopy()
		mut(cur)
		return k8sClient.Patch(context.Background(), cur, client.MergeFromWithOptions(before, client.MergeFromWithOptimisticLock{}))
	}).Should(Succeed())
}

// webhookStatus is the webhook's status as the API server has it.
func webhookStatus(ns, name string) func(Gomega) authv1alpha1.ApiTokenWebhookStatus {
	return func(g Gomega) authv1alpha1.ApiTokenWebhookStatus {
		wh := &authv1alpha1.ApiTokenWebhook{}
		g.Expect(k8sClient.Get(context.Background(), types.NamespacedName{Namespace: ns, Name: name}, wh)).To(Succeed())
		return wh.Status
	}
}

// readyOf is the Ready condition of a webhook's status.
func readyOf(st authv1alpha1.ApiTokenWebhookStatus) *metav1.Condition {
	return meta.FindStatusCondition(st.Conditions, authv1alpha1.ConditionReady)
}

// secretsOf are the token values and fingerprints of ns: what no body may
// hold.
func secretsOf(ns string) []string {
	var out []string
	var secrets corev1.SecretList
	Expect(k8sClient.List(context.Background(), &secrets, client.InNamespace(ns))).To(Succeed())
	for _, s := range secrets.Items {
		if s.Name == "signing" {
			continue
		}
		for _, v := range s.Data {
			if len(v) >= 16 {
				out = append(out, string(v))
			}
		}
	}
	var tokens authv1alpha1.ApiTokenList
	Expect(k8sClient.List(context.Background(), &tokens, client.InNamespace(ns))).To(Succeed())
	for _, t := range tokens.Items {
		for _, h := range append([]string{t.Status.TokenHash, t.Status.PreviousTokenHash}, t.Status.RevokedTokenHashes...) {
			if h != "" {
				out = append(out, h, strings.TrimPrefix(h, "sha256:"))
			}
		}
	}
	return out
}

// expectNoSecretIn fails when a body path took holds a value or a hash of
// ns's tokens, or a signing secret.
func expectNoSecretIn(path, ns string) {
	secrets := append(secretsOf(ns), signingSecret, strings.TrimPrefix(signingSecret, "whsec_"))
	for _, d := range receiver.Got(path) {
		for _, s := range secrets {
			Expect(string(d.Body)).NotTo(ContainSubstring(s), "a body holds a token value, a fingerprint or the signing secret")
			for _, vs := range d.Header {
				Expect(strings.Join(vs, " ")).NotTo(ContainSubstring(s))
			}
		}
	}
}
