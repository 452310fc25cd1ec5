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
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/sideband"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// ase calls the sideband token API with headers as name/value pairs.
func ase(method, body string, headers ...string) reply {
	GinkgoHelper()
	if body != "" {
		headers = append(headers, "Content-Type", "application/json")
	}
	return queryDo(method, sideband.Path, body, headers...)
}

var _ = Describe("Sideband token API", Ordered, func() {
	var (
		ctx            context.Context
		manager, clerk string
		values         []string
		bodies         []string
	)
	call := func(method, body, bearer string) reply {
		r := ase(method, body, "Authorization", "Bearer "+bearer)
		bodies = append(bodies, r.body)
		return r
	}
	tokensIn := func() []authv1alpha1.ApiToken {
		var l authv1alpha1.ApiTokenList
		Expect(k8sClient.List(ctx, &l, client.InNamespace(sidebandNamespace))).To(Succeed())
		return l.Items
	}

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: sidebandNamespace}})).To(Succeed())
		Expect(k8sClient.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: sidebandNamespace, Name: "sideband-manager"},
			Rules: []rbacv1.PolicyRule{{APIGroups: []string{"auth.apitoken.io"}, Resources: []string{"apitokens"},
				Verbs: []string{"get", "list", "create", "delete"}}}})).To(Succeed())
		manager = serviceAccountToken(ctx, sidebandNamespace, "ase")
		Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: sidebandNamespace, Name: "ase"},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "sideband-manager"}, Subjects: subject(sidebandNamespace, "ase")})).To(Succeed())
		clerk = serviceAccountToken(ctx, sidebandNamespace, "clerk")
		Eventually(func() int { return call(http.MethodGet, "", manager).code }).Should(Equal(http.StatusOK))
	})

	It("creates a hash-only API_CLIENT token of the API's format, shown once (POST)", func() {
		r := call(http.MethodPost, "", manager)
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		Expect(r.header.Get("Cache-Control")).To(Equal("no-store"))
		var created sideband.Created
		Expect(json.Unmarshal([]byte(r.body), &created)).To(Succeed())
		values = append(values, created.Token)
		Expect(created.Status).To(Equal("token_created"))
		Expect(created.Token).To(MatchRegexp(`^[a-z0-9]{32}$`))
		toks := tokensIn()
		Expect(toks).To(HaveLen(1))
		Expect(toks[0].Spec.Type).To(Equal(authv1alpha1.TokenTypeApiClient))
		Expect(toks[0].Spec.Source.Hashed.TokenHash).To(Equal(token.Fingerprint([]byte(created.Token))))
		Expect(toks[0].Annotations).To(HaveKeyWithValue(authv1alpha1.CreatedByAnnotation, "system:serviceaccount:"+sidebandNamespace+":ase"))
		Expect(httpDo(http.MethodPost, "/api/v1/tokens/verify", manager, verifyBody(created.Token)).code).NotTo(Equal(http.StatusUnauthorized))
		Expect(forwardAuth("/", created.Token).StatusCode).To(Equal(http.StatusOK))
	})

	It("imports a value (PUT) without echoing it, and refuses a bad format with its rule", func() {
		const held = "dc6684370f014923b8a070c982601f75" // the API's documented example
		values = append(values, held)
		r := call(http.MethodPut, `{   "token": "`+held+`"}`, manager)
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		Expect(r.body).To(MatchJSON(`{"status": "success", "status_message": "Sideband token imported."}`))
		Eventually(func() int { return forwardAuth("/", held).StatusCode }).Should(Equal(http.StatusOK))

		for body, want := range map[string]string{
			`{"token": "DC6684370F014923B8A070C982601F75"}`: "token: must be 32 characters, each a lowercase letter a-z or a digit 0-9",
			`{"token": "short"}`:                            "token: must be 32 characters",
			`{}`:                                            "token: required: the 32-character sideband token",
			`not json`:                                      `the body must be the JSON object {"token": "<32 characters of a-z and 0-9>"}`,
		} {
			r := call(http.MethodPut, body, manager)
			Expect(r.code).To(Equal(http.StatusBadRequest), body)
			var res sideband.Result
			Expect(json.Unmarshal([]byte(r.body), &res)).To(Succeed())
			Expect(res.Status).To(Equal("failure"))
			Expect(res.Message).To(HavePrefix(want))
		}
		r = call(http.MethodPut, `{"token": "`+held+`"}`, manager)
		Expect(r.code).To(Equal(http.StatusConflict), "a value held already: "+r.body)
		Expect(tokensIn()).To(HaveLen(2))
	})

	It("lists the tokens by their last characters and creation time in the API's format, newest first (GET)", func() {
		r := call(http.MethodGet, "", manager)
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		var l sideband.List
		Expect(json.Unmarshal([]byte(r.body), &l)).To(Succeed())
		Expect(l.SidebandTokens).To(HaveLen(2))
		lasts := []string{}
		for _, t := range l.SidebandTokens {
			Expect(t.Token).To(MatchRegexp(`^…[a-z0-9]{5}$`))
			created, err := time.Parse(sideband.TimeFormat, t.CreatedAt)
			Expect(err).NotTo(HaveOccurred(), t.CreatedAt)
			Expect(created).To(BeTemporally("~", time.Now().UTC(), time.Minute))
			lasts = append(lasts, t.Token)
		}
		Expect(lasts).To(ContainElement("…01f75"))
	})

	It("deletes the token holding a value (DELETE); an unknown one is 404 in the same shape", func() {
		const held = "dc6684370f014923b8a070c982601f75"
		r := call(http.MethodDelete, `{"token": "`+held+`"}`, manager)
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		Expect(r.body).To(MatchJSON(`{"status": "success", "status_message": "Sideband token deleted."}`))
		Expect(forwardAuth("/", held).StatusCode).To(Equal(http.StatusUnauthorized))
		Eventually(func() int { return len(tokensIn()) }).Should(Equal(1))

		r = call(http.MethodDelete, `{"token": "`+held+`"}`, manager)
		Expect(r.code).To(Equal(http.StatusNotFound))
		Expect(r.body).To(MatchJSON(`{"status": "failure", "status_message": "no sideband token has this value"}`))
	})

	It("needs Kubernetes credentials and RBAC in its namespace, and says so to a caller with ASE's keys", func() {
		r := ase(http.MethodGet, "", "x-ase-access-key", "ase_ak", "x-ase-secret-key", "ase_sk")
		bodies = append(bodies, r.body)
		Expect(r.code).To(Equal(http.StatusUnauthorized))
		var res sideband.Result
		Expect(json.Unmarshal([]byte(r.body), &res)).To(Succeed())
		Expect(res.Message).To(HavePrefix("x-ase-access-key and x-ase-secret-key are not Kubernetes credentials: send Authorization: Bearer"))
		Expect(ase(http.MethodPost, "").code).To(Equal(http.StatusUnauthorized))

		for _, method := range []string{http.MethodPost, http.MethodGet} {
			r := call(method, "", clerk)
			Expect(r.code).To(Equal(http.StatusForbidden), method+": "+r.body)
			Expect(r.body).To(ContainSubstring(`in namespace \"` + sidebandNamespace + `\", the sideband token namespace`))
		}
		Expect(tokensIn()).To(HaveLen(1), "a refused caller created nothing")
	})

	It("throttles a caller that keeps deleting unknown values, and only that caller", func() {
		guesser := serviceAccountToken(ctx, sidebandNamespace, "guesser")
		Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: sidebandNamespace, Name: "guesser"},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "sideband-manager"}, Subjects: subject(sidebandNamespace, "guesser")})).To(Succeed())
		Eventually(func() int { return call(http.MethodGet, "", guesser).code }).Should(Equal(http.StatusOK))
		for range verifyFailureLimit {
			Expect(call(http.MethodDelete, `{"token": "00000000000000000000000000000000"}`, guesser).code).To(Equal(http.StatusNotFound))
		}
		Expect(call(http.MethodGet, "", manager).code).To(Equal(http.StatusOK), "another caller is not affected")
		r := call(http.MethodDelete, `{"token": "00000000000000000000000000000000"}`, guesser)
		Expect(r.code).To(Equal(http.StatusTooManyRequests))
		Expect(r.header.Get("Retry-After")).NotTo(BeEmpty())
	})

	It("never returns a value but in the answer that created it", func() {
		Expect(values).NotTo(BeEmpty())
		for _, v := range values {
			for _, b := range bodies {
				if strings.Contains(b, `"status":"token_created","token":"`+v+`"`) {
					continue
				}
				Expect(b).NotTo(ContainSubstring(v))
			}
		}
	})
})
