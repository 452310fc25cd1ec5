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
	"os"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// A second kube-apiserver (envtest's binary, its own etcd) set up as
// docs/guides/verify-and-forward-auth.md says, with --authentication-token-webhook-config-file pointing at
// the suite's TokenReview endpoint: a client presenting an ApiToken to it
// is the ApiToken's user.
var _ = Describe("kube-apiserver with the operator as its webhook token authenticator", Ordered, func() {
	var (
		ctx        context.Context
		ns         string
		value      string
		configFile string
		admin      string
	)
	BeforeAll(func() {
		ctx = context.Background()
		ns = newNamespace(ctx)
		admin = tokenAdmin(ctx, ns)
		webhook := serviceAccountToken(ctx, ns, "kube-apiserver")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "webhook-authn-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: verifierRole(ctx)}, Subjects: subject(ns, "kube-apiserver")})).To(Succeed())
		Eventually(func() int { return httpDo(http.MethodGet, "/api/v1/tokens?namespace="+ns, admin, "").code }, 30*time.Second).Should(Equal(http.StatusOK))
		r := httpDo(http.MethodPost, "/api/v1/tokens", admin, jsonBody(map[string]any{"namespace": ns, "name": "ci", "type": "API_CLIENT", "principal": "ci"}))
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		value = decodeWritten(r).Token
		Eventually(func() int {
			return httpDo(http.MethodPost, "/api/v1/tokenreviews", webhook, jsonBody(authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: value}})).code
		}, 30*time.Second).Should(Equal(http.StatusOK))

		// The webhook configuration of docs/guides/verify-and-forward-auth.md, with the suite's addresses.
		kubeconfig := clientcmdapi.Config{
			Clusters:       map[string]*clientcmdapi.Cluster{"apitoken-operator": {Server: baseURL + "/api/v1/tokenreviews", CertificateAuthorityData: issuerCA}},
			AuthInfos:      map[string]*clientcmdapi.AuthInfo{"kube-apiserver": {Token: webhook}},
			Contexts:       map[string]*clientcmdapi.Context{"webhook": {Cluster: "apitoken-operator", AuthInfo: "kube-apiserver"}},
			CurrentContext: "webhook",
		}
		configFile = filepath.Join(GinkgoT().TempDir(), "apitoken-webhook.kubeconfig")
		Expect(clientcmd.WriteToFile(kubeconfig, configFile)).To(Succeed())
		Expect(os.Chmod(configFile, 0o600)).To(Succeed())
	})

	// whoami starts a kube-apiserver with the webhook configured and the
	// extra flags, and asks it who a client presenting the ApiToken is.
	var asToken *rest.Config
	whoami := func(flags map[string]string) (authenticationv1.UserInfo, error) {
		GinkgoHelper()
		env := &envtest.Environment{}
		args := env.ControlPlane.GetAPIServer().Configure()
		args.Set("authentication-token-webhook-config-file", configFile)
		for k, v := range flags {
			args.Set(k, v)
		}
		cfg2, err := env.Start()
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(env.Stop)
		asToken = &rest.Config{Host: cfg2.Host, TLSClientConfig: rest.TLSClientConfig{CAData: cfg2.CAData}, BearerToken: value, Timeout: 10 * time.Second}
		cs, err := kubernetes.NewForConfig(asToken)
		Expect(err).NotTo(HaveOccurred())
		review, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
		if err != nil {
			return authenticationv1.UserInfo{}, err
		}
		return review.Status.UserInfo, nil
	}

	It("authenticates an ApiToken with --authentication-token-webhook-version=v1, until its revocation outlives kube-apiserver's cache", func() {
		// kube-apiserver keeps a success for --authentication-token-webhook-cache-ttl
		// (2m by default: measured 2m1s here): docs/guides/verify-and-forward-auth.md says so.
		user, err := whoami(map[string]string{"authentication-token-webhook-version": "v1", "authentication-token-webhook-cache-ttl": "3s"})
		Expect(err).NotTo(HaveOccurred())
		Expect(user.Username).To(Equal("apitoken:" + ns + ":ci"))
		Expect(user.Groups).To(ContainElements("apitoken:namespace:"+ns, "apitoken:"+ns+":principal:ci", "system:authenticated"))

		tok := getToken(ctx, ns, "ci")
		patch := client.MergeFrom(tok.DeepCopy())
		tok.Spec.Revoked = true
		Expect(k8sClient.Patch(ctx, tok, patch)).To(Succeed())
		cs, err := kubernetes.NewForConfig(asToken)
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() bool {
			_, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
			return apierrors.IsUnauthorized(err)
		}, 15*time.Second, 200*time.Millisecond).Should(BeTrue(), "refused once the cached success (3s) is gone")
	})

	It("authenticates an ApiToken without the version flag (kube-apiserver sends v1beta1)", func() {
		// The spec before revoked "ci": a token of its own.
		r := httpDo(http.MethodPost, "/api/v1/tokens", admin, jsonBody(map[string]any{"namespace": ns, "name": "ci-beta", "type": "API_CLIENT", "principal": "ci"}))
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		value = decodeWritten(r).Token
		user, err := whoami(nil)
		Expect(err).NotTo(HaveOccurred())
		Expect(user.Username).To(Equal("apitoken:" + ns + ":ci-beta"))
		Expect(user.Groups).To(ContainElements("apitoken:namespace:"+ns, "apitoken:"+ns+":principal:ci", "system:authenticated"))
	})
})
