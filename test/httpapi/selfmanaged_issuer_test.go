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
	"net/url"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/issuer"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// postIssuerForm posts form to an issuer endpoint; from, when not empty, is
// the end client a trusted proxy names; auth is an Authorization header.
func postIssuerForm(path string, form url.Values, auth, from string) tokenReply {
	GinkgoHelper()
	req, err := http.NewRequest(http.MethodPost, issuerURL+path, strings.NewReader(form.Encode()))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if from != "" {
		req.Header.Set("X-Forwarded-For", from) // the suite trusts 127.0.0.1 as a proxy
	}
	return doIssuer(req)
}

func basic(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	return req.Header.Get("Authorization")
}

func (r tokenReply) introspection() map[string]any {
	GinkgoHelper()
	Expect(r.code).To(Equal(http.StatusOK), r.body)
	Expect(r.header.Get("Cache-Control")).To(Equal("no-store"))
	m := map[string]any{}
	Expect(json.Unmarshal([]byte(r.body), &m)).To(Succeed())
	return m
}

var _ = Describe("Tokens that manage themselves, on the issuer listener", Ordered, func() {
	var (
		ctx     context.Context
		ns      string
		gateway string
		seen    []string
		values  []string
		// leaked is the value the revocation spec revoked.
		leaked string
	)
	value := func(name string) string {
		v := getSecretValue(ctx, ns, name)
		values = append(values, v)
		return v
	}
	post := func(path string, form url.Values, auth, from string) tokenReply {
		r := postIssuerForm(path, form, auth, from)
		seen = append(seen, r.body)
		return r
	}
	revoke := func(token, from string) tokenReply {
		return post(issuer.RevocationPath, url.Values{"token": {token}}, "", from)
	}
	verifies := func(v string) int {
		code, body := call(http.MethodPost, "/api/v1/tokens/verify", gateway, verifyBody(v))
		seen = append(seen, body)
		return code
	}
	accessToken := func(name string) string {
		return postToken(clientCredentials(ns+"/"+name, value(name)), "", "").token().AccessToken
	}

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		for _, t := range []*authv1alpha1.ApiToken{
			testutil.MakeApiToken(ns, "leaked").Scopes("deploy").Obj(),
			testutil.MakeApiToken(ns, "svc").Scopes("read:*").Obj(),
			testutil.MakeApiToken(ns, "introspector").Scopes(issuer.IntrospectScope).Obj(),
			testutil.MakeApiToken(ns, "plain").Scopes("read:*").Obj(),
			testutil.MakeApiToken(ns, "svc2").Scopes("read:*").Obj(),
		} {
			t.UID = ""
			Expect(k8sClient.Create(ctx, t)).To(Succeed())
		}
		for _, name := range []string{"leaked", "svc", "introspector", "plain", "svc2"} {
			Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, name).Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))
		}
		gateway = serviceAccountToken(ctx, ns, "gateway")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "selfmanaged-gateway-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: verifierRole(ctx)}, Subjects: subject(ns, "gateway")})).To(Succeed())
		Eventually(func() int { return postToken(clientCredentials(ns+"/svc", value("svc")), "", "").code }).Should(Equal(http.StatusOK))
		Eventually(func() int { return verifies(value("svc")) }).Should(Equal(http.StatusOK))
	})

	Describe("revocation (RFC 7009)", func() {
		It("revokes an ApiToken whose value a secret scanner presents, unauthenticated, so it stops verifying everywhere at once", func() {
			leaked = value("leaked")
			Expect(verifies(leaked)).To(Equal(http.StatusOK))
			r := revoke(leaked, "")
			Expect(r.code).To(Equal(http.StatusOK), r.body)
			Expect(r.body).To(BeEmpty())
			Expect(r.header.Get("Cache-Control")).To(Equal("no-store"))

			// The 200 comes once this replica's cache holds the revocation:
			// nothing verifies it from here on, before status is written.
			Eventually(func() int { return verifies(leaked) }, time.Second, 10*time.Millisecond).Should(Equal(http.StatusUnauthorized))
			Expect(postToken(clientCredentials(ns+"/leaked", leaked), "", "").code).To(Equal(http.StatusUnauthorized))
			Expect(forwardAuth("/", leaked).StatusCode).To(Equal(http.StatusUnauthorized))
			Expect(getToken(ctx, ns, "leaked").Spec.Revoked).To(BeTrue())
			Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, "leaked").Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusRevoked))
			Eventually(func() []string {
				var events eventsv1.EventList
				Expect(k8sClient.List(ctx, &events, client.InNamespace(ns))).To(Succeed())
				var notes []string
				for _, e := range events.Items {
					if e.Regarding.Name == "leaked" && e.Reason == issuer.EventRevokedByValue {
						notes = append(notes, e.Type+": "+e.Note)
					}
				}
				return notes
			}).Should(ConsistOf(Equal("Warning: Revoked by presenting its value at the revocation endpoint")), "no end client's address for the token's readers")

			By("presenting it again, it is already revoked: still 200")
			Expect(revoke(leaked, "").code).To(Equal(http.StatusOK))
		})

		It("answers 200 for an access token it signed and for an unknown value, revoking nothing", func() {
			at := accessToken("svc")
			Expect(revoke(at, "").code).To(Equal(http.StatusOK))
			Expect(post(issuer.RevocationPath, url.Values{"token": {at}, "token_type_hint": {"access_token"}}, "", "").code).To(Equal(http.StatusOK))
			Expect(revoke("0123456789abcdefghijklmnopqrstuv", "").code).To(Equal(http.StatusOK), "no oracle (RFC 7009 §2.2)")
			Expect(revoke(strings.Repeat("x", 5000), "").code).To(Equal(http.StatusOK))
			Expect(getToken(ctx, ns, "svc").Spec.Revoked).To(BeFalse())
			Expect(verifies(value("svc"))).To(Equal(http.StatusOK))
		})

		It("refuses a malformed request, naming the parameter", func() {
			for _, c := range []struct {
				form url.Values
				want string
			}{
				{url.Values{}, "token: required: the token to revoke"},
				{url.Values{"token": {"x"}, "token_type_hint": {"id_token"}}, "token_type_hint: not supported: leave it out, or use access_token or refresh_token"},
				{url.Values{"token": {"x", "y"}}, "token: given more than once"},
			} {
				r := post(issuer.RevocationPath, c.form, "", "")
				Expect(r.code).To(Equal(http.StatusBadRequest))
				Expect(r.oauthError()).To(Equal(issuer.OAuthError{Error: "invalid_request", Description: c.want}))
			}
			req, _ := http.NewRequest(http.MethodPost, issuerURL+issuer.RevocationPath+"?token=x", nil)
			Expect(doIssuer(req).code).To(Equal(http.StatusBadRequest))
		})

		It("throttles an end client that keeps presenting unknown values, and only that client", func() {
			for range verifyFailureLimit {
				Expect(revoke("0123456789abcdefghijklmnopqrstuv", "198.51.100.40").code).To(Equal(http.StatusOK))
			}
			r := revoke(value("plain"), "198.51.100.40")
			Expect(r.code).To(Equal(http.StatusTooManyRequests))
			Expect(r.oauthError().Error).To(Equal("slow_down"))
			Expect(r.header.Get("Retry-After")).NotTo(BeEmpty())
			Expect(getToken(ctx, ns, "plain").Spec.Revoked).To(BeFalse(), "a throttled request revokes nothing")
			Expect(revoke("0123456789abcdefghijklmnopqrstuv", "198.51.100.41").code).To(Equal(http.StatusOK), "another client is not affected")
		})
	})

	Describe("introspection (RFC 7662)", func() {
		introspect := func(token, auth string) tokenReply {
			return post(issuer.IntrospectionPath, url.Values{"token": {token}}, auth, "")
		}
		var introspector string
		BeforeAll(func() { introspector = basic(ns+"/introspector", value("introspector")) })

		It("describes an access token while it, its exp and its ApiToken hold, and not from the instant the ApiToken is revoked", func() {
			at := accessToken("svc")
			got := introspect(at, introspector).introspection()
			tok := getToken(ctx, ns, "svc")
			Expect(got).To(HaveKeyWithValue("active", true))
			Expect(got).To(HaveKeyWithValue("token_type", "Bearer"))
			Expect(got).To(HaveKeyWithValue("client_id", ns+"/svc"))
			Expect(got).To(HaveKeyWithValue("sub", "apitoken:"+ns+":svc"))
			Expect(got).To(HaveKeyWithValue("iss", issuerURL))
			Expect(got).To(HaveKeyWithValue("scope", "read:*"))
			Expect(got).To(HaveKeyWithValue("aud", []any{issuerURL}))
			Expect(got).To(HaveKey("exp"))
			Expect(got).To(HaveKey("iat"))
			Expect(got).To(HaveKeyWithValue("apitoken.io", map[string]any{"namespace": ns, "name": "svc", "uid": string(tok.UID),
				"type": authv1alpha1.APIName(tok.Spec.Type), "principal": tok.Spec.Principal, "revision": float64(tok.Status.Revision)}))
			exp := time.Unix(int64(got["exp"].(float64)), 0)

			patch := client.MergeFrom(tok.DeepCopy())
			tok.Spec.Revoked = true
			Expect(k8sClient.Patch(ctx, tok, patch)).To(Succeed())
			Eventually(func() string { return introspect(at, introspector).body }, time.Second, 10*time.Millisecond).Should(MatchJSON(`{"active": false}`))
			Expect(time.Now()).To(BeTemporally("<", exp), "the access token's exp is still ahead: only introspection knows")
		})

		It("describes an ApiToken value, and says only active: false for anything else", func() {
			got := introspect(value("plain"), introspector).introspection()
			Expect(got).To(HaveKeyWithValue("active", true))
			Expect(got).To(HaveKeyWithValue("token_type", "ApiToken"))
			Expect(got).To(HaveKeyWithValue("client_id", ns+"/plain"))
			Expect(got).To(HaveKeyWithValue("scope", "read:*"))
			Expect(got).NotTo(HaveKey("exp"), "the token does not expire")
			for _, v := range []string{"0123456789abcdefghijklmnopqrstuv", leaked, "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"} {
				Expect(introspect(v, introspector).body).To(MatchJSON(`{"active": false}`))
			}
		})

		It("keeps an access token of the previous token active during its grace period only", func() {
			tok := testutil.MakeApiToken(ns, "graced").Rotation(0, 3*time.Second).Obj()
			tok.UID = ""
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())
			Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, "graced").Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))
			at := accessToken("graced")
			cur := getToken(ctx, ns, "graced")
			patch := client.MergeFrom(cur.DeepCopy())
			cur.Annotations = map[string]string{authv1alpha1.RotateAnnotation: "introspect"}
			Expect(k8sClient.Patch(ctx, cur, patch)).To(Succeed())
			Eventually(func() int64 { return getToken(ctx, ns, "graced").Status.Revision }).Should(Equal(cur.Status.Revision + 1))
			Expect(introspect(at, introspector).introspection()).To(HaveKeyWithValue("active", true), "the previous token is in its grace period")
			Eventually(func() string { return introspect(at, introspector).body }, 10*time.Second).Should(MatchJSON(`{"active": false}`))
		})

		It("answers an ApiToken caller about its own namespace's tokens only", func() {
			other := newNamespace(ctx)
			t := testutil.MakeApiToken(other, "introspector").Scopes(issuer.IntrospectScope).Obj()
			t.UID = ""
			Expect(k8sClient.Create(ctx, t)).To(Succeed())
			Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, other, "introspector").Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))
			v := getSecretValue(ctx, other, "introspector")
			values = append(values, v)
			outsider := basic(other+"/introspector", v)
			Expect(introspect(value("plain"), outsider).body).To(MatchJSON(`{"active": false}`),
				"anyone may give a token of theirs the scope: it sees no further than its namespace")
			Expect(introspect(accessToken("svc2"), outsider).body).To(MatchJSON(`{"active": false}`))
			Expect(introspect(value("plain"), "Bearer "+gateway).introspection()).To(HaveKeyWithValue("active", true))
		})

		It("never refuses an active token to a resource server whose end clients present junk, and throttles only further failures, per end client", func() {
			rs := testutil.MakeApiToken(ns, "resource-server").Scopes(issuer.IntrospectScope).Obj()
			rs.UID = ""
			Expect(k8sClient.Create(ctx, rs)).To(Succeed())
			Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, "resource-server").Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))
			auth := basic(ns+"/resource-server", value("resource-server"))
			ask := func(token, endClient string) tokenReply {
				form := url.Values{"token": {token}}
				if endClient != "" {
					form.Set("remote_address", endClient)
				}
				return post(issuer.IntrospectionPath, form, auth, "198.51.100.70")
			}
			Eventually(func() string { return ask(value("plain"), "").body }).Should(ContainSubstring(`"active":true`))
			for range verifyFailureLimit {
				Expect(ask("0123456789abcdefghijklmnopqrstuv", "203.0.113.9").body).To(MatchJSON(`{"active": false}`))
			}
			r := ask("0123456789abcdefghijklmnopqrstuv", "203.0.113.9")
			Expect(r.code).To(Equal(http.StatusTooManyRequests), r.body)
			Expect(r.oauthError().Error).To(Equal("slow_down"))
			Expect(ask(value("plain"), "203.0.113.9").introspection()).To(HaveKeyWithValue("active", true), "an active token is answered whatever the budget")
			Expect(ask(accessToken("svc2"), "203.0.113.9").introspection()).To(HaveKeyWithValue("active", true))
			Expect(ask(value("plain"), "").introspection()).To(HaveKeyWithValue("active", true), "the resource server as a whole is not throttled")
			Expect(ask("0123456789abcdefghijklmnopqrstuv", "203.0.113.10").body).To(MatchJSON(`{"active": false}`), "another end client is not affected")

			r = ask(value("plain"), "not-an-address")
			Expect(r.code).To(Equal(http.StatusBadRequest))
			Expect(r.oauthError().Description).To(HavePrefix("remote_address: must be one IP address"))
		})

		It("counts a value valid in another namespace as a failed guess of an ApiToken caller", func() {
			other := newNamespace(ctx)
			t := testutil.MakeApiToken(other, "prober").Scopes(issuer.IntrospectScope).Obj()
			t.UID = ""
			Expect(k8sClient.Create(ctx, t)).To(Succeed())
			Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, other, "prober").Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))
			v := getSecretValue(ctx, other, "prober")
			values = append(values, v)
			prober := basic(other+"/prober", v)
			Eventually(func() int { return introspect(v, prober).code }).Should(Equal(http.StatusOK))
			for range verifyFailureLimit {
				Expect(introspect(value("plain"), prober).body).To(MatchJSON(`{"active": false}`))
			}
			r := introspect(value("svc2"), prober)
			Expect(r.code).To(Equal(http.StatusTooManyRequests), "a valid value of another namespace is a guess like an unknown one: "+r.body)
			Expect(introspect(v, prober).introspection()).To(HaveKeyWithValue("active", true), "its own namespace's tokens are still answered")
		})

		It("accepts a Kubernetes bearer token allowed create apitokens/verify", func() {
			got := introspect(value("plain"), "Bearer "+gateway).introspection()
			Expect(got).To(HaveKeyWithValue("active", true))
			nobody := serviceAccountToken(ctx, ns, "nobody")
			r := introspect(value("plain"), "Bearer "+nobody)
			Expect(r.code).To(Equal(http.StatusForbidden), r.body)
			Expect(r.oauthError().Description).To(ContainSubstring("may not introspect: that needs create on apitokens/verify"))
		})

		It("refuses a caller that does not authenticate, or whose ApiToken lacks the scope", func() {
			for _, c := range []struct {
				auth string
				code int
				err  string
				want string
			}{
				{"", 401, "invalid_client", "client authentication required: HTTP Basic with client id <namespace>/<name> and the value of an ApiToken with scope apitoken:introspect"},
				{basic(ns+"/introspector", "0123456789abcdefghijklmnopqrstuv"), 401, "invalid_client", "client authentication failed"},
				{basic(ns+"/plain", value("introspector")), 401, "invalid_client", "client authentication failed"},
				{basic(ns+"/plain", value("plain")), 403, "insufficient_scope", "the ApiToken " + ns + "/plain may not introspect: it needs scope apitoken:introspect"},
				{"Bearer not-a-kubernetes-token", 401, "invalid_client", "Authorization: the bearer token is not a valid Kubernetes token"},
			} {
				r := introspect(value("plain"), c.auth)
				Expect(r.code).To(Equal(c.code), r.body)
				e := r.oauthError()
				Expect(e.Error).To(Equal(c.err))
				Expect(e.Description).To(HavePrefix(c.want))
				if c.code == http.StatusUnauthorized {
					Expect(r.header.Get("WWW-Authenticate")).To(HavePrefix("Basic"))
				}
			}
			r := post(issuer.IntrospectionPath, url.Values{}, introspector, "")
			Expect(r.code).To(Equal(http.StatusBadRequest))
			Expect(r.oauthError().Description).To(Equal("token: required: the token to introspect"))
		})
	})

	It("never puts a token value in an answer", func() {
		Expect(values).NotTo(BeEmpty())
		for _, v := range values {
			for _, out := range seen {
				Expect(out).NotTo(ContainSubstring(v))
			}
		}
	})
})
