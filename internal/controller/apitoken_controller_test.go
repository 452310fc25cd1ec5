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

package controller_test

import (
	"context"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

const validImport = "0123456789abcdefghijklmnopqrstuv"

// uniqueValue is base with its last five characters replaced by the
// namespace's random suffix: a fingerprint belongs to one ApiToken
// cluster-wide, so specs that share a manager must not share values.
func uniqueValue(base, ns string) string {
	return base[:len(base)-5] + ns[len(ns)-5:]
}

var _ = Describe("ApiToken controller", func() {
	var (
		ctx context.Context
		ns  string
	)
	BeforeEach(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		SetDefaultConsistentlyDuration(2 * time.Second)
		ns = newNamespace(ctx)
	})

	Context("generating a token", func() {
		It("writes a managed Secret and reports it Active with at most 2 writes", func() {
			tok := testutil.MakeApiToken(ns, "ci").Obj()
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())

			got := waitForStatus(ctx, ns, "ci", authv1alpha1.TokenStatusActive, authv1alpha1.ReasonIssued)
			s := getSecret(ctx, ns, "ci")
			value := s.Data["token"]
			Expect(string(value)).To(MatchRegexp("^[a-z0-9]{32}$"))
			Expect(s.Labels).To(HaveKeyWithValue(authv1alpha1.ManagedByLabel, authv1alpha1.ManagedByValue))
			Expect(tokensecret.Read(got, s).Hash).To(Equal(token.Fingerprint(value)))
			ref := metav1.GetControllerOf(s)
			Expect(ref).NotTo(BeNil())
			Expect(ref.UID).To(Equal(got.UID))
			Expect(*ref.BlockOwnerDeletion).To(BeTrue())

			Expect(got.Status.TokenHash).To(Equal(token.Fingerprint(value)))
			Expect(got.Status.TokenLastChars).To(Equal(string(value[len(value)-5:])))
			Expect(got.Status.SecretName).To(Equal("ci"))
			Expect(got.Status.Revision).To(Equal(int64(1)))
			Expect(got.Status.CreationDate).NotTo(BeNil())
			Expect(got.Status.ExpirationDate).To(BeNil(), "no ttl: never expires")
			Expect(readyCondition(got).Status).To(Equal(metav1.ConditionTrue))

			Expect(mgr.writes.forToken(ns, "ci", "ci")).To(BeNumerically("<=", 2), "issuing costs a Secret create and a status patch")
			Consistently(func() int { return mgr.writes.forToken(ns, "ci", "ci") }).Should(BeNumerically("<=", 2), "a settled token causes no more writes")
			Eventually(func() []string { return eventReasons(ctx, ns, "ci") }).Should(ContainElement(authv1alpha1.ReasonIssued))
		})

		It("honours length, charset, prefix, the Secret name and key, labels and annotations", func() {
			tok := testutil.MakeApiToken(ns, "custom").Generate(40, authv1alpha1.CharsetHex, "at_").SecretName("custom-secret").SecretLabel("backup", "daily").Obj()
			tok.Spec.Secret.Key = "api-key"
			tok.Spec.Secret.Annotations = map[string]string{"reloader.stakater.com/match": "true"}
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())

			waitForStatus(ctx, ns, "custom", authv1alpha1.TokenStatusActive, authv1alpha1.ReasonIssued)
			s := getSecret(ctx, ns, "custom-secret")
			Expect(string(s.Data["api-key"])).To(MatchRegexp("^at_[0-9a-f]{40}$"))
			Expect(s.Labels).To(HaveKeyWithValue("backup", "daily"))
			Expect(s.Annotations).To(HaveKeyWithValue("reloader.stakater.com/match", "true"))
		})

		It("never overwrites a Secret it does not own, and recovers when it goes", func() {
			foreign := testutil.MakeSecret(ns, "taken").Data("token", "someone-elses").Obj()
			Expect(k8sClient.Create(ctx, foreign)).To(Succeed())
			Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "taken").Obj())).To(Succeed())

			got := waitForStatus(ctx, ns, "taken", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonSecretConflict)
			Expect(readyCondition(got).Message).To(ContainSubstring(`Secret "taken" exists and is not managed by this ApiToken`))
			Expect(got.Status.TokenHash).To(BeEmpty())
			Consistently(func(g Gomega) {
				g.Expect(string(getSecret(ctx, ns, "taken").Data["token"])).To(Equal("someone-elses"))
			}).Should(Succeed())
			Eventually(func() []string { return eventReasons(ctx, ns, "taken") }).Should(ContainElement(authv1alpha1.ReasonSecretConflict))

			Expect(k8sClient.Delete(ctx, foreign)).To(Succeed())
			waitForStatus(ctx, ns, "taken", authv1alpha1.TokenStatusActive, authv1alpha1.ReasonIssued)
		})
	})

	Context("drift", func() {
		It("re-issues a deleted Secret, repairs an edited value and restores metadata", func() {
			Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "drift").SecretLabel("team", "a").Obj())).To(Succeed())
			waitForRevision(ctx, ns, "drift", 1)
			first := getSecret(ctx, ns, "drift")

			By("deleting the Secret")
			Expect(k8sClient.Delete(ctx, first)).To(Succeed())
			got := waitForRevision(ctx, ns, "drift", 2)
			second := getSecret(ctx, ns, "drift")
			Expect(second.Data["token"]).NotTo(Equal(first.Data["token"]))
			Expect(got.Status.TokenHash).To(Equal(token.Fingerprint(second.Data["token"])))
			Eventually(func() []string { return eventReasons(ctx, ns, "drift") }).Should(ContainElement(authv1alpha1.ReasonReissued))

			By("editing the value")
			edited := second.DeepCopy()
			edited.Data["token"] = []byte("edited-by-hand")
			Expect(k8sClient.Update(ctx, edited)).To(Succeed())
			got = waitForRevision(ctx, ns, "drift", 3)
			third := getSecret(ctx, ns, "drift")
			Expect(string(third.Data["token"])).NotTo(Equal("edited-by-hand"))
			Expect(got.Status.TokenHash).To(Equal(token.Fingerprint(third.Data["token"])), "status describes the value the Secret holds")

			By("removing labels and the owner annotation, keeping the owner reference")
			stripped := third.DeepCopy()
			delete(stripped.Annotations, authv1alpha1.OwnerAnnotation)
			stripped.Labels = nil
			Expect(k8sClient.Update(ctx, stripped)).To(Succeed())
			Eventually(func(g Gomega) {
				s := getSecret(ctx, ns, "drift")
				g.Expect(s.Annotations).To(HaveKeyWithValue(authv1alpha1.OwnerAnnotation, "drift"))
				g.Expect(s.Labels).To(HaveKeyWithValue(authv1alpha1.ManagedByLabel, authv1alpha1.ManagedByValue))
				g.Expect(s.Labels).To(HaveKeyWithValue("team", "a"))
				g.Expect(s.Data["token"]).To(Equal(third.Data["token"]), "metadata repair keeps the token")
			}).Should(Succeed())
		})
	})

	Context("expiry and rotation", func() {
		It("expires exactly at expirationDate", func() {
			Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "short").TTL(3*time.Second).Obj())).To(Succeed())
			active := waitForStatus(ctx, ns, "short", authv1alpha1.TokenStatusActive, authv1alpha1.ReasonIssued)
			Expect(active.Status.ExpirationDate.Time).To(Equal(active.Status.CreationDate.Add(3 * time.Second)))

			expired := waitForStatus(ctx, ns, "short", authv1alpha1.TokenStatusExpired, authv1alpha1.ReasonExpired)
			ready := readyCondition(expired)
			Expect(ready.Status).To(Equal(metav1.ConditionFalse))
			Expect(ready.LastTransitionTime.Time).NotTo(BeTemporally("<", expired.Status.ExpirationDate.Time))
			Expect(ready.LastTransitionTime.Time).To(BeTemporally("<=", expired.Status.ExpirationDate.Add(time.Second)))
			Eventually(func() []string { return eventReasons(ctx, ns, "short") }).Should(ContainElement(authv1alpha1.ReasonExpired))
		})

		It("rotates before expiry and keeps the previous token for the grace period", func() {
			tok := testutil.MakeApiToken(ns, "auto").TTL(6*time.Second).Rotation(3*time.Second, 2*time.Second).Obj()
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())
			first := waitForRevision(ctx, ns, "auto", 1)
			Expect(first.Status.RenewalTime.Time).To(Equal(first.Status.CreationDate.Add(3 * time.Second)))
			old := getSecret(ctx, ns, "auto").Data["token"]

			second := waitForRevision(ctx, ns, "auto", 2)
			s := getSecret(ctx, ns, "auto")
			Expect(s.Data["token"]).NotTo(Equal(old))
			Expect(s.Data["token.previous"]).To(Equal(old))
			Expect(second.Status.PreviousTokenExpirationDate).NotTo(BeNil())
			Expect(second.Status.CreationDate.Time).To(BeTemporally(">=", first.Status.RenewalTime.Time))

			Eventually(func(g Gomega) {
				g.Expect(getSecret(ctx, ns, "auto").Data).NotTo(HaveKey("token.previous"))
				g.Expect(getToken(ctx, ns, "auto").Status.PreviousTokenExpirationDate).To(BeNil())
			}).Should(Succeed())
			Eventually(func() []string { return eventReasons(ctx, ns, "auto") }).Should(ContainElement(authv1alpha1.ReasonRotated))
		})

		It("rotates once per new value of the rotate annotation", func() {
			tok := testutil.MakeApiToken(ns, "manual").Rotation(0, time.Hour).Obj()
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())
			waitForRevision(ctx, ns, "manual", 1)
			old := getSecret(ctx, ns, "manual").Data["token"]

			annotateRotate(ctx, tok, "2026-11-23")
			waitForRevision(ctx, ns, "manual", 2)
			s := getSecret(ctx, ns, "manual")
			Expect(s.Data["token"]).NotTo(Equal(old))
			Expect(s.Data["token.previous"]).To(Equal(old))
			Expect(tokensecret.Read(tok, s).RotateHandled).To(Equal("2026-11-23"))

			Consistently(func() int64 { return getToken(ctx, ns, "manual").Status.Revision }).Should(Equal(int64(2)), "the same value does not rotate again")
			annotateRotate(ctx, tok, "again")
			waitForRevision(ctx, ns, "manual", 3)
		})
	})

	Context("importing a token", func() {
		It("copies a valid value and follows the source when it changes", func() {
			Expect(k8sClient.Create(ctx, testutil.MakeSecret(ns, "vault").Data("token", uniqueValue(validImport, ns)).Obj())).To(Succeed())
			tok := testutil.MakeApiToken(ns, "imp").Import("vault", "", "").Rotation(0, time.Hour).Obj()
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())

			waitForStatus(ctx, ns, "imp", authv1alpha1.TokenStatusActive, authv1alpha1.ReasonImported)
			Expect(string(getSecret(ctx, ns, "imp").Data["token"])).To(Equal(uniqueValue(validImport, ns)))
			Eventually(func() []string { return eventReasons(ctx, ns, "imp") }).Should(ContainElement(authv1alpha1.ReasonImported))

			next := "vwxyz0123456789abcdefghijklmnopq"
			src := getSecret(ctx, ns, "vault")
			src.Data["token"] = []byte(next)
			Expect(k8sClient.Update(ctx, src)).To(Succeed())
			waitForRevision(ctx, ns, "imp", 2)
			s := getSecret(ctx, ns, "imp")
			Expect(string(s.Data["token"])).To(Equal(next))
			Expect(string(s.Data["token.previous"])).To(Equal(uniqueValue(validImport, ns)))
		})

		It("fails without writing a Secret while the source is missing or invalid, and recovers", func() {
			tok := testutil.MakeApiToken(ns, "pending-import").Import("later", "api-key", "").Obj()
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())
			got := waitForStatus(ctx, ns, "pending-import", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonSourceNotFound)
			Expect(readyCondition(got).Message).To(ContainSubstring(`import source Secret "later" not found`))

			By("creating the source without the key")
			src := testutil.MakeSecret(ns, "later").Data("password", uniqueValue(validImport, ns)).Obj()
			Expect(k8sClient.Create(ctx, src)).To(Succeed())
			Eventually(func(g Gomega) {
				g.Expect(readyCondition(getToken(ctx, ns, "pending-import")).Message).To(ContainSubstring(`has no key "api-key": add it`))
			}).Should(Succeed())

			By("adding the key with an invalid value")
			src = getSecret(ctx, ns, "later")
			src.Data["api-key"] = []byte("Not-A-Valid-Token\n")
			Expect(k8sClient.Update(ctx, src)).To(Succeed())
			got = waitForStatus(ctx, ns, "pending-import", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonInvalidImport)
			Expect(readyCondition(got).Message).To(And(ContainSubstring("exactly 32 characters of [a-z0-9]"), Not(ContainSubstring("newline")), Not(ContainSubstring("Not-A-Valid-Token"))))
			Consistently(func() bool {
				return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "pending-import"}, &corev1.Secret{}))
			}).Should(BeTrue(), "no target Secret is written for an invalid import")
			Eventually(func() []string { return eventReasons(ctx, ns, "pending-import") }).Should(ContainElement(authv1alpha1.ReasonInvalidImport))

			By("fixing the value")
			src = getSecret(ctx, ns, "later")
			src.Data["api-key"] = []byte(uniqueValue(validImport, ns))
			Expect(k8sClient.Update(ctx, src)).To(Succeed())
			waitForStatus(ctx, ns, "pending-import", authv1alpha1.TokenStatusActive, authv1alpha1.ReasonImported)
		})

		It("reports a pattern that is not RE2 and accepts values matching a custom pattern", func() {
			Expect(k8sClient.Create(ctx, testutil.MakeSecret(ns, "gh").Data("token", "ghp_ABCdef123").Obj())).To(Succeed())
			tok := testutil.MakeApiToken(ns, "gh").SecretName("gh-copy").Import("gh", "", "ghp_(?=x)").Obj()
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())
			got := waitForStatus(ctx, ns, "gh", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonInvalidImport)
			Expect(readyCondition(got).Message).To(ContainSubstring("spec.source.import.pattern"))

			patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) { t.Spec.Source.Import.Pattern = "ghp_[A-Za-z0-9]+" })
			waitForStatus(ctx, ns, "gh", authv1alpha1.TokenStatusActive, authv1alpha1.ReasonImported)
			Expect(string(getSecret(ctx, ns, "gh-copy").Data["token"])).To(Equal("ghp_ABCdef123"))
		})
	})

	Context("revocation and deletion", func() {
		It("revokes, and issues a new token when revocation is lifted", func() {
			tok := testutil.MakeApiToken(ns, "rev").Obj()
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())
			waitForRevision(ctx, ns, "rev", 1)
			old := getSecret(ctx, ns, "rev").Data["token"]

			patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })
			got := waitForStatus(ctx, ns, "rev", authv1alpha1.TokenStatusRevoked, authv1alpha1.ReasonRevoked)
			// The revoked fingerprint stays held, so that the value can
			// never come back under another ApiToken.
			Expect(got.Status.TokenHash).To(Equal(token.Fingerprint(old)))
			s := getSecret(ctx, ns, "rev")
			Expect(s.Data).NotTo(HaveKey("token"))
			Expect(tokensecret.Read(got, s).Revoked).To(BeTrue())
			Eventually(func() []string { return eventReasons(ctx, ns, "rev") }).Should(ContainElement(authv1alpha1.ReasonRevoked))

			patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = false })
			waitForRevision(ctx, ns, "rev", 2)
			Expect(getSecret(ctx, ns, "rev").Data["token"]).NotTo(Equal(old))
		})

		It("sets the owner reference under Delete and removes it under Retain", func() {
			tok := testutil.MakeApiToken(ns, "keep").Obj()
			Expect(k8sClient.Create(ctx, tok)).To(Succeed())
			waitForRevision(ctx, ns, "keep", 1)
			Expect(metav1.GetControllerOf(getSecret(ctx, ns, "keep"))).NotTo(BeNil())

			patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) { t.Spec.DeletionPolicy = authv1alpha1.DeletionPolicyRetain })
			Eventually(func() []metav1.OwnerReference { return getSecret(ctx, ns, "keep").OwnerReferences }).Should(BeEmpty())
			value := getSecret(ctx, ns, "keep").Data["token"]

			Expect(k8sClient.Delete(ctx, getToken(ctx, ns, "keep"))).To(Succeed())
			Eventually(func() bool {
				return apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: "keep"}, &authv1alpha1.ApiToken{}))
			}).Should(BeTrue(), "no finalizer holds the ApiToken")
			Expect(getSecret(ctx, ns, "keep").Data["token"]).To(Equal(value))

			By("re-creating the ApiToken adopts the retained Secret without a new token")
			Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "keep").Obj())).To(Succeed())
			waitForRevision(ctx, ns, "keep", 1)
			Expect(getSecret(ctx, ns, "keep").Data["token"]).To(Equal(value))
		})
	})

	Context("validation by the API server", func() {
		DescribeTable("rejects bad specs with a message that names the rule",
			func(mutate func(*authv1alpha1.ApiToken), message string) {
				tok := testutil.MakeApiToken(ns, "bad").Obj()
				tok.UID = ""
				mutate(tok)
				err := k8sClient.Create(ctx, tok)
				Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
				Expect(err.Error()).To(ContainSubstring(message))
			},
			Entry("generate and import", func(t *authv1alpha1.ApiToken) {
				t.Spec.Source = &authv1alpha1.TokenSource{Generate: &authv1alpha1.GenerateSource{}, Import: &authv1alpha1.ImportSource{SecretRef: authv1alpha1.SecretKeyRef{Name: "x"}}}
			}, "source.generate, source.import and source.hashed are mutually exclusive"),
			Entry("hashed and generate", func(t *authv1alpha1.ApiToken) {
				t.Spec.Source = &authv1alpha1.TokenSource{Generate: &authv1alpha1.GenerateSource{}, Hashed: &authv1alpha1.HashedSource{TokenHash: token.Fingerprint([]byte(validImport))}}
			}, "source.generate, source.import and source.hashed are mutually exclusive"),
			Entry("hashed with a Secret", func(t *authv1alpha1.ApiToken) {
				t.Spec.Source = &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: token.Fingerprint([]byte(validImport))}}
				t.Spec.Secret.Name = "mine"
			}, "spec.secret cannot be set with source.hashed"),
			Entry("hashed with renewBefore", func(t *authv1alpha1.ApiToken) {
				t.Spec.Source = &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: token.Fingerprint([]byte(validImport))}}
				t.Spec.TTL = &metav1.Duration{Duration: time.Hour}
				t.Spec.Rotation = &authv1alpha1.Rotation{RenewBefore: &metav1.Duration{Duration: time.Minute}}
			}, "rotation.renewBefore cannot be set with source.hashed"),
			Entry("hashed with a malformed hash", func(t *authv1alpha1.ApiToken) {
				t.Spec.Source = &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: "sha256:ABC"}}
			}, "spec.source.hashed.tokenHash"),
			Entry("a scope with a space", func(t *authv1alpha1.ApiToken) { t.Spec.Scopes = []string{"read reports"} }, "spec.scopes[0]"),
			Entry("65 scopes", func(t *authv1alpha1.ApiToken) {
				for i := range 65 {
					t.Spec.Scopes = append(t.Spec.Scopes, "s"+strings.Repeat("x", i))
				}
			}, "spec.scopes: Too many: 65: must have at most 64 items"),
			Entry("unknown type", func(t *authv1alpha1.ApiToken) { t.Spec.Type = "Robot" }, `spec.type: Unsupported value: "Robot"`),
			Entry("unknown charset", func(t *authv1alpha1.ApiToken) {
				t.Spec.Source = &authv1alpha1.TokenSource{Generate: &authv1alpha1.GenerateSource{Charset: "Emoji"}}
			}, `spec.source.generate.charset: Unsupported value: "Emoji"`),
			Entry("length below 16", func(t *authv1alpha1.ApiToken) {
				t.Spec.Source = &authv1alpha1.TokenSource{Generate: &authv1alpha1.GenerateSource{Length: 15}}
			}, "spec.source.generate.length: Invalid value: 15: spec.source.generate.length in body should be greater than or equal to 16"),
			Entry("length above 256", func(t *authv1alpha1.ApiToken) {
				t.Spec.Source = &authv1alpha1.TokenSource{Generate: &authv1alpha1.GenerateSource{Length: 257}}
			}, "should be less than or equal to 256"),
			Entry("ttl below 1s", func(t *authv1alpha1.ApiToken) { t.Spec.TTL = &metav1.Duration{Duration: 500 * time.Millisecond} }, "ttl must be at least 1s and at most 2562047h"),
			Entry("renewBefore without ttl", func(t *authv1alpha1.ApiToken) {
				t.Spec.Rotation = &authv1alpha1.Rotation{RenewBefore: &metav1.Duration{Duration: time.Minute}}
			}, "rotation.renewBefore requires ttl"),
			Entry("renewBefore not below ttl", func(t *authv1alpha1.ApiToken) {
				t.Spec.TTL = &metav1.Duration{Duration: time.Hour}
				t.Spec.Rotation = &authv1alpha1.Rotation{RenewBefore: &metav1.Duration{Duration: time.Hour}}
			}, "rotation.renewBefore must be less than ttl"),
			Entry("empty principal", func(t *authv1alpha1.ApiToken) { t.Spec.Principal = "" }, "spec.principal"),
			Entry("access-token ttl below 1m", func(t *authv1alpha1.ApiToken) {
				t.Spec.AccessToken = &authv1alpha1.AccessTokenSpec{TTL: &metav1.Duration{Duration: 30 * time.Second}}
			}, `spec.accessToken.ttl: Invalid value: "30s": accessToken.ttl must be between 1m and 24h`),
			Entry("access-token ttl above 24h", func(t *authv1alpha1.ApiToken) {
				t.Spec.AccessToken = &authv1alpha1.AccessTokenSpec{TTL: &metav1.Duration{Duration: 25 * time.Hour}}
			}, "accessToken.ttl must be between 1m and 24h"),
			Entry("an empty audience", func(t *authv1alpha1.ApiToken) {
				t.Spec.AccessToken = &authv1alpha1.AccessTokenSpec{Audiences: []string{""}}
			}, "spec.accessToken.audiences[0]"),
		)

		It("rejects a ttl that is not a duration", func() {
			u := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "auth.apitoken.io/v1alpha1", "kind": "ApiToken",
				"metadata": map[string]any{"name": "bad-ttl", "namespace": ns},
				"spec":     map[string]any{"type": "User", "principal": "alice", "ttl": "one week"},
			}}
			err := k8sClient.Create(ctx, u)
			Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
			Expect(err.Error()).To(ContainSubstring("spec.ttl"))
		})

		// Found by FuzzDurationSchema: these pass the pattern but overflow
		// Go's time.Duration; stored, they would break decoding the ApiToken
		// in every informer.
		DescribeTable("rejects a duration beyond 290 years in every duration field",
			func(field string, rotation bool) {
				spec := map[string]any{"type": "User", "principal": "alice", "ttl": "1h"}
				if rotation {
					spec["rotation"] = map[string]any{field: "9999999999h"}
				} else {
					spec[field] = "9999999999h"
				}
				u := &unstructured.Unstructured{Object: map[string]any{
					"apiVersion": "auth.apitoken.io/v1alpha1", "kind": "ApiToken",
					"metadata": map[string]any{"name": "overflow", "namespace": ns},
					"spec":     spec,
				}}
				err := k8sClient.Create(ctx, u)
				Expect(apierrors.IsInvalid(err)).To(BeTrue(), "got %v", err)
				Expect(err.Error()).To(ContainSubstring(field))
				Expect(err.Error()).To(ContainSubstring("at most 2562047h"))
			},
			Entry("ttl", "ttl", false),
			Entry("rotation.renewBefore", "renewBefore", true),
			Entry("rotation.gracePeriod", "gracePeriod", true),
		)
	})

	Context("restarts", func() {
		It("never re-issues a token already in its Secret and writes nothing when nothing changed", func() {
			for _, name := range []string{"r1", "r2", "r3"} {
				Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, name).TTL(time.Hour).Obj())).To(Succeed())
			}
			values := map[string][]byte{}
			for _, name := range []string{"r1", "r2", "r3"} {
				waitForRevision(ctx, ns, name, 1)
				values[name] = getSecret(ctx, ns, name).Data["token"]
			}

			mgr.stop()
			mgr = startManager()
			Consistently(func() int { return mgr.writes.inNamespace(ns) }).Should(BeZero(), "a restarted manager writes nothing for settled tokens")

			// The new manager is live: it acts on a change.
			annotateRotate(ctx, getToken(ctx, ns, "r2"), "after-restart")
			waitForRevision(ctx, ns, "r2", 2)
			for _, name := range []string{"r1", "r3"} {
				Expect(getSecret(ctx, ns, name).Data["token"]).To(Equal(values[name]))
				Expect(getToken(ctx, ns, name).Status.Revision).To(Equal(int64(1)))
			}
		})
	})
})
