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
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	promtestutil "github.com/prometheus/client_golang/prometheus/testutil"
	authenticationv1 "k8s.io/api/authentication/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

var _ = Describe("Guessing resistance and oversized bodies", Ordered, func() {
	var (
		ctx                  context.Context
		ns, value            string
		gateway, kubeAPIFake string
	)
	const wrong = "0123456789abcdefghijklmnopqrstuv"

	BeforeAll(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
		gateway, kubeAPIFake = serviceAccountToken(ctx, ns, "gateway"), serviceAccountToken(ctx, ns, "kube-apiserver")
		role := verifierRole(ctx)
		for _, sa := range []string{"gateway", "kube-apiserver"} {
			Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: sa + "-" + ns},
				RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}, Subjects: subject(ns, sa)})).To(Succeed())
		}
		tok := testutil.MakeApiToken(ns, "svc").Obj()
		tok.UID = ""
		Expect(k8sClient.Create(ctx, tok)).To(Succeed())
		Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, "svc").Status.TokenStatus }, 30*time.Second).Should(Equal(authv1alpha1.TokenStatusActive))
		value = getSecretValue(ctx, ns, "svc")
		Eventually(func() int {
			code, _ := call(http.MethodPost, "/api/v1/tokens/verify", gateway, `{"token":"`+value+`"}`)
			return code
		}, 30*time.Second).Should(Equal(http.StatusOK))
	})

	It("throttles an end client behind the ingress at forward auth, and only that client", func() {
		ask := func(client, presented string) *http.Response {
			GinkgoHelper()
			req, err := http.NewRequest(http.MethodGet, forwardAuthURL+"/", nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("X-Forwarded-For", client) // the suite trusts 127.0.0.1 as a proxy
			req.Header.Set("X-Api-Token", presented)
			resp, err := httpClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			return resp
		}
		before := promtestutil.ToFloat64(metrics.VerifyThrottled.WithLabelValues("forward-auth"))
		for range verifyFailureLimit {
			Expect(ask("198.51.100.66", wrong).StatusCode).To(Equal(http.StatusUnauthorized))
		}
		resp := ask("198.51.100.66", wrong)
		Expect(resp.StatusCode).To(Equal(http.StatusTooManyRequests))
		Expect(resp.Header.Get("Retry-After")).To(MatchRegexp(`^[1-9][0-9]*$`))
		Expect(ask("198.51.100.66", value).StatusCode).To(Equal(http.StatusTooManyRequests), "a valid token from a throttled client is refused until its window passes")
		Expect(ask("198.51.100.67", value).StatusCode).To(Equal(http.StatusOK), "another client behind the same ingress is not locked out")
		Expect(promtestutil.ToFloat64(metrics.VerifyThrottled.WithLabelValues("forward-auth")) - before).To(Equal(2.0))
	})

	It("throttles the end client a service names at the verify endpoint", func() {
		body := func(presented, addr string) string {
			b, _ := json.Marshal(map[string]string{"token": presented, "remoteAddress": addr})
			return string(b)
		}
		for range verifyFailureLimit {
			code, _ := call(http.MethodPost, "/api/v1/tokens/verify", gateway, body(wrong, "198.51.100.66"))
			Expect(code).To(Equal(http.StatusUnauthorized))
		}
		code, out := call(http.MethodPost, "/api/v1/tokens/verify", gateway, body(value, "198.51.100.66"))
		Expect(code).To(Equal(http.StatusTooManyRequests), out)
		Expect(out).To(ContainSubstring("too many failed verifications from this client"))
		Expect(out).NotTo(ContainSubstring(value))
		code, out = call(http.MethodPost, "/api/v1/tokens/verify", gateway, body(value, "198.51.100.67"))
		Expect(code).To(Equal(http.StatusOK), out)
	})

	// Finding 8 of issue #23: kube-apiserver is TokenReview's only caller, so
	// counting failures per caller let junk bearer tokens sent to
	// kube-apiserver lock every ApiToken out.
	It("never refuses a valid TokenReview because of other tokens' failures, and counts them", func() {
		before := promtestutil.ToFloat64(metrics.VerifyFailures.WithLabelValues("tokenreview"))
		for range 2 * verifyFailureLimit {
			code, r := reviewAs(kubeAPIFake, wrong)
			Expect(code).To(Equal(http.StatusOK))
			Expect(r.Status.Authenticated).To(BeFalse())
		}
		code, r := reviewAs(kubeAPIFake, value)
		Expect(code).To(Equal(http.StatusOK))
		Expect(r.Status.Authenticated).To(BeTrue(), "a valid token after 2x the failure limit of junk")
		Expect(promtestutil.ToFloat64(metrics.VerifyFailures.WithLabelValues("tokenreview")) - before).To(BeNumerically(">=", 2*verifyFailureLimit))
	})

	It("answers ten 100 KB bodies in a row with a readable 413 or 400 (Go's client)", func() {
		big := `{"token":"` + strings.Repeat("a", 100<<10) + `"}`
		for i := range 10 {
			code, out := call(http.MethodPost, "/api/v1/tokens/verify", gateway, big)
			Expect(code).To(Equal(http.StatusRequestEntityTooLarge), "body %d: %s", i, out)
			Expect(out).To(ContainSubstring(`"parameter":"body"`))
			code, out = call(http.MethodPost, "/api/v1/tokens/query", gateway, strings.Repeat("x", 100<<10))
			Expect(code).To(Or(Equal(http.StatusBadRequest), Equal(http.StatusRequestEntityTooLarge)), "body %d: %s", i, out)
			Expect(out).To(ContainSubstring(`"parameter":"body"`))
		}
	})

	It("answers ten 100 KB bodies in a row with a readable 413 (curl)", func() {
		curl, err := exec.LookPath("curl")
		if err != nil {
			Skip("curl is not on PATH")
		}
		file := filepath.Join(GinkgoT().TempDir(), "body.json")
		Expect(os.WriteFile(file, []byte(`{"token":"`+strings.Repeat("a", 100<<10)+`"}`), 0o600)).To(Succeed())
		for i := range 10 {
			var out bytes.Buffer
			cmd := exec.Command(curl, "-sS", "-k", "-o", "-", "-w", "\n%{http_code}", "-H", "Authorization: Bearer "+gateway,
				"-H", "Content-Type: application/json", "--data-binary", "@"+file, baseURL+"/api/v1/tokens/verify")
			cmd.Stdout, cmd.Stderr = &out, &out
			Expect(cmd.Run()).To(Succeed(), "curl %d: %s", i, out.String())
			Expect(out.String()).To(HaveSuffix("\n413"), "curl %d", i)
			Expect(out.String()).To(ContainSubstring("is larger than 65536 bytes"))
		}
	})
})

// reviewAs sends a TokenReview of presented as caller.
func reviewAs(caller, presented string) (int, authenticationv1.TokenReview) {
	GinkgoHelper()
	b, _ := json.Marshal(authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: presented}})
	code, out := call(http.MethodPost, "/api/v1/tokenreviews", caller, string(b))
	var r authenticationv1.TokenReview
	Expect(json.Unmarshal([]byte(out), &r)).To(Succeed())
	return code, r
}
