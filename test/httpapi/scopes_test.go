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
	"encoding/json"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/verifyapi"
)

// forwardAuth asks the forward-auth listener with X-Api-Token: value.
func forwardAuth(path, value string) *http.Response {
	GinkgoHelper()
	req, err := http.NewRequest(http.MethodGet, forwardAuthURL+path, nil)
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("X-Api-Token", value)
	resp, err := httpClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	_ = resp.Body.Close()
	return resp
}

var _ = Describe("Hash-only tokens and scopes at the verification endpoints", Ordered, func() {
	// The value exists only in this test: the cluster gets its fingerprint.
	const value = "held0by0a0person0not0the0cluster"
	var (
		ctx      context.Context
		ns       string
		verifier string
	)
	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		verifier = serviceAccountToken(ctx, ns, "gateway")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "gateway-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: verifierRole(ctx)}, Subjects: subject(ns, "gateway")})).To(Succeed())
		tok := testutil.MakeApiToken(ns, "person").Hashed(value).Scopes("reports:*", "deploy").Obj()
		tok.UID = ""
		Expect(k8sClient.Create(ctx, tok)).To(Succeed())
		Eventually(func() int {
			code, _ := call(http.MethodPost, "/api/v1/tokens/verify", verifier, verifyBody(value))
			return code
		}).Should(Equal(http.StatusOK))
	})

	It("verifies a hash-only token and says its scopes", func() {
		code, out := call(http.MethodPost, "/api/v1/tokens/verify", verifier, verifyBody(value))
		Expect(code).To(Equal(http.StatusOK), out)
		var res verifyapi.Result
		Expect(json.Unmarshal([]byte(out), &res)).To(Succeed())
		Expect(res.Name).To(Equal("person"))
		Expect(res.Scopes).To(Equal([]string{"reports:*", "deploy"}))
	})

	It("puts the scopes in a TokenReview's user.extra", func() {
		b, _ := json.Marshal(authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: value}})
		code, out := call(http.MethodPost, "/api/v1/tokenreviews", verifier, string(b))
		Expect(code).To(Equal(http.StatusOK), out)
		var review authenticationv1.TokenReview
		Expect(json.Unmarshal([]byte(out), &review)).To(Succeed())
		Expect(review.Status.Authenticated).To(BeTrue())
		Expect(review.Status.User.Extra).To(HaveKeyWithValue(verifyapi.ExtraScopes, authenticationv1.ExtraValue{"reports:*", "deploy"}))
	})

	It("requires every ?scope= at forward auth: 200 with the scopes, 403 insufficient_scope without", func() {
		ok := forwardAuth("/?scope=reports:monthly&scope=deploy", value)
		Expect(ok.StatusCode).To(Equal(http.StatusOK))
		Expect(ok.Header.Get(verifyapi.HeaderScopes)).To(Equal("reports:* deploy"))

		lacking := forwardAuth("/?scope=reports:monthly&scope=admin", value)
		Expect(lacking.StatusCode).To(Equal(http.StatusForbidden))
		Expect(lacking.Header.Get("WWW-Authenticate")).To(And(ContainSubstring(`error="insufficient_scope"`), ContainSubstring(`scope="reports:monthly admin"`)))
		Expect(lacking.Header.Get(verifyapi.HeaderPrincipal)).To(BeEmpty())

		Expect(forwardAuth("/?scope=deploy", "not0the0value0000000000000000000").StatusCode).To(Equal(http.StatusUnauthorized),
			"an invalid token is 401 whatever the scope")
	})

	It("filters the query API by scope", func() {
		admin := serviceAccountToken(ctx, ns, "admin")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "admin-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: readerRole(ctx)}, Subjects: subject(ns, "admin")})).To(Succeed())
		Eventually(func() int { code, _ := call(http.MethodGet, "/api/v1/tokens?namespace="+ns, admin, ""); return code }).Should(Equal(http.StatusOK))
		// A list shows the token once the informer has delivered it.
		var got query.Response
		Eventually(func() []query.TokenDTO {
			got = list("/api/v1/tokens?namespace="+ns+"&scope=reports:q1", admin)
			return got.ApiTokens
		}).Should(HaveLen(1))
		Expect(got.ApiTokens[0].Scopes).To(Equal([]string{"reports:*", "deploy"}))
		Expect(got.ApiTokens[0].HashOnly).To(BeTrue())
		Expect(list("/api/v1/tokens?namespace="+ns+"&scope=admin", admin).ApiTokens).To(BeEmpty())
	})

	It("stops verifying the hash-only token once it is revoked", func() {
		tok := getToken(ctx, ns, "person")
		tok.Spec.Revoked = true
		Expect(k8sClient.Update(ctx, tok)).To(Succeed())
		Eventually(func() int {
			code, _ := call(http.MethodPost, "/api/v1/tokens/verify", verifier, verifyBody(value))
			return code
		}).Should(Equal(http.StatusUnauthorized))
		Expect(forwardAuth("/", value).StatusCode).To(Equal(http.StatusUnauthorized))
	})
})
