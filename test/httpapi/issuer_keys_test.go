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

package httpapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	promtestutil "github.com/prometheus/client_golang/prometheus/testutil"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/issuer"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/signing"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// jwksKids are the key ids the issuer publishes now.
func jwksKids() []string {
	GinkgoHelper()
	req, _ := http.NewRequest(http.MethodGet, issuerURL+issuer.JWKSPath, nil)
	r := doIssuer(req)
	Expect(r.code).To(Equal(http.StatusOK), r.body)
	var set jose.JSONWebKeySet
	Expect(json.Unmarshal([]byte(r.body), &set)).To(Succeed())
	kids := make([]string, len(set.Keys))
	for i, k := range set.Keys {
		kids[i] = k.KeyID
	}
	return kids
}

func signingKeySecretObj(ctx context.Context) *corev1.Secret {
	GinkgoHelper()
	s := &corev1.Secret{}
	Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: operatorNamespace, Name: signingKeySecret}, s)).To(Succeed())
	return s
}

// privateKeyMaterial is what would show if a private key leaked: each
// line of its PEM and its d parameter.
func privateKeyMaterial(s *corev1.Secret) []string {
	GinkgoHelper()
	var doc struct {
		Keys []struct {
			PrivateKey string `json:"privateKey"`
		} `json:"keys"`
	}
	Expect(json.Unmarshal(s.Data[signing.DataKey], &doc)).To(Succeed())
	var out []string
	for _, k := range doc.Keys {
		for _, line := range strings.Split(k.PrivateKey, "\n") {
			if len(line) >= 40 && !strings.HasPrefix(line, "-----") {
				out = append(out, line)
			}
		}
	}
	Expect(out).NotTo(BeEmpty())
	return out
}

var _ = Describe("Issuer signing keys", Ordered, func() {
	var (
		ctx      context.Context
		ns       string
		value    string
		bodies   []string
		keyLines []string
	)
	exchangeSvc := func(extra ...string) string {
		GinkgoHelper()
		r := postToken(clientCredentials(ns+"/svc", value, extra...), "", "")
		bodies = append(bodies, r.body)
		return r.token().AccessToken
	}
	kidOf := func(raw string) string { return headerOf(raw)["kid"].(string) }

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		t := testutil.MakeApiToken(ns, "svc").AccessToken(10*time.Minute, issuerURL, "kubernetes").Obj()
		t.UID = ""
		Expect(k8sClient.Create(ctx, t)).To(Succeed())
		Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, "svc").Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))
		value = getSecretValue(ctx, ns, "svc")
		Eventually(func() int { return postToken(clientCredentials(ns+"/svc", value), "", "").code }).Should(Equal(http.StatusOK))
	})

	It("publishes the next key before it signs, and keeps verifying tokens of the previous one", func() {
		v := oidcVerifier(ctx, issuerURL)
		first := exchangeSvc()
		before := map[string]bool{}
		for _, k := range jwksKids() {
			before[k] = true
		}
		var successor string
		Eventually(func(g Gomega) {
			kids := jwksKids()
			signer := kidOf(exchangeSvc()) // after the JWK Set was read
			for _, k := range kids {
				if !before[k] && k != signer {
					successor = k
				}
			}
			g.Expect(successor).NotTo(BeEmpty(), "a key published, not yet signing")
		}, 3*signingKeyRotation, 200*time.Millisecond).Should(Succeed())

		var second string
		Eventually(func() string { second = exchangeSvc(); return kidOf(second) }, 2*signingKeyOverlap+5*time.Second).Should(Equal(successor))
		Expect(claimsOf(ctx, v, first).Subject).To(Equal("apitoken:"+ns+":svc"), "signed before the rotation, still verifies")
		Expect(claimsOf(ctx, v, second).Subject).To(Equal("apitoken:"+ns+":svc"), "signed by the new key, verifies")
		Expect(jwksKids()).To(ContainElement(kidOf(first)), "a retired key stays published until its tokens expire")

		var events eventsv1.EventList
		Expect(k8sClient.List(ctx, &events, client.InNamespace(operatorNamespace))).To(Succeed())
		var reasons []string
		for _, e := range events.Items {
			reasons = append(reasons, e.Reason)
		}
		Expect(reasons).To(ContainElements(signing.ReasonCreated, signing.ReasonRotated))
	})

	It("is accepted by kube-apiserver as a structured JWT authenticator", func() {
		dir := GinkgoT().TempDir()
		config := fmt.Sprintf(`apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
  - issuer:
      url: %s
      audiences: [kubernetes]
      certificateAuthority: |
%s
    claimMappings:
      username:
        claim: sub
        prefix: ""
`, issuerURL, indent(string(issuerCA), "        "))
		path := filepath.Join(dir, "authentication.yaml")
		Expect(os.WriteFile(path, []byte(config), 0o600)).To(Succeed())
		consumer := &envtest.Environment{}
		consumer.ControlPlane.GetAPIServer().Configure().Set("authentication-config", path)
		consumerCfg, err := consumer.Start()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(consumer.Stop)

		Eventually(func(g Gomega) {
			at := exchangeSvc("audience", "kubernetes")
			cs, err := kubernetes.NewForConfig(&rest.Config{Host: consumerCfg.Host, BearerToken: at,
				TLSClientConfig: rest.TLSClientConfig{CAData: consumerCfg.CAData}})
			g.Expect(err).NotTo(HaveOccurred())
			review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(review.Status.UserInfo.Username).To(Equal("apitoken:" + ns + ":svc"))
		}, time.Minute, time.Second).Should(Succeed())
	})

	It("counts exchanges and reports the signing key's age", func() {
		refused := promtestutil.ToFloat64(metrics.Exchanges.WithLabelValues("invalid_client"))
		Expect(postToken(clientCredentials(ns+"/svc", "not-the-token"), "", "").code).To(Equal(http.StatusUnauthorized))
		Expect(promtestutil.ToFloat64(metrics.Exchanges.WithLabelValues("invalid_client"))).To(Equal(refused + 1))
		Expect(promtestutil.ToFloat64(metrics.Exchanges.WithLabelValues("issued"))).To(BeNumerically(">", 0))
		families, err := crmetrics.Registry.Gather()
		Expect(err).NotTo(HaveOccurred())
		var age float64 = -1
		for _, f := range families {
			if f.GetName() == "apitoken_signing_key_age_seconds" {
				age = f.GetMetric()[0].GetGauge().GetValue()
			}
		}
		Expect(age).To(BeNumerically(">=", 0))
		Expect(age).To(BeNumerically("<", (signingKeyRotation + signingKeyOverlap).Seconds()))
	})

	It("recreates a deleted key Secret, and tokens of the lost keys stop verifying", func() {
		old := exchangeSvc()
		s := signingKeySecretObj(ctx)
		keyLines = append(keyLines, privateKeyMaterial(s)...)
		oldKids := jwksKids()
		Expect(k8sClient.Delete(ctx, s)).To(Succeed())
		Eventually(func(g Gomega) {
			n := &corev1.Secret{}
			g.Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(s), n)).To(Succeed())
			g.Expect(n.UID).NotTo(Equal(s.UID))
		}).Should(Succeed())
		Eventually(func() []string {
			var events eventsv1.EventList
			Expect(k8sClient.List(ctx, &events, client.InNamespace(operatorNamespace))).To(Succeed())
			var reasons []string
			for _, e := range events.Items {
				if e.Type == corev1.EventTypeWarning {
					reasons = append(reasons, e.Reason)
				}
			}
			return reasons
		}).Should(ContainElement(signing.ReasonRecreated))
		Eventually(func() []string { return jwksKids() }).ShouldNot(ContainElement(kidOf(old)))
		fresh := exchangeSvc()
		Expect(oldKids).NotTo(ContainElement(kidOf(fresh)))
		_, err := oidcVerifier(ctx, issuerURL).Verify(ctx, old)
		Expect(err).To(HaveOccurred(), "its key is gone")
		keyLines = append(keyLines, privateKeyMaterial(signingKeySecretObj(ctx))...)
	})

	It("never shows a private key or an ApiToken value in logs, events, statuses or responses", func() {
		var tokens authv1alpha1.ApiTokenList
		Expect(k8sClient.List(ctx, &tokens)).To(Succeed())
		var events eventsv1.EventList
		Expect(k8sClient.List(ctx, &events)).To(Succeed())
		places := map[string]string{"logs": managerLogs.String(), "responses": strings.Join(bodies, "\n")}
		for name, obj := range map[string]any{"ApiTokens": tokens.Items, "Events": events.Items} {
			b, err := json.Marshal(obj)
			Expect(err).NotTo(HaveOccurred())
			places[name] = string(b)
		}
		Expect(places["logs"]).To(ContainSubstring("signingkeys"), "the log capture works")
		secrets := append([]string{value}, keyLines...)
		// An access token is in the responses by design; its claims must
		// not carry the ApiToken either.
		for _, b := range bodies {
			var t issuer.TokenResponse
			if json.Unmarshal([]byte(b), &t) == nil && t.AccessToken != "" {
				parts := strings.Split(t.AccessToken, ".")
				payload, err := base64.RawURLEncoding.DecodeString(parts[1])
				Expect(err).NotTo(HaveOccurred())
				places["claims"] += string(payload)
			}
		}
		leak, found := testutil.FindLeak(places, secrets)
		Expect(found).To(BeFalse(), "a secret in %s: %s", leak.Where, leak.Context)
	})
})

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return strings.Join(lines, "\n")
}
