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
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// subjectAccessReviews is how many SubjectAccessReviews the API server has
// been asked so far, from its own request counter.
func subjectAccessReviews(ctx context.Context) float64 {
	GinkgoHelper()
	raw, err := clientset.Discovery().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	Expect(err).NotTo(HaveOccurred())
	var n float64
	sc := bufio.NewScanner(strings.NewReader(string(raw)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "apiserver_request_total{") || !strings.Contains(line, `resource="subjectaccessreviews"`) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		Expect(err).NotTo(HaveOccurred(), line)
		n += v
	}
	return n
}

// The attacks of issue #23, findings 4 and 6, by callers with no rights or
// personal-token rights only, through the real listener.
var _ = Describe("Bounded work and no oracles", Ordered, func() {
	var (
		ctx                  context.Context
		ns, victimNS         string
		nobody, alice, admin string
		victimValue          string
	)
	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns, victimNS = newNamespace(ctx), newNamespace(ctx)
		nobody = serviceAccountToken(ctx, ns, "nobody")
		alice = serviceAccountToken(ctx, ns, "alice")
		Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "personal-tokens"},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: selfServiceRole(ctx)}, Subjects: subject(ns, "alice")})).To(Succeed())
		admin = serviceAccountToken(ctx, victimNS, "admin")
		Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: victimNS, Name: "reader"},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: readerRole(ctx)}, Subjects: subject(victimNS, "admin")})).To(Succeed())

		// A Secret-held token in a namespace neither caller may see.
		victim := testutil.MakeApiToken(victimNS, "victim").Obj()
		victim.UID = ""
		Expect(k8sClient.Create(ctx, victim)).To(Succeed())
		Eventually(func() int {
			return len(list("/api/v1/tokens?namespace="+victimNS+"&status=ACTIVE", admin).ApiTokens)
		}).Should(Equal(1))
		victimValue = getSecretValueKey(ctx, victimNS, "victim", "token")
	})

	It("a list naming many namespaces asks only about those that hold ApiTokens (finding 4)", func() {
		names := []string{victimNS}
		for i := range 99 {
			names = append(names, fmt.Sprintf("bounds-absent-%d", i))
		}
		path := "/api/v1/tokens?namespace=" + strings.Join(names, ",")
		before := subjectAccessReviews(ctx)
		// Nothing of victimNS shows; the names that hold nothing have
		// nothing to show.
		Expect(list(path, nobody).ApiTokens).To(BeEmpty())
		// Cluster-wide list, list in victimNS, apitokens/self in victimNS:
		// never one per name (on daa062c: 1 + 2 × 100).
		Expect(subjectAccessReviews(ctx) - before).To(BeNumerically("<=", 3))
		// Naming only namespaces that hold ApiTokens it may not see is a
		// refusal naming the permission.
		r := httpDo(http.MethodGet, "/api/v1/tokens?namespace="+victimNS, nobody, "")
		Expect(r.code).To(Equal(http.StatusForbidden), r.body)
		Expect(r.body).To(ContainSubstring("may not list apitokens.auth.apitoken.io in any namespace named by the query"))
		// The same caller asking again is answered from its cached decisions.
		before = subjectAccessReviews(ctx)
		Expect(list(path, nobody).ApiTokens).To(BeEmpty())
		Expect(subjectAccessReviews(ctx)).To(Equal(before))

		before = subjectAccessReviews(ctx)
		r = httpDo(http.MethodGet, "/api/v1/tokens?namespace="+strings.Join(append(names, "one-too-many"), ","), nobody, "")
		Expect(r.code).To(Equal(http.StatusBadRequest))
		msg, param := errorOf(r)
		Expect(param).To(Equal("namespace"))
		Expect(msg).To(ContainSubstring("names 101 namespaces: at most 100"))

		r = httpDo(http.MethodPost, "/api/v1/tokens/query", nobody, `{"filters": {"namespaces": ["`+victimNS+`", "Not_A_Namespace"]}}`)
		Expect(r.code).To(Equal(http.StatusBadRequest))
		msg, param = errorOf(r)
		Expect(param).To(Equal("filters.namespaces"))
		Expect(msg).To(ContainSubstring(`"Not_A_Namespace" is not a namespace name`))
		Expect(subjectAccessReviews(ctx)).To(Equal(before), "bad input is refused before anything is asked")
	})

	It("keys authorization answers by caller, not by credential: a new token of the same ServiceAccount asks nothing again (round two, finding 8)", func() {
		stranger := serviceAccountToken(ctx, ns, "stranger")
		again, err := clientset.CoreV1().ServiceAccounts(ns).CreateToken(ctx, "stranger", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
		Expect(err).NotTo(HaveOccurred())
		r := httpDo(http.MethodGet, "/api/v1/tokens?namespace="+victimNS, stranger, "")
		Expect(r.code).To(Equal(http.StatusForbidden), r.body)
		before := subjectAccessReviews(ctx)
		r = httpDo(http.MethodGet, "/api/v1/tokens?namespace="+victimNS, again.Status.Token, "")
		Expect(r.code).To(Equal(http.StatusForbidden), r.body)
		Expect(subjectAccessReviews(ctx)).To(Equal(before), "the second token's caller is the first's")
	})

	It("bounds the authorization questions of one request, whatever the number of namespaces holding ApiTokens (round two, finding 8)", func() {
		// More namespaces holding ApiTokens than one request may ask about;
		// removed again, so that specs after this one see a small cluster.
		var fillers []*authv1alpha1.ApiToken
		for i := range httpserver.MaxReviewsPerRequest {
			other := newNamespace(ctx)
			t := testutil.MakeApiToken(other, "filler").Hashed(fmt.Sprintf("%s-filler-%03d-0123456789abcdef", other, i)).Obj()
			t.UID = ""
			Expect(k8sClient.Create(ctx, t)).To(Succeed())
			fillers = append(fillers, t)
		}
		stranger := serviceAccountToken(ctx, ns, "budget-stranger")
		DeferCleanup(func() {
			for _, t := range fillers {
				Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, t))).To(Succeed())
			}
			Eventually(func() int {
				return httpDo(http.MethodGet, "/api/v1/tokens", stranger, "").code
			}, 60*time.Second).ShouldNot(Equal(http.StatusBadRequest), "the fillers are gone from this replica's read model")
		})
		Eventually(func() int {
			return httpDo(http.MethodGet, "/api/v1/tokens", stranger, "").code
		}, 60*time.Second).Should(Equal(http.StatusBadRequest), "once this replica's read model holds every filler")

		// The API server counts a request once it has answered: read the
		// count once it has settled (two reads alike).
		settled := func() float64 {
			GinkgoHelper()
			n := -1.0
			Eventually(func() float64 {
				last := n
				n = subjectAccessReviews(ctx)
				return n - last
			}).WithPolling(300 * time.Millisecond).Should(BeZero())
			return n
		}
		before := settled()
		r := httpDo(http.MethodGet, "/api/v1/tokens", nobody, "")
		Expect(r.code).To(Equal(http.StatusBadRequest), r.body)
		msg, param := errorOf(r)
		Expect(param).To(Equal("namespace"))
		Expect(msg).To(ContainSubstring("name the namespaces to look in (namespace=a,b; at most 100)"))
		Expect(settled() - before).To(BeNumerically("<=", httpserver.MaxReviewsPerRequest))

		By("naming namespaces, at most 100, is always answered")
		names := []string{victimNS}
		for _, t := range fillers[:99] {
			names = append(names, t.Namespace)
		}
		r = httpDo(http.MethodGet, "/api/v1/tokens?namespace="+strings.Join(names, ","), nobody, "")
		Expect(r.code).To(Equal(http.StatusForbidden), "answered, not cut short: "+r.body)
		Expect(r.body).To(ContainSubstring("may not list apitokens.auth.apitoken.io in any namespace named by the query"))
	})

	It("write paths refuse a namespace that cannot exist before asking anything (finding 4)", func() {
		before := subjectAccessReviews(ctx)
		for _, req := range []struct{ method, path string }{
			{http.MethodDelete, "/api/v1/tokens/Not_A_Namespace/x"},
			{http.MethodPost, "/api/v1/tokens/Not_A_Namespace/x/regenerate"},
			{http.MethodPost, "/api/v1/tokens/Not_A_Namespace/x/revoke"},
			{http.MethodPut, "/api/v1/tokens/Not_A_Namespace/x"},
		} {
			body := ""
			if req.method == http.MethodPut {
				body = jsonBody(map[string]any{"token": "a-value-of-my-own-that-is-long-enough"})
			}
			r := httpDo(req.method, req.path, nobody, body)
			Expect(r.code).To(Equal(http.StatusBadRequest), req.path)
			msg, param := errorOf(r)
			Expect(param).To(Equal("namespace"), req.path)
			Expect(msg).To(ContainSubstring(`"Not_A_Namespace" is not a namespace name`), req.path)
		}
		Expect(subjectAccessReviews(ctx)).To(Equal(before))
	})

	It("importing a value another ApiToken holds counts as a failed guess, wherever the holder is (finding 6)", func() {
		// Held where alice may look (her own personal token) and where she
		// may not (victimNS): one answer, word for word.
		own := httpDo(http.MethodPost, "/api/v1/tokens", alice, jsonBody(map[string]any{"namespace": ns, "name": "mine", "ttl": "24h"}))
		Expect(own.code).To(Equal(http.StatusCreated), own.body)
		ownValue := decodeWritten(own).Token
		heldHere := httpDo(http.MethodPut, "/api/v1/tokens/"+ns+"/guess-own", alice, jsonBody(map[string]any{"token": ownValue, "ttl": "24h"}))
		Expect(heldHere.code).To(Equal(http.StatusConflict), heldHere.body)
		heldThere := httpDo(http.MethodPut, "/api/v1/tokens/"+ns+"/guess-0", alice, jsonBody(map[string]any{"token": victimValue, "ttl": "24h"}))
		Expect(heldThere.code).To(Equal(http.StatusConflict), heldThere.body)
		Expect(heldThere.body).To(Equal(heldHere.body))

		for i := 2; i < verifyFailureLimit; i++ {
			r := httpDo(http.MethodPut, fmt.Sprintf("/api/v1/tokens/%s/guess-%d", ns, i), alice, jsonBody(map[string]any{"token": victimValue, "ttl": "24h"}))
			Expect(r.code).To(Equal(http.StatusConflict), "guess %d: %s", i, r.body)
		}
		r := httpDo(http.MethodPut, "/api/v1/tokens/"+ns+"/guess-last", alice, jsonBody(map[string]any{"token": victimValue, "ttl": "24h"}))
		Expect(r.code).To(Equal(http.StatusTooManyRequests), r.body)
		Expect(r.header.Get("Retry-After")).NotTo(BeEmpty())
		// Throttled whatever she sends, until her bucket refills.
		r = httpDo(http.MethodPut, "/api/v1/tokens/"+ns+"/fresh", alice, jsonBody(map[string]any{"token": "avaluenobodyholds0123456789abcde", "ttl": "24h"}))
		Expect(r.code).To(Equal(http.StatusTooManyRequests), r.body)
	})
})
