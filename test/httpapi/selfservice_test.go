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
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/writeapi"
)

// reply is an HTTP answer: status, headers, body.
type reply struct {
	code   int
	header http.Header
	body   string
}

// httpDo makes a request to the query server with a bearer token.
func httpDo(method, path, bearer, body string) reply {
	GinkgoHelper()
	return queryDo(method, path, body, "Authorization", "Bearer "+bearer)
}

// queryDo sends a request to the query listener with headers as name/value
// pairs.
func queryDo(method, path, body string, headers ...string) reply {
	GinkgoHelper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, baseURL+path, r)
	Expect(err).NotTo(HaveOccurred())
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := httpClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	return reply{code: resp.StatusCode, header: resp.Header, body: string(b)}
}

// written is the body of a write.
type written struct {
	Token    string         `json:"token"`
	ApiToken query.TokenDTO `json:"apiToken"`
}

func decodeWritten(r reply) written {
	GinkgoHelper()
	var out written
	Expect(json.Unmarshal([]byte(r.body), &out)).To(Succeed(), r.body)
	return out
}

// rowOf decodes a bare row (GET, revoke).
func rowOf(r reply) query.TokenDTO {
	GinkgoHelper()
	var out query.TokenDTO
	Expect(json.Unmarshal([]byte(r.body), &out)).To(Succeed(), r.body)
	return out
}

// errorOf decodes the error shape.
func errorOf(r reply) (msg, param string) {
	GinkgoHelper()
	var e struct{ Error, Parameter string }
	Expect(json.Unmarshal([]byte(r.body), &e)).To(Succeed(), r.body)
	return e.Error, e.Parameter
}

func jsonBody(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var _ = Describe("Self-service token API", Ordered, func() {
	var (
		ctx                       context.Context
		ns                        string
		admin, alice, bob, nobody string
		gateway                   string
		aliceName, bobName        string
		// values are every token value the API returned, for the leak scan.
		values []string
		// bodies are every response that must not hold a value.
		bodies []string
	)
	verifies := func(value string) int {
		return httpDo(http.MethodPost, "/api/v1/tokens/verify", gateway, verifyBody(value)).code
	}
	// write sends and remembers the response for the leak scan.
	write := func(method, path, bearer, body string) reply {
		GinkgoHelper()
		r := httpDo(method, path, bearer, body)
		bodies = append(bodies, r.body)
		return r
	}
	createHashOnly := func(bearer string, req map[string]any) written {
		GinkgoHelper()
		r := httpDo(http.MethodPost, "/api/v1/tokens", bearer, jsonBody(req))
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		Expect(r.header.Get("Cache-Control")).To(Equal("no-store"))
		w := decodeWritten(r)
		Expect(w.Token).NotTo(BeEmpty())
		values = append(values, w.Token)
		return w
	}

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		admin = tokenAdmin(ctx, ns)

		selfService := selfServiceRole(ctx)
		alice, bob = serviceAccountToken(ctx, ns, "alice"), serviceAccountToken(ctx, ns, "bob")
		aliceName, bobName = "system:serviceaccount:"+ns+":alice", "system:serviceaccount:"+ns+":bob"
		Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "personal-tokens"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: selfService},
			Subjects: append(subject(ns, "alice"), subject(ns, "bob")...)})).To(Succeed())
		nobody = serviceAccountToken(ctx, ns, "nobody")

		gateway = serviceAccountToken(ctx, ns, "gateway")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "self-gateway-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: verifierRole(ctx)}, Subjects: subject(ns, "gateway")})).To(Succeed())
		Eventually(func() int { return httpDo(http.MethodGet, "/api/v1/tokens?namespace="+ns, admin, "").code }).Should(Equal(http.StatusOK))
	})

	It("creates a hash-only token whose value is shown once and verifies everywhere", func() {
		w := createHashOnly(admin, map[string]any{"namespace": ns, "name": "deployer", "type": "API_CLIENT", "principal": "ci",
			"displayName": "CI deployer", "ttl": "720h", "scopes": []string{"deploy:*"},
			"generate": map[string]any{"length": 40, "charset": "Alphanumeric", "prefix": "apt_", "checksum": true}})
		Expect(w.Token).To(MatchRegexp(`^apt_[A-Za-z0-9]{40}$`))
		Expect(w.ApiToken.TokenStatus).To(Equal("ACTIVE"), "the response waits until the token verifies")
		Expect(w.ApiToken.HashOnly).To(BeTrue())
		Expect(w.ApiToken.Scopes).To(Equal([]string{"deploy:*"}))
		Expect(w.ApiToken.TokenLastChars).To(Equal(w.Token[len(w.Token)-5:]))

		Expect(verifies(w.Token)).To(Equal(http.StatusOK))
		Expect(forwardAuth("/?scope=deploy:prod", w.Token).StatusCode).To(Equal(http.StatusOK))
		Expect(forwardAuth("/?scope=admin", w.Token).StatusCode).To(Equal(http.StatusForbidden))
		review := httpDo(http.MethodPost, "/api/v1/tokenreviews", gateway, jsonBody(authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: w.Token}}))
		Expect(review.body).To(ContainSubstring(`"authenticated":true`))

		tok := getToken(ctx, ns, "deployer")
		Expect(tok.Annotations).To(HaveKeyWithValue(authv1alpha1.CreatedByAnnotation, "system:serviceaccount:"+ns+":admin"))
		Expect(tok.Spec.Source.Hashed.Generate.Charset).To(Equal(authv1alpha1.CharsetAlphanumeric))
		err := k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "deployer"}, &corev1.Secret{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "no Secret for a hash-only token")
	})

	It("creates a Secret-held token for a workload, with no value in the response", func() {
		r := write(http.MethodPost, "/api/v1/tokens", admin, jsonBody(map[string]any{"namespace": ns, "name": "worker", "type": "ApiClient",
			"principal": "worker", "secret": map[string]any{"name": "worker-token", "key": "api-key"}}))
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		w := decodeWritten(r)
		Expect(w.Token).To(BeEmpty())
		Expect(w.ApiToken.TokenStatus).To(Equal("ACTIVE"))
		Expect(w.ApiToken.SecretName).To(Equal("worker-token"))
		Expect(verifies(getSecretValueKey(ctx, ns, "worker-token", "api-key"))).To(Equal(http.StatusOK))
	})

	It("names a token after its principal when the request has no name", func() {
		w := createHashOnly(admin, map[string]any{"namespace": ns, "principal": "Jane.Doe@example.com"})
		Expect(w.ApiToken.Name).To(MatchRegexp(`^jane-doe-example-com-[a-z0-9]{5}$`))
		Expect(w.ApiToken.TokenType).To(Equal("USER"), "type defaults to USER")
	})

	DescribeTable("refuses bad input with 400 naming the field, and writes nothing",
		func(body, wantParam, wantText string) {
			body = strings.ReplaceAll(body, `"NS"`, `"`+ns+`"`)
			var before authv1alpha1.ApiTokenList
			Expect(k8sClient.List(ctx, &before, client.InNamespace(ns))).To(Succeed())
			r := write(http.MethodPost, "/api/v1/tokens", admin, body)
			Expect(r.code).To(Equal(http.StatusBadRequest), r.body)
			msg, param := errorOf(r)
			Expect(param).To(Equal(wantParam))
			Expect(msg).To(ContainSubstring(wantText))
			var after authv1alpha1.ApiTokenList
			Expect(k8sClient.List(ctx, &after, client.InNamespace(ns))).To(Succeed())
			Expect(after.Items).To(HaveLen(len(before.Items)), "a failed request writes nothing")
		},
		Entry("no namespace", `{"principal":"x"}`, "namespace", "is required"),
		Entry("unknown type", `{"namespace":"NS","type":"ROBOT"}`, "type", `unknown token type "ROBOT"`),
		Entry("ttl not a duration", `{"namespace":"NS","ttl":"a week"}`, "ttl", `"a week" is not a duration`),
		Entry("ttl a number", `{"namespace":"NS","ttl":3600}`, "ttl", "must be string"),
		Entry("bad scope", `{"namespace":"NS","scopes":["read reports"]}`, "scopes", "only A-Z a-z 0-9"),
		Entry("unknown field", `{"namespace":"NS","owner":"x"}`, "body", `unknown field "owner"`),
		Entry("length out of range", `{"namespace":"NS","generate":{"length":8}}`, "generate.length", "between 16 and 256"),
		Entry("unknown charset", `{"namespace":"NS","generate":{"charset":"Emoji"}}`, "generate.charset", "unknown charset"),
		Entry("not JSON", `{"namespace":`, "body", "malformed JSON"),
		Entry("the API server's rule: displayName too long", `{"namespace":"NS","displayName":"`+strings.Repeat("d", 300)+`"}`, "displayName", "Too long"),
		Entry("the API server's rule: bad Secret key", `{"namespace":"NS","secret":{"key":"a b"}}`, "secret.key", "spec.secret.key"),
	)

	It("says 409 when the name is taken, 401 without a token, 403 without permission", func() {
		r := write(http.MethodPost, "/api/v1/tokens", admin, jsonBody(map[string]any{"namespace": ns, "name": "deployer", "principal": "x"}))
		Expect(r.code).To(Equal(http.StatusConflict), r.body)
		_, param := errorOf(r)
		Expect(param).To(Equal("name"))
		Expect(httpDo(http.MethodPost, "/api/v1/tokens", "", `{"namespace":"`+ns+`"}`).code).To(Equal(http.StatusUnauthorized))
		r = write(http.MethodPost, "/api/v1/tokens", nobody, jsonBody(map[string]any{"namespace": ns, "ttl": "1h"}))
		Expect(r.code).To(Equal(http.StatusForbidden))
		Expect(r.body).To(And(ContainSubstring("may not create apitokens.auth.apitoken.io"), ContainSubstring("apitokens/self")))
		Expect(httpDo(http.MethodDelete, "/api/v1/tokens/"+ns+"/deployer", nobody, "").code).To(Equal(http.StatusForbidden))
		Expect(getToken(ctx, ns, "deployer").DeletionTimestamp).To(BeNil())
	})

	Context("personal tokens (create on apitokens/self only)", func() {
		var mine written
		It("creates the caller's own hash-only USER token, with a required, capped ttl", func() {
			mine = createHashOnly(alice, map[string]any{"namespace": ns, "name": "alice-laptop", "ttl": "24h", "scopes": []string{"profile:read"}})
			Expect(mine.ApiToken.PrincipalName).To(Equal(aliceName))
			Expect(mine.ApiToken.TokenType).To(Equal("USER"))
			Expect(getToken(ctx, ns, "alice-laptop").Annotations).To(HaveKeyWithValue(authv1alpha1.CreatedByAnnotation, aliceName))
			Expect(verifies(mine.Token)).To(Equal(http.StatusOK))

			for body, want := range map[string]int{
				jsonBody(map[string]any{"namespace": ns, "ttl": "1h", "principal": bobName}):                     http.StatusForbidden,
				jsonBody(map[string]any{"namespace": ns, "ttl": "1h", "type": "API_CLIENT"}):                     http.StatusForbidden,
				jsonBody(map[string]any{"namespace": ns, "ttl": "1h", "secret": map[string]string{"name": "s"}}): http.StatusForbidden,
				jsonBody(map[string]any{"namespace": ns}):                                                        http.StatusBadRequest,
				jsonBody(map[string]any{"namespace": ns, "ttl": "49h"}):                                          http.StatusBadRequest,
			} {
				r := write(http.MethodPost, "/api/v1/tokens", alice, body)
				Expect(r.code).To(Equal(want), body+" -> "+r.body)
			}
			r := write(http.MethodPost, "/api/v1/tokens", alice, jsonBody(map[string]any{"namespace": ns, "ttl": "49h"}))
			msg, param := errorOf(r)
			Expect(param).To(Equal("ttl"))
			Expect(msg).To(ContainSubstring("at most 48h"))
		})

		It("shows callers their own tokens only, and another user's token is 404", func() {
			theirs := createHashOnly(bob, map[string]any{"namespace": ns, "name": "bob-cli", "ttl": "1h"})
			Eventually(func() []string {
				var names []string
				for _, t := range list("/api/v1/tokens?namespace="+ns, alice).ApiTokens {
					names = append(names, t.Name)
				}
				return names
			}).Should(Equal([]string{"alice-laptop"}))
			Expect(httpDo(http.MethodGet, "/api/v1/tokens/"+ns+"/bob-cli", alice, "").code).To(Equal(http.StatusNotFound))
			Expect(httpDo(http.MethodGet, "/api/v1/tokens/"+ns+"/alice-laptop", alice, "").code).To(Equal(http.StatusOK))
			for _, r := range []reply{
				write(http.MethodPost, "/api/v1/tokens/"+ns+"/bob-cli/regenerate", alice, ""),
				write(http.MethodPost, "/api/v1/tokens/"+ns+"/bob-cli/revoke", alice, ""),
				write(http.MethodDelete, "/api/v1/tokens/"+ns+"/bob-cli", alice, ""),
				write(http.MethodPost, "/api/v1/tokens/"+ns+"/deployer/revoke", alice, ""),
			} {
				Expect(r.code).To(Equal(http.StatusNotFound), r.body)
			}
			r := write(http.MethodPost, "/api/v1/tokens/revoke", alice, verifyBody(theirs.Token))
			Expect(r.code).To(Equal(http.StatusNotFound), "revoking by value is no oracle: "+r.body)
			Expect(verifies(theirs.Token)).To(Equal(http.StatusOK))
		})

		It("lets the owner regenerate, revoke and delete their own token", func() {
			r := httpDo(http.MethodPost, "/api/v1/tokens/"+ns+"/alice-laptop/regenerate", alice, "")
			Expect(r.code).To(Equal(http.StatusOK), r.body)
			w := decodeWritten(r)
			values = append(values, w.Token)
			Expect(w.Token).NotTo(Equal(mine.Token))
			Expect(verifies(w.Token)).To(Equal(http.StatusOK))
			Eventually(func() int { return verifies(mine.Token) }).Should(Equal(http.StatusUnauthorized), "no grace period asked for")

			r = write(http.MethodPost, "/api/v1/tokens/"+ns+"/alice-laptop/revoke", alice, "")
			Expect(r.code).To(Equal(http.StatusOK), r.body)
			Expect(rowOf(r).TokenStatus).To(Equal("REVOKED"))
			Expect(verifies(w.Token)).To(Equal(http.StatusUnauthorized))
			r = write(http.MethodPost, "/api/v1/tokens/"+ns+"/alice-laptop/regenerate", alice, "")
			Expect(r.code).To(Equal(http.StatusConflict), "a personal token stays revoked: "+r.body)
			Expect(getToken(ctx, ns, "alice-laptop").Spec.Revoked).To(BeTrue())

			// A revoked personal token keeps its fingerprint held: its holder
			// may not delete it (and import the value again under a new
			// name); an administrator may.
			r = write(http.MethodDelete, "/api/v1/tokens/"+ns+"/alice-laptop", alice, "")
			Expect(r.code).To(Equal(http.StatusForbidden), r.body)
			msg, _ := errorOf(r)
			Expect(msg).To(ContainSubstring("delete on apitokens"))
			// The same rule on every route that deletes (RT-7 reopened).
			uid := string(getToken(ctx, ns, "alice-laptop").UID)
			r = write(http.MethodDelete, "/api/v2/token/"+uid, alice, "")
			Expect(r.code).To(Equal(http.StatusForbidden), "the v2 shape deletes by the same path: "+r.body)
			v2msg, _ := errorOf(r)
			Expect(v2msg).To(Equal(msg))
			Expect(getToken(ctx, ns, "alice-laptop").Spec.Revoked).To(BeTrue())
			Expect(write(http.MethodDelete, "/api/v1/tokens/"+ns+"/alice-laptop", admin, "").code).To(Equal(http.StatusNoContent))
			Eventually(func() bool {
				return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "alice-laptop"}, &authv1alpha1.ApiToken{}))
			}).Should(BeTrue())
		})
	})

	// The HTTP API writes as the operator, so the personal-tokens admission
	// policy never sees its callers: it applies the same limit itself.
	It("limits holders of apitoken-personal-tokens to their own personal tokens, unless they hold apitokens/any", func() {
		carol, dave := serviceAccountToken(ctx, ns, "carol"), serviceAccountToken(ctx, ns, "dave")
		Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "personal-role"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: shippedClusterRole(ctx, "personal_tokens_role.yaml", "apitoken-personal-tokens")},
			Subjects: append(subject(ns, "carol"), subject(ns, "dave")...)})).To(Succeed())
		Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "dave-editor"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: shippedClusterRole(ctx, "apitoken_editor_role.yaml", "apitoken-editor-role")},
			Subjects: subject(ns, "dave")})).To(Succeed())

		own := createHashOnly(carol, map[string]any{"namespace": ns, "name": "carol-cli", "ttl": "24h"})
		Expect(own.ApiToken.PrincipalName).To(Equal("system:serviceaccount:" + ns + ":carol"))
		r := write(http.MethodPost, "/api/v1/tokens", carol, jsonBody(map[string]any{"namespace": ns, "ttl": "1h", "type": "API_CLIENT", "principal": "ci"}))
		Expect(r.code).To(Equal(http.StatusForbidden), r.body)
		r = write(http.MethodPost, "/api/v1/tokens/"+ns+"/deployer/revoke", carol, "")
		Expect(r.code).To(Equal(http.StatusNotFound), "another's token is not the caller's to revoke: "+r.body)
		Expect(getToken(ctx, ns, "deployer").Spec.Revoked).To(BeFalse())

		w := createHashOnly(dave, map[string]any{"namespace": ns, "name": "dave-ci", "type": "API_CLIENT", "principal": "ci", "ttl": "1h"})
		Expect(w.ApiToken.TokenType).To(Equal("API_CLIENT"), "apitokens/any lifts the limit")
	})

	It("imports a value the caller holds: 201, then 200 replacing it, never echoed", func() {
		const held, next = "abcdefghijklmnopqrstuvwxyz012345", "543210zyxwvutsrqponmlkjihgfedcba"
		values = append(values, held, next)
		r := write(http.MethodPut, "/api/v1/tokens/"+ns+"/imported", admin, jsonBody(map[string]any{"token": held, "principal": "ops", "type": "TEAM"}))
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		Expect(decodeWritten(r).ApiToken.TokenStatus).To(Equal("ACTIVE"))
		Expect(verifies(held)).To(Equal(http.StatusOK))

		r = write(http.MethodPut, "/api/v1/tokens/"+ns+"/imported", admin, jsonBody(map[string]any{"token": next}))
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		Expect(verifies(next)).To(Equal(http.StatusOK))
		Eventually(func() int { return verifies(held) }).Should(Equal(http.StatusUnauthorized))
		Expect(getToken(ctx, ns, "imported").Spec.Type).To(Equal(authv1alpha1.TokenTypeTeam), "absent metadata is kept")

		r = write(http.MethodPut, "/api/v1/tokens/"+ns+"/imported", admin, jsonBody(map[string]any{"token": "SHORT"}))
		Expect(r.code).To(Equal(http.StatusBadRequest))
		_, param := errorOf(r)
		Expect(param).To(Equal("token"))
		Expect(r.body).NotTo(ContainSubstring("SHORT"), "an error never quotes the value")
		r = write(http.MethodPut, "/api/v1/tokens/"+ns+"/patterned", admin, jsonBody(map[string]any{"token": "LEGACY-0001-KEY-7", "pattern": "LEGACY-[0-9]{4}-KEY-[0-9]"}))
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		values = append(values, "LEGACY-0001-KEY-7")
		r = write(http.MethodPut, "/api/v1/tokens/"+ns+"/copycat", admin, jsonBody(map[string]any{"token": next}))
		Expect(r.code).To(Equal(http.StatusConflict), "one value, one ApiToken: "+r.body)
		_, param = errorOf(r)
		Expect(param).To(Equal("token"))
		Expect(r.body).NotTo(ContainSubstring("imported"), "the holder is not named")
		r = write(http.MethodPut, "/api/v1/tokens/"+ns+"/imported", nobody, jsonBody(map[string]any{"token": next}))
		Expect(r.code).To(Equal(http.StatusForbidden))
		Expect(r.body).To(ContainSubstring("may not create or update"))
		r = write(http.MethodPut, "/api/v1/tokens/"+ns+"/worker", admin, jsonBody(map[string]any{"token": held}))
		Expect(r.code).To(Equal(http.StatusConflict), "a Secret-held token takes no imported value: "+r.body)
	})

	It("regenerates with a grace period: old and new valid, then only new; a Secret-held token gets 202", func() {
		old := createHashOnly(admin, map[string]any{"namespace": ns, "name": "graceful", "principal": "svc"})
		r := httpDo(http.MethodPost, "/api/v1/tokens/"+ns+"/graceful/regenerate", admin, `{"gracePeriod":"4s"}`)
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		Expect(r.header.Get("Cache-Control")).To(Equal("no-store"))
		w := decodeWritten(r)
		values = append(values, w.Token)
		Expect(verifies(w.Token)).To(Equal(http.StatusOK))
		Expect(verifies(old.Token)).To(Equal(http.StatusOK), "the previous token is valid during the grace period")
		Eventually(func() int { return verifies(old.Token) }).Should(Equal(http.StatusUnauthorized))
		Expect(verifies(w.Token)).To(Equal(http.StatusOK))

		before := getSecretValueKey(ctx, ns, "worker-token", "api-key")
		r = write(http.MethodPost, "/api/v1/tokens/"+ns+"/worker/regenerate", admin, "")
		Expect(r.code).To(Equal(http.StatusAccepted), r.body)
		Expect(decodeWritten(r).Token).To(BeEmpty())
		Expect(getSecretValueKey(ctx, ns, "worker-token", "api-key")).NotTo(Equal(before))

		r = write(http.MethodPost, "/api/v1/tokens/"+ns+"/graceful/regenerate", admin, `{"gracePeriod":"soon"}`)
		Expect(r.code).To(Equal(http.StatusBadRequest))
		_, param := errorOf(r)
		Expect(param).To(Equal("gracePeriod"))
	})

	It("revokes the ApiToken that holds a leaked value", func() {
		leaked := createHashOnly(admin, map[string]any{"namespace": ns, "name": "leaky", "principal": "svc"})
		r := write(http.MethodPost, "/api/v1/tokens/revoke", admin, verifyBody(leaked.Token))
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		row := rowOf(r)
		Expect(row.Name).To(Equal("leaky"))
		Expect(row.TokenStatus).To(Equal("REVOKED"))
		Expect(verifies(leaked.Token)).To(Equal(http.StatusUnauthorized))
		Expect(write(http.MethodPost, "/api/v1/tokens/revoke", admin, verifyBody("no0such0token0000000000000000000")).code).To(Equal(http.StatusNotFound))
	})

	It("speaks the v2 shapes: create with ttl in seconds, delete by id", func() {
		r := httpDo(http.MethodPost, "/api/v2/token", admin, jsonBody(map[string]any{"namespace": ns, "name": "v2", "type": "api-client", "principal": "legacy", "ttl": 3600}))
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		Expect(r.header.Get("Cache-Control")).To(Equal("no-store"))
		var created writeapi.TokenCreateResponse
		Expect(json.Unmarshal([]byte(r.body), &created)).To(Succeed())
		values = append(values, created.Token)
		tok := getToken(ctx, ns, "v2")
		Expect(created.ID).To(Equal(string(tok.UID)))
		Expect(created.TokenType).To(Equal("API_CLIENT"))
		Expect(created.PrincipalName).To(Equal("legacy"))
		Expect(*created.ExpirationDate - *created.CreationDate).To(Equal(int64(3600_000)))
		Expect(verifies(created.Token)).To(Equal(http.StatusOK))

		Expect(httpDo(http.MethodDelete, "/api/v2/token/"+created.ID, nobody, "").code).To(Equal(http.StatusNotFound), "not visible")
		r = httpDo(http.MethodDelete, "/api/v2/token/"+created.ID, admin, "")
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		Expect(r.body).To(MatchJSON(fmt.Sprintf(`{"id":%q,"status":"deleted"}`, created.ID)))
		Expect(httpDo(http.MethodDelete, "/api/v2/token/"+created.ID, admin, "").code).To(Equal(http.StatusNotFound))
		Expect(httpDo(http.MethodDelete, "/api/v2/token/no-such-id", admin, "").code).To(Equal(http.StatusNotFound))
	})

	It("records an Event naming the caller for every action", func() {
		Eventually(func() []string {
			var events eventsv1.EventList
			Expect(k8sClient.List(ctx, &events, client.InNamespace(ns))).To(Succeed())
			var notes []string
			for _, e := range events.Items {
				if e.ReportingController == "apitoken-operator" && e.Action == "API" {
					notes = append(notes, e.Regarding.Name+": "+e.Note)
				}
			}
			return notes
		}).Should(ContainElements(
			"deployer: Created via the API by system:serviceaccount:"+ns+":admin",
			"alice-laptop: Created via the API by "+aliceName,
			"alice-laptop: Regenerated via the API by "+aliceName,
			"alice-laptop: Revoked via the API by "+aliceName,
			"alice-laptop: Deleted via the API by system:serviceaccount:"+ns+":admin",
			"imported: Imported via the API by system:serviceaccount:"+ns+":admin",
			"leaky: Revoked via the API by system:serviceaccount:"+ns+":admin",
		))
	})

	It("never stores or logs a value, nor returns one outside its create or regenerate response", func() {
		Expect(values).To(HaveLen(14), "every value the specs made or received")
		var secrets corev1.SecretList
		Expect(k8sClient.List(ctx, &secrets)).To(Succeed())
		var tokens authv1alpha1.ApiTokenList
		Expect(k8sClient.List(ctx, &tokens)).To(Succeed())
		var events eventsv1.EventList
		Expect(k8sClient.List(ctx, &events)).To(Succeed())
		places := map[string]string{"logs": managerLogs.String(), "responses": strings.Join(bodies, "\n")}
		for name, obj := range map[string]any{"Secrets": secrets.Items, "ApiTokens": tokens.Items, "Events": events.Items} {
			b, err := json.Marshal(obj)
			Expect(err).NotTo(HaveOccurred())
			places[name] = string(b)
		}
		Expect(places["logs"]).To(ContainSubstring(ns), "the log capture works")
		leak, found := testutil.FindLeak(places, values)
		Expect(found).To(BeFalse(), "a value appears in %s: %s", leak.Where, leak.Context)
	})
})

// selfServiceRole is the ClusterRole shipped in config/rbac.
func selfServiceRole(ctx context.Context) string {
	GinkgoHelper()
	return shippedClusterRole(ctx, "self_service_role.yaml", "apitoken-self-service")
}

// getSecretValueKey reads one key of a Secret.
func getSecretValueKey(ctx context.Context, ns, name, key string) string {
	GinkgoHelper()
	s := &corev1.Secret{}
	Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s)).To(Succeed())
	return string(s.Data[key])
}
