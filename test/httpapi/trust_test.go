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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/verifyapi"
)

// The attacks of issue #23, findings 1, 3, 5 and 7, each by an unprivileged
// user ("mallory", impersonated as kubectl --as does, with create secrets
// and create/delete apitokens in her namespace and nothing else), checked
// at the verify endpoint of the real listener.
var _ = Describe("Trust only what the operator wrote", Ordered, func() {
	const mallory = "mallory@example.com"
	var (
		ctx      context.Context
		ns       string
		verifier string
		attacker client.Client
	)
	// verifiesAs is the ApiToken a value verifies as ("" when it does not).
	verifiesAs := func(value string) string {
		GinkgoHelper()
		if value == "" {
			return ""
		}
		code, out := call(http.MethodPost, "/api/v1/tokens/verify", verifier, verifyBody(value))
		if code != http.StatusOK {
			return ""
		}
		var res verifyapi.Result
		Expect(json.Unmarshal([]byte(out), &res)).To(Succeed())
		return res.Namespace + "/" + res.Name
	}
	// plant is a Secret with every mark of the operator's that a Secret
	// writer can set, holding a value of the writer's choosing.
	plant := func(name, owner, value string) *corev1.Secret {
		return testutil.MakeSecret(ns, name).
			Label(authv1alpha1.ManagedByLabel, authv1alpha1.ManagedByValue).
			Annotation(authv1alpha1.OwnerAnnotation, owner).
			Annotation(authv1alpha1.TokenHashAnnotation, token.Fingerprint([]byte(value))).
			Annotation(authv1alpha1.IssuedAtAnnotation, time.Now().UTC().Format(time.RFC3339)).
			Annotation(authv1alpha1.RevisionAnnotation, "1").
			Data("token", value).Obj()
	}
	status := func(name string) (authv1alpha1.TokenStatus, string) {
		t := getToken(ctx, ns, name)
		reason := ""
		if c := meta.FindStatusCondition(t.Status.Conditions, authv1alpha1.ConditionReady); c != nil {
			reason = c.Reason
		}
		return t.Status.TokenStatus, reason
	}
	// secretValue is the token a Secret holds, "" while it does not exist.
	secretValue := func(name string) string {
		s := &corev1.Secret{}
		if err := k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
			return ""
		}
		return string(s.Data["token"])
	}
	create := func(t *authv1alpha1.ApiToken) {
		GinkgoHelper()
		t.UID = ""
		Expect(k8sClient.Create(ctx, t)).To(Succeed())
	}

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		verifier = serviceAccountToken(ctx, ns, "gateway")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "trust-gateway-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: verifierRole(ctx)}, Subjects: subject(ns, "gateway")})).To(Succeed())

		Expect(k8sClient.Create(ctx, &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "secret-writer"},
			Rules: []rbacv1.PolicyRule{
				{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"create"}},
				{APIGroups: []string{authv1alpha1.GroupVersion.Group}, Resources: []string{"apitokens"}, Verbs: []string{"get", "list", "create", "delete"}},
			}})).To(Succeed())
		Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "mallory"},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: "secret-writer"},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: mallory}}})).To(Succeed())
		as := rest.CopyConfig(cfg)
		as.Impersonate = rest.ImpersonationConfig{UserName: mallory}
		var err error
		attacker, err = client.New(as, client.Options{Scheme: scheme})
		Expect(err).NotTo(HaveOccurred())
		// She may not read Secrets: the value of a victim's token is not hers.
		Expect(apierrors.IsForbidden(attacker.Get(ctx, client.ObjectKey{Namespace: ns, Name: "x"}, &corev1.Secret{}))).To(BeTrue())

		create(testutil.MakeApiToken(ns, "victim").Scopes("admin").Obj())
		Eventually(func() string { return verifiesAs(secretValue("victim")) }).Should(Equal(ns + "/victim"))
	})

	It("a Secret planted with the operator's label and annotations verifies as nobody (finding 1)", func() {
		const chosen = "mallorys-chosen-value-0123456789"
		Expect(attacker.Create(ctx, plant("planted", "victim", chosen))).To(Succeed())
		// The index has seen it once the managed Secret cache has.
		Eventually(func() error {
			return k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "planted"}, &corev1.Secret{})
		}).Should(Succeed())
		Consistently(func() string { return verifiesAs(chosen) }, time.Second, 500*time.Millisecond).Should(BeEmpty())
		Expect(verifiesAs(getSecretValue(ctx, ns, "victim"))).To(Equal(ns+"/victim"), "the victim's own token still verifies")
	})

	It("a Secret planted before its ApiToken exists is never adopted (finding 1)", func() {
		const chosen = "planted-before-the-apitoken-0123"
		Expect(attacker.Create(ctx, plant("later", "later", chosen))).To(Succeed())
		create(testutil.MakeApiToken(ns, "later").DeletionPolicy(authv1alpha1.DeletionPolicyRetain).Obj())
		Eventually(func() string { _, r := status("later"); return r }).Should(Equal(authv1alpha1.ReasonSecretConflict))
		got := getToken(ctx, ns, "later")
		Expect(got.Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusFailed))
		Expect(got.Status.TokenHash).To(BeEmpty(), "status must not describe the planted value")
		Expect(getSecretValue(ctx, ns, "later")).To(Equal(chosen), "the operator never overwrites a Secret it did not write")
		Consistently(func() string { return verifiesAs(chosen) }, time.Second, 500*time.Millisecond).Should(BeEmpty())
	})

	It("a copied fingerprint is refused, and the first holder keeps its token (finding 3)", func() {
		const held = "alices-hash-only-value-012345678"
		fp := token.Fingerprint([]byte(held))
		create(testutil.MakeApiToken(ns, "alice").Hashed(held).Scopes("read").Obj())
		Eventually(func() string { return verifiesAs(held) }).Should(Equal(ns + "/alice"))

		copied := testutil.MakeApiToken(ns, "copy").Obj()
		copied.UID = ""
		copied.Spec.Source = &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: getToken(ctx, ns, "alice").Status.TokenHash}}
		copied.Spec.Scopes = []string{"admin"}
		Expect(attacker.Create(ctx, copied)).To(Succeed())
		Eventually(func() string { _, r := status("copy"); return r }).Should(Equal(authv1alpha1.ReasonDuplicateToken))
		c := meta.FindStatusCondition(getToken(ctx, ns, "copy").Status.Conditions, authv1alpha1.ConditionReady)
		Expect(c.Message).NotTo(ContainSubstring("alice"))
		Expect(c.Message).NotTo(ContainSubstring(ns))
		Expect(getToken(ctx, ns, "copy").Status.TokenHash).To(BeEmpty())
		Consistently(func() string { return verifiesAs(held) }, time.Second, 500*time.Millisecond).Should(Equal(ns + "/alice"))

		Expect(attacker.Delete(ctx, copied)).To(Succeed())
		Consistently(func() string { return verifiesAs(held) }, time.Second, 500*time.Millisecond).Should(Equal(ns+"/alice"), "deleting the copy locks nobody out")

		By("revoking the first holder: its fingerprint stays held")
		alice := getToken(ctx, ns, "alice")
		alice.Spec.Revoked = true
		Expect(k8sClient.Update(ctx, alice)).To(Succeed())
		Eventually(func() string { return verifiesAs(held) }).Should(BeEmpty())
		again := testutil.MakeApiToken(ns, "again").Obj()
		again.UID = ""
		again.Spec.Source = &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: fp}}
		Expect(attacker.Create(ctx, again)).To(Succeed())
		Eventually(func() string { _, r := status("again"); return r }).Should(Equal(authv1alpha1.ReasonDuplicateToken))
		Consistently(func() string { return verifiesAs(held) }, time.Second, 500*time.Millisecond).Should(BeEmpty(), "a revoked value never comes back")
	})

	for policy, keeps := range map[authv1alpha1.DeletionPolicy]bool{authv1alpha1.DeletionPolicyDelete: false, authv1alpha1.DeletionPolicyRetain: true} {
		It("a retargeted token's former Secret stops verifying at once ("+string(policy)+", finding 5)", func() {
			name := "moving-" + strings.ToLower(string(policy))
			create(testutil.MakeApiToken(ns, name).DeletionPolicy(policy).Obj())
			var before string
			Eventually(func() string { before = secretValue(name); return verifiesAs(before) }).Should(Equal(ns + "/" + name))

			tok := getToken(ctx, ns, name)
			tok.Spec.Secret.Name = name + "-new"
			Expect(k8sClient.Update(ctx, tok)).To(Succeed())
			Eventually(func() string { return getToken(ctx, ns, name).Status.SecretName }).Should(Equal(name + "-new"))
			Expect(verifiesAs(before)).To(BeEmpty())
			Eventually(func() string { return verifiesAs(secretValue(name + "-new")) }).Should(Equal(ns + "/" + name))

			old := &corev1.Secret{}
			err := k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, old)
			if keeps {
				Expect(err).NotTo(HaveOccurred())
				Expect(old.Data).NotTo(HaveKey("token"), "Retain keeps the Secret, not the token")
				Expect(old.Labels).NotTo(HaveKey(authv1alpha1.ManagedByLabel))
			} else {
				Expect(apierrors.IsNotFound(err)).To(BeTrue(), "Delete deletes the former Secret: %v", err)
			}
			Eventually(func() []string { return eventReasonsOf(ctx, ns, name) }).Should(ContainElement(authv1alpha1.ReasonRetargeted))
		})
	}
})

// eventReasonsOf are the reasons of the Events about an ApiToken.
func eventReasonsOf(ctx context.Context, ns, name string) []string {
	GinkgoHelper()
	list, err := clientset.EventsV1().Events(ns).List(ctx, metav1.ListOptions{})
	Expect(err).NotTo(HaveOccurred())
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Name == name {
			out = append(out, e.Reason)
		}
	}
	return out
}
