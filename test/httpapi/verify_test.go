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
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/verifyapi"
)

func verifyBody(value string) string {
	b, _ := json.Marshal(map[string]string{"token": value})
	return string(b)
}

var _ = Describe("Verify API", Ordered, func() {
	var (
		ctx              context.Context
		ns               string
		verifier, nobody string
		values           = map[string]string{}
		seen             []string
	)
	// post verifies a value and remembers the response for the leak check.
	post := func(path, bearer, body string) (int, string) {
		code, out := call(http.MethodPost, path, bearer, body)
		seen = append(seen, out)
		return code, out
	}
	current := func(name string) string {
		s := getSecretValue(ctx, ns, name)
		values[name+"@"+time.Now().String()] = s
		return s
	}

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		role := verifierRole(ctx)
		verifier = serviceAccountToken(ctx, ns, "gateway")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "gateway-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}, Subjects: subject(ns, "gateway")})).To(Succeed())
		nobody = serviceAccountToken(ctx, ns, "stranger")

		for _, t := range []*authv1alpha1.ApiToken{
			testutil.MakeApiToken(ns, "svc").Rotation(0, 4*time.Second).Obj(),
			testutil.MakeApiToken(ns, "short").TTL(3 * time.Second).Obj(),
			testutil.MakeApiToken(ns, "rev").Obj(),
		} {
			t.UID = ""
			Expect(k8sClient.Create(ctx, t)).To(Succeed())
		}
		for _, name := range []string{"svc", "short", "rev"} {
			Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, name).Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))
		}
		Eventually(func() int {
			code, _ := post("/api/v1/tokens/verify", verifier, verifyBody(current("svc")))
			return code
		}).Should(Equal(http.StatusOK))
	})

	It("says who a valid token belongs to, and nothing about an invalid one", func() {
		code, out := post("/api/v1/tokens/verify", verifier, verifyBody(current("svc")))
		Expect(code).To(Equal(http.StatusOK), out)
		var res verifyapi.Result
		Expect(json.Unmarshal([]byte(out), &res)).To(Succeed())
		Expect(res).To(Equal(verifyapi.Result{Valid: true, Namespace: ns, Name: "svc", Principal: "alice", Type: "USER", Scopes: []string{}}))

		code, out = post("/api/v1/tokens/verify", verifier, verifyBody("0123456789abcdefghijklmnopqrstuv"))
		Expect(code).To(Equal(http.StatusUnauthorized))
		Expect(out).To(MatchJSON(`{"valid":false}`))
	})

	It("answers forward-auth subrequests for each header form, with identity headers and restrictions", func() {
		value := current("svc")
		ask := func(path string, header http.Header) *http.Response {
			req, err := http.NewRequest(http.MethodGet, forwardAuthURL+path, nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header = header
			resp, err := httpClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			body, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			seen = append(seen, string(body))
			return resp
		}
		for name, h := range map[string]http.Header{
			"bearer":      {"Authorization": {"Bearer " + value}},
			"token=":      {"Authorization": {"Token token=" + value}},
			"X-Api-Token": {"X-Api-Token": {value}},
		} {
			resp := ask("/any/path?x=1", h)
			Expect(resp.StatusCode).To(Equal(http.StatusOK), name)
			Expect(resp.Header.Get(verifyapi.HeaderPrincipal)).To(Equal("alice"))
			Expect(resp.Header.Get(verifyapi.HeaderType)).To(Equal("USER"))
			Expect(resp.Header.Get(verifyapi.HeaderName)).To(Equal("svc"))
			Expect(resp.Header.Get(verifyapi.HeaderNamespace)).To(Equal(ns))
		}
		ok := http.Header{"X-Api-Token": {value}}
		Expect(ask("/?namespace="+ns+"&type=user", ok).StatusCode).To(Equal(http.StatusOK))
		Expect(ask("/?namespace=elsewhere", ok).StatusCode).To(Equal(http.StatusUnauthorized))
		Expect(ask("/?type=API_CLIENT", ok).StatusCode).To(Equal(http.StatusUnauthorized))
		denied := ask("/", http.Header{"Authorization": {"Bearer wrong-token-000000000000000000000"}})
		Expect(denied.StatusCode).To(Equal(http.StatusUnauthorized))
		Expect(denied.Header.Get("WWW-Authenticate")).To(ContainSubstring("Bearer"))
		Expect(denied.Header.Get(verifyapi.HeaderPrincipal)).To(BeEmpty())
		Expect(ask("/", http.Header{}).StatusCode).To(Equal(http.StatusUnauthorized))
	})

	It("refuses callers without a token or without permission, and bad bodies", func() {
		code, _ := post("/api/v1/tokens/verify", "", verifyBody(current("svc")))
		Expect(code).To(Equal(http.StatusUnauthorized))
		code, out := post("/api/v1/tokens/verify", nobody, verifyBody(current("svc")))
		Expect(code).To(Equal(http.StatusForbidden), out)
		for _, body := range []string{`{"token":""}`, `{}`, `not json`, `{"token":"a","extra":1}`, verifyBody(string(make([]byte, 2000)))} {
			code, _ := post("/api/v1/tokens/verify", verifier, body)
			Expect(code).To(Equal(http.StatusBadRequest), body)
		}
	})

	It("answers a TokenReview round trip", func() {
		in := authenticationv1.TokenReview{TypeMeta: metav1.TypeMeta{APIVersion: "authentication.k8s.io/v1", Kind: "TokenReview"},
			Spec: authenticationv1.TokenReviewSpec{Token: current("svc")}}
		b, _ := json.Marshal(in)
		code, out := post("/api/v1/tokenreviews", verifier, string(b))
		Expect(code).To(Equal(http.StatusOK), out)
		var review authenticationv1.TokenReview
		Expect(json.Unmarshal([]byte(out), &review)).To(Succeed())
		Expect(review.Status.Authenticated).To(BeTrue())
		Expect(review.Status.User.Username).To(Equal("apitoken:" + ns + ":svc"))
		Expect(review.Status.User.UID).To(Equal(string(getToken(ctx, ns, "svc").UID)))
		// Namespaced (issue #23): a type or principal claimed by an ApiToken
		// in one namespace is no group membership in another.
		Expect(review.Status.User.Groups).To(ConsistOf("apitoken:"+ns+":type:User", "apitoken:"+ns+":principal:alice", "apitoken:namespace:"+ns))
		Expect(review.Status.User.Extra).To(HaveKey("auth.apitoken.io/principal"))
		Expect(review.Spec.Token).To(BeEmpty(), "the token is not echoed back")

		in.Spec.Token = "unknown-token-value-000000000000"
		b, _ = json.Marshal(in)
		_, out = post("/api/v1/tokenreviews", verifier, string(b))
		var rejected authenticationv1.TokenReview
		Expect(json.Unmarshal([]byte(out), &rejected)).To(Succeed())
		Expect(rejected.Status.Authenticated).To(BeFalse())
		Expect(rejected.Status.User.Username).To(BeEmpty())
	})

	It("rejects a token the instant it expires and once it is revoked", func() {
		short := current("short")
		exp := getToken(ctx, ns, "short").Status.ExpirationDate.Time
		if time.Now().Before(exp.Add(-time.Second)) {
			code, _ := post("/api/v1/tokens/verify", verifier, verifyBody(short))
			Expect(code).To(Equal(http.StatusOK))
		}
		Eventually(func() int { code, _ := post("/api/v1/tokens/verify", verifier, verifyBody(short)); return code }).Should(Equal(http.StatusUnauthorized))
		Expect(time.Now()).NotTo(BeTemporally("<", exp))

		rev := current("rev")
		tok := getToken(ctx, ns, "rev")
		patch := client.MergeFrom(tok.DeepCopy())
		tok.Spec.Revoked = true
		Expect(k8sClient.Patch(ctx, tok, patch)).To(Succeed())
		Eventually(func() int { code, _ := post("/api/v1/tokens/verify", verifier, verifyBody(rev)); return code }).Should(Equal(http.StatusUnauthorized))
	})

	It("accepts the previous token during the grace period only", func() {
		old := current("svc")
		tok := getToken(ctx, ns, "svc")
		patch := client.MergeFrom(tok.DeepCopy())
		tok.Annotations = map[string]string{authv1alpha1.RotateAnnotation: "now"}
		Expect(k8sClient.Patch(ctx, tok, patch)).To(Succeed())
		Eventually(func() string { return current("svc") }).ShouldNot(Equal(old))
		code, _ := post("/api/v1/tokens/verify", verifier, verifyBody(old))
		Expect(code).To(Equal(http.StatusOK), "the previous token verifies during the grace period")
		code, _ = post("/api/v1/tokens/verify", verifier, verifyBody(current("svc")))
		Expect(code).To(Equal(http.StatusOK))
		Eventually(func() int { code, _ := post("/api/v1/tokens/verify", verifier, verifyBody(old)); return code }, 10*time.Second).Should(Equal(http.StatusUnauthorized))
	})

	It("records lastUsedDate within the interval", func() {
		Eventually(func(g Gomega) {
			lu := getToken(ctx, ns, "svc").Status.LastUsedDate
			g.Expect(lu).NotTo(BeNil())
			g.Expect(lu.Time).To(BeTemporally("~", time.Now(), time.Minute))
		}).Should(Succeed())
		Expect(getToken(ctx, ns, "short").Status.LastUsedDate).NotTo(BeNil(), "verified before it expired")
	})

	It("never returns a token value", func() {
		Expect(values).NotTo(BeEmpty())
		for _, v := range values {
			for _, out := range seen {
				Expect(out).NotTo(ContainSubstring(v))
			}
		}
	})
})

func getToken(ctx context.Context, ns, name string) *authv1alpha1.ApiToken {
	GinkgoHelper()
	t := &authv1alpha1.ApiToken{}
	Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, t)).To(Succeed())
	return t
}

func getSecretValue(ctx context.Context, ns, name string) string {
	GinkgoHelper()
	s := &corev1.Secret{}
	Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s)).To(Succeed())
	return string(s.Data["token"])
}

// verifierRole creates the shipped apitoken-verifier ClusterRole (once) and
// returns its name.
func verifierRole(ctx context.Context) string {
	GinkgoHelper()
	return shippedClusterRole(ctx, "verifier_role.yaml", "apitoken-verifier")
}

// shippedClusterRole creates (once) a ClusterRole from config/rbac.
func shippedClusterRole(ctx context.Context, file, name string) string {
	GinkgoHelper()
	b, err := os.ReadFile(filepath.Join("..", "..", "config", "rbac", file))
	Expect(err).NotTo(HaveOccurred())
	role := &rbacv1.ClusterRole{}
	Expect(yaml.Unmarshal(b, role)).To(Succeed())
	Expect(role.Name).To(Equal(name))
	Expect(client.IgnoreAlreadyExists(k8sClient.Create(ctx, role))).To(Succeed())
	return role.Name
}
