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
	"net/http"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// Tokens that existed before an ApiTokenPolicy (this suite installs no
// admission policy, as a cluster where the tokens came first): the
// controller marks them, a Deny policy stops them verifying until they
// comply, and inactivity warns, then revokes.
var _ = Describe("Token policies on existing tokens", Ordered, func() {
	var (
		ctx      context.Context
		ns       string
		verifier string
		admin    string
	)
	verifies := func(name string) bool {
		code, _ := call(http.MethodPost, "/api/v1/tokens/verify", verifier, verifyBody(getSecretValue(ctx, ns, name)))
		return code == http.StatusOK
	}
	compliance := func(name string) *metav1.Condition {
		return meta.FindStatusCondition(getToken(ctx, ns, name).Status.Conditions, authv1alpha1.ConditionPolicyCompliant)
	}
	policy := func(name string, spec authv1alpha1.ApiTokenPolicySpec) *authv1alpha1.ApiTokenPolicy {
		// Only this spec's namespace: the suite's other tokens are not governed.
		spec.NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"policy-test": ns}}
		p := &authv1alpha1.ApiTokenPolicy{ObjectMeta: metav1.ObjectMeta{Name: name + "-" + ns}, Spec: spec}
		Expect(k8sClient.Create(ctx, p)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(context.Background(), p))).To(Succeed()) })
		return p
	}

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		n := &corev1.Namespace{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: ns}, n)).To(Succeed())
		n.Labels = map[string]string{"policy-test": ns}
		Expect(k8sClient.Update(ctx, n)).To(Succeed())
		verifier = serviceAccountToken(ctx, ns, "gateway")
		admin = tokenAdmin(ctx, ns)
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "policy-gateway-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: verifierRole(ctx)}, Subjects: subject(ns, "gateway")})).To(Succeed())
		for _, t := range []*authv1alpha1.ApiToken{
			testutil.MakeApiToken(ns, "forever").Scopes("read:reports").Obj(),
			testutil.MakeApiToken(ns, "bounded").TTL(24 * time.Hour).Obj(),
		} {
			t.UID = ""
			Expect(k8sClient.Create(ctx, t)).To(Succeed())
		}
		for _, name := range []string{"forever", "bounded"} {
			Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, name).Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))
			Eventually(func() bool { return verifies(name) }).Should(BeTrue())
		}
	})

	It("marks a token that breaks a Deny policy, stops it verifying, and lets it verify again when it complies", func() {
		start := time.Now()
		p := policy("expire", authv1alpha1.ApiTokenPolicySpec{MaxTTL: &metav1.Duration{Duration: 48 * time.Hour}})
		want := "ApiTokenPolicy " + p.Name + ": spec.ttl is not set, and maxTTL 48h requires every token to expire"
		Eventually(func() bool { return verifies("forever") }).WithPolling(10*time.Millisecond).Should(BeFalse(), "a token that breaks a Deny policy still verifies")
		// A figure for docs/benchmarks.md, not an assertion.
		AddReportEntry("from the policy's creation to the token's refusal at verify", time.Since(start).String())
		By("every other path refuses it too: forward auth and TokenReview")
		value := getSecretValue(ctx, ns, "forever")
		req, err := http.NewRequest(http.MethodGet, forwardAuthURL+"/", nil)
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", "Bearer "+value)
		resp, err := httpClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		_ = resp.Body.Close()
		Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized))
		code, review := call(http.MethodPost, "/api/v1/tokenreviews", verifier,
			`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":"`+value+`"}}`)
		Expect(code).To(Equal(http.StatusOK))
		Expect(review).NotTo(ContainSubstring(`"authenticated":true`))
		c := compliance("forever")
		Expect(c).NotTo(BeNil())
		Expect(c.Status).To(Equal(metav1.ConditionFalse))
		Expect(c.Reason).To(Equal("TTLRequired"))
		Expect(c.Message).To(Equal(want + ": it does not verify until it complies"))
		Expect(getToken(ctx, ns, "forever").Status.PolicyViolations()).To(Equal([]authv1alpha1.PolicyViolation{{Policy: p.Name, Rule: "TTLRequired",
			Message: "spec.ttl is not set, and maxTTL 48h requires every token to expire", Enforcement: authv1alpha1.EnforcementDeny}}))
		Expect(verifies("bounded")).To(BeTrue(), "a compliant token stopped verifying")
		Expect(compliance("bounded").Reason).To(Equal(authv1alpha1.ReasonCompliant))
		Eventually(func() authv1alpha1.ApiTokenPolicyStatus {
			got := &authv1alpha1.ApiTokenPolicy{}
			Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(p), got)).To(Succeed())
			return got.Status
		}).Should(And(HaveField("Governed", int32(2)), HaveField("Violating", int32(1)),
			HaveField("Conditions", ContainElement(And(HaveField("Type", "Ready"), HaveField("Status", metav1.ConditionTrue)))),
		), "the policy's status counts what it governs")

		By("the query API's rows and filter")
		rows := list("/api/v1/tokens?namespace="+ns+"&policyViolation=true", admin)
		Expect(rows.ApiTokens).To(HaveLen(1))
		Expect(rows.ApiTokens[0].Name).To(Equal("forever"))
		Expect(rows.ApiTokens[0].PolicyViolations).To(Equal([]string{p.Name + ": spec.ttl is not set, and maxTTL 48h requires every token to expire"}))
		rows = list("/api/v1/tokens?namespace="+ns+"&policyViolation=false", admin)
		Expect(rows.ApiTokens).To(HaveLen(1))
		Expect(rows.ApiTokens[0].Name).To(Equal("bounded"))
		Expect(rows.ApiTokens[0].PolicyViolations).To(BeEmpty())
		Expect(rows.ApiTokens[0].PolicyViolations).NotTo(BeNil())
		code, body := call(http.MethodGet, "/api/v1/tokens?namespace="+ns+"&policyViolation=maybe", admin, "")
		Expect(code).To(Equal(http.StatusBadRequest))
		Expect(body).To(ContainSubstring(`"parameter":"policyViolation"`))

		By("the token fixed")
		tok := getToken(ctx, ns, "forever")
		tok.Spec.TTL = &metav1.Duration{Duration: 24 * time.Hour}
		Expect(k8sClient.Update(ctx, tok)).To(Succeed())
		Eventually(func() bool { return verifies("forever") }).Should(BeTrue(), "a token that complies again does not verify")
		Expect(compliance("forever").Reason).To(Equal(authv1alpha1.ReasonCompliant))
		Expect(getToken(ctx, ns, "forever").Status.PolicyViolations()).To(BeEmpty())

		By("the policy gone: the mark goes")
		Expect(k8sClient.Delete(ctx, p)).To(Succeed())
		Eventually(func() *metav1.Condition { return compliance("forever") }).Should(BeNil())
	})

	It("under Warn marks the token and lets it verify; two policies each apply", func() {
		deny := policy("scopes", authv1alpha1.ApiTokenPolicySpec{AllowedScopes: []string{"write:*"}})
		warn := policy("short", authv1alpha1.ApiTokenPolicySpec{MaxTTL: &metav1.Duration{Duration: time.Hour}, Enforcement: authv1alpha1.EnforcementWarn})
		Eventually(func() []string {
			var out []string
			for _, v := range getToken(ctx, ns, "forever").Status.PolicyViolations() {
				out = append(out, v.Policy+" "+v.Rule)
			}
			slices.Sort(out)
			return out
		}).Should(Equal([]string{deny.Name + " ScopeNotAllowed", warn.Name + " MaxTTLExceeded"}))
		Eventually(func() bool { return verifies("forever") }).Should(BeFalse())
		Expect(k8sClient.Delete(ctx, deny)).To(Succeed())
		Eventually(func() bool { return verifies("forever") }).Should(BeTrue(), "a token that breaks only a Warn policy does not verify")
		Expect(compliance("forever").Reason).To(Equal("MaxTTLExceeded"))
		Expect(compliance("forever").Message).NotTo(ContainSubstring("does not verify"))
		Expect(k8sClient.Delete(ctx, warn)).To(Succeed())
		Eventually(func() *metav1.Condition { return compliance("forever") }).Should(BeNil())
	})

	It("refuses a write through the HTTP API that breaks a Deny policy, naming the field", func() {
		p := policy("http", authv1alpha1.ApiTokenPolicySpec{MaxTTL: &metav1.Duration{Duration: 48 * time.Hour}})
		body := jsonBody(map[string]any{"namespace": ns, "name": "too-long", "type": "ApiClient", "principal": "svc", "ttl": "9000h"})
		// The API server loads the policy as a param asynchronously.
		Eventually(func() int {
			return httpDo(http.MethodPost, "/api/v1/tokens", admin, body).code
		}).Should(Equal(http.StatusBadRequest))
		r := httpDo(http.MethodPost, "/api/v1/tokens", admin, body)
		Expect(r.code).To(Equal(http.StatusBadRequest))
		Expect(r.body).To(ContainSubstring(`"parameter":"ttl"`))
		Expect(r.body).To(ContainSubstring("ApiTokenPolicy " + p.Name + ": spec.ttl 9000h exceeds maxTTL 48h"))
		Expect(httpDo(http.MethodPost, "/api/v1/tokens", admin, jsonBody(map[string]any{"namespace": ns, "name": "short-enough",
			"type": "ApiClient", "principal": "svc", "ttl": "24h"})).code).To(Equal(http.StatusCreated))
	})

	It("warns about an unused token, then revokes it, while a token in use stays", func() {
		for _, name := range []string{"idle", "busy"} {
			t := testutil.MakeApiToken(ns, name).TTL(time.Hour).Obj()
			t.UID, t.Labels = "", map[string]string{"tier": "ci"}
			Expect(k8sClient.Create(ctx, t)).To(Succeed())
			Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, name).Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))
			Eventually(func() bool { return verifies(name) }).Should(BeTrue())
		}
		p := policy("unused", authv1alpha1.ApiTokenPolicySpec{TokenSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "ci"}},
			Inactivity: &authv1alpha1.InactivityRules{WarnAfter: &metav1.Duration{Duration: 6 * time.Second}, RevokeAfter: &metav1.Duration{Duration: 12 * time.Second}}})
		// busy is used every second (its lastUsedDate written every 2s,
		// the suite's --last-used-interval); idle never again.
		done := make(chan struct{})
		go func() {
			defer GinkgoRecover()
			for {
				select {
				case <-done:
					return
				case <-time.After(time.Second):
					verifies("busy")
				}
			}
		}()
		defer close(done)
		Eventually(func() string {
			if c := compliance("idle"); c != nil {
				return c.Reason
			}
			return ""
		}).Should(Equal("Unused"))
		Eventually(func() bool { return getToken(ctx, ns, "idle").Spec.Revoked }).Should(BeTrue(), "an unused token is not revoked")
		Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, "idle").Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusRevoked))
		Expect(verifies("idle")).To(BeFalse())
		Expect(compliance("idle").Reason).To(Equal("Inactive"))
		var events corev1.EventList
		Eventually(func() []string {
			Expect(k8sClient.List(ctx, &events, client.InNamespace(ns))).To(Succeed())
			var out []string
			for _, e := range events.Items {
				if e.InvolvedObject.Name == "idle" && e.Reason == authv1alpha1.EventRevokedInactive {
					out = append(out, e.Message)
				}
			}
			return out
		}).Should(ContainElement(And(HavePrefix("Revoked by ApiTokenPolicy "+p.Name+": unused for "), ContainSubstring("more than inactivity.revokeAfter 12s"))))
		Expect(getToken(ctx, ns, "busy").Spec.Revoked).To(BeFalse(), "a token in use was revoked")
		Expect(verifies("busy")).To(BeTrue())
		c := compliance("busy")
		Expect(c).NotTo(BeNil())
		Expect(strings.Contains(c.Reason, "Inactive")).To(BeFalse())
	})
})
