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
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// call makes a request with an optional bearer token and returns the status and body.
func call(method, path, bearer, body string) (int, string) {
	GinkgoHelper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, baseURL+path, r)
	Expect(err).NotTo(HaveOccurred())
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := httpClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return resp.StatusCode, string(b)
}

func list(path, bearer string) query.Response {
	GinkgoHelper()
	code, body := call(http.MethodGet, path, bearer, "")
	Expect(code).To(Equal(http.StatusOK), body)
	var resp query.Response
	Expect(json.Unmarshal([]byte(body), &resp)).To(Succeed())
	return resp
}

// serviceAccountToken creates a ServiceAccount and returns a token for it.
func serviceAccountToken(ctx context.Context, ns, name string) string {
	GinkgoHelper()
	Expect(k8sClient.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}})).To(Succeed())
	tr, err := clientset.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3600)},
	}, metav1.CreateOptions{})
	Expect(err).NotTo(HaveOccurred())
	return tr.Status.Token
}

func newNamespace(ctx context.Context) string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "query-test-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

// readerRole is the ClusterRole shipped in config/rbac.
func readerRole(ctx context.Context) string {
	GinkgoHelper()
	b, err := os.ReadFile(filepath.Join("..", "..", "config", "rbac", "query_reader_role.yaml"))
	Expect(err).NotTo(HaveOccurred())
	role := &rbacv1.ClusterRole{}
	Expect(yaml.Unmarshal(b, role)).To(Succeed())
	Expect(role.Name).To(Equal("apitoken-query-reader"))
	if err := k8sClient.Create(ctx, role); err != nil {
		Expect(client.IgnoreAlreadyExists(err)).To(Succeed())
	}
	return role.Name
}

// tokenAdmin is the token of a ServiceAccount "admin" in ns bound to a Role
// with get, list, create, update and delete on the ApiTokens there.
func tokenAdmin(ctx context.Context, ns string) string {
	GinkgoHelper()
	Expect(k8sClient.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "token-admin"},
		Rules: []rbacv1.PolicyRule{{APIGroups: []string{"auth.apitoken.io"}, Resources: []string{"apitokens"},
			Verbs: []string{"get", "list", "create", "update", "delete"}}}})).To(Succeed())
	admin := serviceAccountToken(ctx, ns, "admin")
	Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "admin"},
		RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "token-admin"}, Subjects: subject(ns, "admin")})).To(Succeed())
	return admin
}

func subject(ns, sa string) []rbacv1.Subject {
	return []rbacv1.Subject{{Kind: "ServiceAccount", Namespace: ns, Name: sa}}
}

var _ = Describe("Query API", Ordered, func() {
	var (
		ctx            context.Context
		nsA, nsB       string
		admin, scoped  string
		nobody, viewer string
	)
	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		nsA, nsB = newNamespace(ctx), newNamespace(ctx)
		for i, ns := range []string{nsA, nsA, nsA, nsB, nsB} {
			tok := testutil.MakeApiToken(ns, []string{"deploy", "alice", "nightly", "bob", "export"}[i]).Obj()
			tok.UID = ""
			tok.Spec.Type = []authv1alpha1.TokenType{authv1alpha1.TokenTypeApiClient, authv1alpha1.TokenTypeUser, authv1alpha1.TokenTypeWorkflow, authv1alpha1.TokenTypeUser, authv1alpha1.TokenTypeApiClient}[i]
			tok.Spec.Principal = []string{"ci-bot", "alice", "exporter", "bob", "exporter"}[i]
			tok.Spec.DisplayName = []string{"Deploy Automation", "", "", "", "Export Automation"}[i]
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())
		}
		Eventually(func(g Gomega) {
			n := 0
			for _, ns := range []string{nsA, nsB} {
				var l authv1alpha1.ApiTokenList
				g.Expect(k8sClient.List(ctx, &l, client.InNamespace(ns))).To(Succeed())
				for _, t := range l.Items {
					g.Expect(t.Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusActive))
					n++
				}
			}
			g.Expect(n).To(Equal(5))
		}).Should(Succeed())

		role := readerRole(ctx)
		admin = serviceAccountToken(ctx, nsA, "auditor")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "auditor-" + nsA},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}, Subjects: subject(nsA, "auditor")})).To(Succeed())
		scoped = serviceAccountToken(ctx, nsB, "team-b")
		Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: nsB, Name: "reader"},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role}, Subjects: subject(nsB, "team-b")})).To(Succeed())
		nobody = serviceAccountToken(ctx, nsA, "nobody")
		viewer = scoped
		// Until the informer delivers their status, a list may show the
		// tokens Pending.
		Eventually(func(g Gomega) {
			code, body := call(http.MethodGet, "/api/v1/tokens?status=ACTIVE&namespace="+nsA+","+nsB, admin, "")
			g.Expect(code).To(Equal(http.StatusOK))
			var r query.Response
			g.Expect(json.Unmarshal([]byte(body), &r)).To(Succeed())
			g.Expect(r.PageInfo.TotalCount).To(Equal(5))
		}).Should(Succeed())
	})

	It("answers 401 without a valid token and 403 to a caller allowed nowhere", func() {
		code, body := call(http.MethodGet, "/api/v1/tokens", "", "")
		Expect(code).To(Equal(http.StatusUnauthorized), body)
		code, _ = call(http.MethodGet, "/api/v1/tokens", "not-a-token", "")
		Expect(code).To(Equal(http.StatusUnauthorized))
		code, body = call(http.MethodGet, "/api/v1/tokens", nobody, "")
		Expect(code).To(Equal(http.StatusForbidden), body)
		Expect(body).To(ContainSubstring("may not list apitokens.auth.apitoken.io"))
	})

	It("shows a cluster-wide reader every namespace and a namespaced reader only its own", func() {
		all := list("/api/v1/tokens?namespace="+nsA+","+nsB+"&sort=name", admin)
		Expect(all.PageInfo.TotalCount).To(Equal(5))
		Expect(all.ApiTokens[0].Name).To(Equal("alice"))

		mine := list("/api/v1/tokens?sort=name", viewer)
		Expect(mine.PageInfo.TotalCount).To(Equal(2))
		for _, t := range mine.ApiTokens {
			Expect(t.Namespace).To(Equal(nsB))
		}
		code, _ := call(http.MethodGet, "/api/v1/tokens/"+nsA+"/alice", viewer, "")
		Expect(code).To(Equal(http.StatusNotFound), "not visible is not found")
		code, body := call(http.MethodGet, "/api/v1/tokens/"+nsB+"/bob", viewer, "")
		Expect(code).To(Equal(http.StatusOK), body)
		var one query.TokenDTO
		Expect(json.Unmarshal([]byte(body), &one)).To(Succeed())
		Expect(one.TokenType).To(Equal("USER"))
		Expect(one.TokenStatus).To(Equal("ACTIVE"))
		Expect(one.Revision).To(Equal(int64(1)))
		Expect(one.CreationDate).NotTo(BeNil())
		Expect(one.TokenLastChars).To(HaveLen(5))
	})

	It("filters, searches, sorts and pages through every endpoint", func() {
		r := list("/api/v1/tokens?type=API_CLIENT&namespace="+nsA+","+nsB+"&sort=principal&order=DESC", admin)
		Expect(r.PageInfo.TotalCount).To(Equal(2))
		Expect(r.ApiTokens[0].PrincipalName).To(Equal("exporter"))

		// v2 has no namespace filter: principals that only this spec uses.
		r = list("/api/v2/token/query?types=user,API_CLIENT&limit=1&page=1&sort=name&principals=bob,exporter", admin)
		Expect(r.PageInfo).To(Equal(query.PageInfo{TotalCount: 2, Page: 1, PageSize: 1}))
		Expect(r.ApiTokens[0].Name).To(Equal("export"))

		code, body := call(http.MethodPost, "/api/v1/tokens/query?pageSize=5", admin,
			`{"searchTerms":{"allOf":[{"field":"TOKEN_NAME","terms":["Automation"],"operator":"LIKE"}],"anyOf":[]},"filters":{"tokenType":["API_CLIENT","USER"],"tokenStatus":["ACTIVE","EXPIRED"],"namespaces":["`+nsA+`","`+nsB+`"]}}`)
		Expect(code).To(Equal(http.StatusOK), body)
		var resp query.Response
		Expect(json.Unmarshal([]byte(body), &resp)).To(Succeed())
		Expect(resp.PageInfo.TotalCount).To(Equal(2))
		Expect(resp.ApiTokens[0].TokenName).To(HaveSuffix("Automation"))
	})

	It("follows changes to ApiTokens", func() {
		tok := &authv1alpha1.ApiToken{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: nsB, Name: "bob"}, tok)).To(Succeed())
		patch := client.MergeFrom(tok.DeepCopy())
		tok.Spec.Revoked = true
		Expect(k8sClient.Patch(ctx, tok, patch)).To(Succeed())
		Eventually(func() int {
			return list("/api/v1/tokens?status=revoked", viewer).PageInfo.TotalCount
		}).Should(Equal(1))
	})

	DescribeTable("rejects bad input with 400 naming the parameter",
		func(method, path, body, parameter string) {
			code, out := call(method, path, admin, body)
			Expect(code).To(Equal(http.StatusBadRequest), out)
			var e struct{ Error, Parameter string }
			Expect(json.Unmarshal([]byte(out), &e)).To(Succeed())
			Expect(e.Parameter).To(Equal(parameter))
			Expect(e.Error).NotTo(BeEmpty())
		},
		Entry("negative page", http.MethodGet, "/api/v1/tokens?page=-1", "", "page"),
		Entry("pageSize over the max", http.MethodGet, "/api/v1/tokens?pageSize=5000", "", "pageSize"),
		Entry("unknown sort", http.MethodGet, "/api/v1/tokens?sort=color", "", "sort"),
		Entry("unparsable date", http.MethodGet, "/api/v2/token/query?fromDate=tomorrow", "", "fromDate"),
		Entry("malformed JSON", http.MethodPost, "/api/v1/tokens/query", "{", "body"),
		Entry("unknown operator", http.MethodPost, "/api/v1/tokens/query", `{"searchTerms":{"allOf":[{"field":"NAME","terms":["a"],"operator":"NEAR"}]}}`, "searchTerms.allOf[0].operator"),
	)

	It("answers 413 naming the body to a body over 1 MiB", func() {
		code, out := call(http.MethodPost, "/api/v1/tokens/query", admin, `{"x":"`+strings.Repeat("a", 1<<20)+`"}`)
		Expect(code).To(Equal(http.StatusRequestEntityTooLarge), out)
		var e struct{ Error, Parameter string }
		Expect(json.Unmarshal([]byte(out), &e)).To(Succeed())
		Expect(e.Parameter).To(Equal("body"))
		Expect(e.Error).To(ContainSubstring("larger than 1048576 bytes"))
	})

	It("answers 405 to a wrong method", func() {
		code, _ := call(http.MethodDelete, "/api/v1/tokens", admin, "")
		Expect(code).To(Equal(http.StatusMethodNotAllowed))
	})

	It("never returns a token value", func() {
		var secrets corev1.SecretList
		Expect(k8sClient.List(ctx, &secrets, client.MatchingLabels{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue})).To(Succeed())
		Expect(secrets.Items).NotTo(BeEmpty())
		var bodies []string
		for _, p := range []string{"/api/v1/tokens?pageSize=1000", "/api/v2/token/query?limit=1000", "/api/v1/tokens/" + nsA + "/deploy"} {
			_, b := call(http.MethodGet, p, admin, "")
			bodies = append(bodies, b)
		}
		_, b := call(http.MethodPost, "/api/v1/tokens/query?pageSize=1000", admin, "{}")
		bodies = append(bodies, b)
		for _, s := range secrets.Items {
			for _, v := range s.Data {
				for _, body := range bodies {
					Expect(body).NotTo(ContainSubstring(string(v)))
					Expect(body).NotTo(ContainSubstring(base64.StdEncoding.EncodeToString(v)))
				}
			}
		}
	})
})
