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
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/writeapi"
)

// asSelf calls a self endpoint presenting value in header form: "bearer",
// "token" (Token token=) or "x-api-token"; from names the end client.
func asSelf(method, path, value, form, body, from string) reply {
	GinkgoHelper()
	var headers []string
	switch form {
	case "bearer":
		headers = []string{"Authorization", "Bearer " + value}
	case "token":
		headers = []string{"Authorization", `Token token="` + value + `"`}
	case "x-api-token":
		headers = []string{"X-Api-Token", value}
	}
	if from != "" {
		headers = append(headers, "X-Forwarded-For", from)
	}
	if body != "" {
		headers = append(headers, "Content-Type", "application/json")
	}
	return queryDo(method, path, body, headers...)
}

var _ = Describe("Tokens that manage themselves, on the query listener", Ordered, func() {
	var (
		ctx            context.Context
		ns             string
		admin, gateway string
		values         []string
		bodies         []string
	)
	self := func(method, path, value, body string) reply {
		r := asSelf(method, path, value, "bearer", body, "")
		bodies = append(bodies, r.body)
		return r
	}
	verifies := func(value string) int {
		return httpDo(http.MethodPost, "/api/v1/tokens/verify", gateway, verifyBody(value)).code
	}
	create := func(req map[string]any) string {
		GinkgoHelper()
		r := httpDo(http.MethodPost, "/api/v1/tokens", admin, jsonBody(req))
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		v := decodeWritten(r).Token
		values = append(values, v)
		return v
	}

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		admin = tokenAdmin(ctx, ns)
		gateway = serviceAccountToken(ctx, ns, "gateway")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "selfquery-gateway-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: verifierRole(ctx)}, Subjects: subject(ns, "gateway")})).To(Succeed())
		Eventually(func() int { return httpDo(http.MethodGet, "/api/v1/tokens?namespace="+ns, admin, "").code }).Should(Equal(http.StatusOK))
	})

	It("answers a token's own row to the token itself, in each header form", func() {
		v := create(map[string]any{"namespace": ns, "name": "cron", "type": "API_CLIENT", "principal": "cron", "ttl": "720h",
			"scopes": []string{"read", writeapi.SelfRotateScope}})
		for _, form := range []string{"bearer", "token", "x-api-token"} {
			r := asSelf(http.MethodGet, writeapi.SelfPath, v, form, "", "")
			bodies = append(bodies, r.body)
			Expect(r.code).To(Equal(http.StatusOK), form+": "+r.body)
			var row query.TokenDTO
			Expect(json.Unmarshal([]byte(r.body), &row)).To(Succeed())
			Expect(row.Namespace).To(Equal(ns))
			Expect(row.Name).To(Equal("cron"))
			Expect(row.Scopes).To(Equal([]string{"read", writeapi.SelfRotateScope}))
			Expect(row.Revision).To(Equal(int64(1)))
			Expect(row.ExpirationDate).NotTo(BeNil())
			Expect(time.UnixMilli(*row.ExpirationDate)).To(BeTemporally("~", time.Now().Add(720*time.Hour), time.Minute))
		}
		r := self(http.MethodGet, writeapi.SelfPath, "0123456789abcdefghijklmnopqrstuv", "")
		Expect(r.code).To(Equal(http.StatusUnauthorized))
		Expect(r.body).To(ContainSubstring("the token is not valid"))
		r = asSelf(http.MethodGet, writeapi.SelfPath, "", "", "", "")
		Expect(r.code).To(Equal(http.StatusUnauthorized))
		msg, _ := errorOf(r)
		Expect(msg).To(HavePrefix("present the ApiToken itself: Authorization: Bearer <token>"))
		r = self(http.MethodGet, writeapi.SelfPath, admin, "")
		Expect(r.code).To(Equal(http.StatusUnauthorized), "a Kubernetes token is not an ApiToken")
	})

	It("rotates a hash-only token that holds apitoken:self-rotate, once, keeping the old value for the grace period", func() {
		old := create(map[string]any{"namespace": ns, "name": "rotor", "type": "API_CLIENT", "principal": "cron", "ttl": "1h",
			"scopes": []string{"read", writeapi.SelfRotateScope}})
		before := getToken(ctx, ns, "rotor")
		// Dates are whole seconds: rotate in a later one than the creation.
		Eventually(func() bool { return time.Now().After(before.Status.CreationDate.Add(time.Second)) }, 3*time.Second, 50*time.Millisecond).Should(BeTrue())

		r := self(http.MethodPost, writeapi.SelfRotatePath, old, `{"gracePeriod": "3s"}`)
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		Expect(r.header.Get("Cache-Control")).To(Equal("no-store"))
		w := decodeWritten(r)
		values = append(values, w.Token)
		Expect(w.Token).NotTo(Equal(old))
		Expect(w.ApiToken.Scopes).To(Equal([]string{"read", writeapi.SelfRotateScope}))
		Expect(w.ApiToken.Revision).To(Equal(before.Status.Revision + 1))
		Expect(*w.ApiToken.ApiTokenTTL).To(Equal(int64(3600)), "the same ttl")
		Expect(time.UnixMilli(*w.ApiToken.ExpirationDate)).To(BeTemporally(">", before.Status.ExpirationDate.Time), "a new expiry from now")
		Expect(*w.ApiToken.ExpirationDate - *w.ApiToken.CreationDate).To(Equal(int64(3600_000)))
		Expect(verifies(w.Token)).To(Equal(http.StatusOK))

		By("the old value verifies during the grace period, says so about itself, and may not rotate")
		Expect(verifies(old)).To(Equal(http.StatusOK))
		r = self(http.MethodGet, writeapi.SelfPath, old, "")
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		var row query.TokenDTO
		Expect(json.Unmarshal([]byte(r.body), &row)).To(Succeed())
		Expect(row.Revision).To(Equal(before.Status.Revision))
		Expect(time.UnixMilli(*row.ExpirationDate)).To(BeTemporally("<=", time.Now().Add(3*time.Second)))
		r = self(http.MethodPost, writeapi.SelfRotatePath, old, "")
		Expect(r.code).To(Equal(http.StatusConflict), r.body)
		Expect(r.body).To(ContainSubstring("this is the previous token, in its grace period"))

		By("then it stops")
		Eventually(func() int { return verifies(old) }, 10*time.Second).Should(Equal(http.StatusUnauthorized))
		Expect(self(http.MethodPost, writeapi.SelfRotatePath, old, "").code).To(Equal(http.StatusUnauthorized))

		By("without a grace period the old value stops at once")
		r = self(http.MethodPost, writeapi.SelfRotatePath, w.Token, "")
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		next := decodeWritten(r).Token
		values = append(values, next)
		Expect(verifies(next)).To(Equal(http.StatusOK))
		Eventually(func() int { return verifies(w.Token) }).Should(Equal(http.StatusUnauthorized))
	})

	It("refuses a token without the scope, a Secret-held token, a revoked one, and a grace period over the cap", func() {
		plain := create(map[string]any{"namespace": ns, "name": "plain", "type": "API_CLIENT", "principal": "cron", "scopes": []string{"read"}})
		r := self(http.MethodPost, writeapi.SelfRotatePath, plain, "")
		Expect(r.code).To(Equal(http.StatusForbidden), r.body)
		Expect(r.body).To(ContainSubstring("the token may not rotate itself: it needs scope apitoken:self-rotate"))
		Expect(r.header.Get("WWW-Authenticate")).To(ContainSubstring(`error="insufficient_scope"`))

		r = httpDo(http.MethodPost, "/api/v1/tokens", admin, jsonBody(map[string]any{"namespace": ns, "name": "held", "type": "API_CLIENT",
			"principal": "cron", "scopes": []string{writeapi.SelfRotateScope}, "secret": map[string]any{"name": "held"}}))
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		held := getSecretValue(ctx, ns, "held")
		values = append(values, held)
		r = self(http.MethodPost, writeapi.SelfRotatePath, held, "")
		Expect(r.code).To(Equal(http.StatusConflict), r.body)
		Expect(r.body).To(ContainSubstring("only a hash-only token rotates itself"))

		star := create(map[string]any{"namespace": ns, "name": "star", "type": "API_CLIENT", "principal": "cron", "scopes": []string{"*"}})
		r = self(http.MethodPost, writeapi.SelfRotatePath, star, "")
		Expect(r.code).To(Equal(http.StatusForbidden), "a wildcard never grants the reserved apitoken: scopes: "+r.body)
		Expect(r.body).To(ContainSubstring("it needs scope apitoken:self-rotate"))

		rotor := create(map[string]any{"namespace": ns, "name": "capped", "type": "API_CLIENT", "principal": "cron", "scopes": []string{writeapi.SelfRotateScope}})
		r = self(http.MethodPost, writeapi.SelfRotatePath, rotor, `{"gracePeriod": "25h"}`)
		Expect(r.code).To(Equal(http.StatusBadRequest), r.body)
		msg, param := errorOf(r)
		Expect(param).To(Equal("gracePeriod"))
		Expect(msg).To(ContainSubstring("at most 24h0m0s (--self-rotate-max-grace)"))
		r = self(http.MethodPost, writeapi.SelfRotatePath, rotor, `{"grace": "1h"}`)
		Expect(r.code).To(Equal(http.StatusBadRequest), r.body)

		Expect(httpDo(http.MethodPost, "/api/v1/tokens/"+ns+"/capped/revoke", admin, "").code).To(Equal(http.StatusOK))
		Expect(self(http.MethodPost, writeapi.SelfRotatePath, rotor, "").code).To(Equal(http.StatusUnauthorized))
		Expect(self(http.MethodGet, writeapi.SelfPath, rotor, "").code).To(Equal(http.StatusUnauthorized))
	})

	It("keeps a personal token's new expiry within --self-service-max-ttl", func() {
		const value = "personalvalue0123456789abcdefghij"
		values = append(values, value)
		tok := &authv1alpha1.ApiToken{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "carol-cron", Annotations: map[string]string{authv1alpha1.CreatedByAnnotation: "carol"}},
			Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "carol", TTL: &metav1.Duration{Duration: 100 * time.Hour},
				Scopes: []string{writeapi.SelfRotateScope},
				Source: &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: token.Fingerprint([]byte(value)), TokenLastChars: value[len(value)-5:]}}},
		}
		Expect(k8sClient.Create(ctx, tok)).To(Succeed())
		Eventually(func() int { return verifies(value) }).Should(Equal(http.StatusOK))
		r := self(http.MethodPost, writeapi.SelfRotatePath, value, "")
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		w := decodeWritten(r)
		values = append(values, w.Token)
		Expect(*w.ApiToken.ApiTokenTTL).To(Equal(int64(selfServiceMaxTTL / time.Second)))
		Expect(getToken(ctx, ns, "carol-cron").Spec.TTL.Duration).To(Equal(selfServiceMaxTTL))
	})

	It("throttles an end client that presents wrong values, and only that client", func() {
		v := create(map[string]any{"namespace": ns, "name": "busy", "type": "API_CLIENT", "principal": "cron", "scopes": []string{"read"}})
		for range verifyFailureLimit {
			Expect(asSelf(http.MethodGet, writeapi.SelfPath, "0123456789abcdefghijklmnopqrstuv", "bearer", "", "198.51.100.60").code).To(Equal(http.StatusUnauthorized))
		}
		r := asSelf(http.MethodGet, writeapi.SelfPath, v, "bearer", "", "198.51.100.60")
		Expect(r.code).To(Equal(http.StatusTooManyRequests))
		Expect(r.header.Get("Retry-After")).NotTo(BeEmpty())
		Expect(asSelf(http.MethodGet, writeapi.SelfPath, v, "bearer", "", "198.51.100.61").code).To(Equal(http.StatusOK))
	})

	It("never returns a value outside the rotation that made it", func() {
		Expect(values).NotTo(BeEmpty())
		for _, v := range values {
			for _, b := range bodies {
				if strings.Contains(b, `"token":"`+v+`"`) {
					continue // the one answer that returns it
				}
				Expect(b).NotTo(ContainSubstring(v))
			}
		}
	})
})
