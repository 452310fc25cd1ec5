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
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/writeapi"
)

// interleaved is a write another party makes to an ApiToken between a
// handler's read and its update: the manager's client makes it (once)
// right before its next update of that ApiToken, as the controller's
// status patch at the end of a grace period once did in CI.
type interleaved struct {
	key   client.ObjectKey
	write func(ctx context.Context)
}

var nextInterleaved atomic.Pointer[interleaved]

// interleave arms w for the next update of key, and returns a check that
// it ran.
func interleave(key client.ObjectKey, w func(ctx context.Context)) func() bool {
	i := &interleaved{key: key, write: w}
	nextInterleaved.Store(i)
	return func() bool { return nextInterleaved.Load() != i }
}

// newInterleavingClient is the suite manager's client: the real one, with
// an update of an armed ApiToken preceded by the interleaved write.
func newInterleavingClient(config *rest.Config, options client.Options) (client.Client, error) {
	c, err := client.NewWithWatch(config, options)
	if err != nil {
		return nil, err
	}
	return interceptor.NewClient(c, interceptor.Funcs{
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			if i := nextInterleaved.Load(); i != nil && i.key == client.ObjectKeyFromObject(obj) {
				if _, ok := obj.(*authv1alpha1.ApiToken); ok && nextInterleaved.CompareAndSwap(i, nil) {
					i.write(ctx)
				}
			}
			return c.Update(ctx, obj, opts...)
		},
	}), nil
}

var _ = Describe("Writes that race another write to the same ApiToken", Ordered, func() {
	var (
		ctx            context.Context
		ns             string
		admin, gateway string
	)
	verifies := func(value string) int {
		return httpDo(http.MethodPost, "/api/v1/tokens/verify", gateway, verifyBody(value)).code
	}
	create := func(name string, scopes ...string) string {
		GinkgoHelper()
		r := httpDo(http.MethodPost, "/api/v1/tokens", admin, jsonBody(map[string]any{"namespace": ns, "name": name, "type": "API_CLIENT",
			"principal": "cron", "ttl": "1h", "scopes": scopes}))
		Expect(r.code).To(Equal(http.StatusCreated), r.body)
		return decodeWritten(r).Token
	}
	// statusWrite is what the controller or the last-used tracker does
	// between a handler's read and its update: the resourceVersion moves,
	// the token does not.
	statusWrite := func(name string) func(context.Context) {
		return func(ctx context.Context) {
			defer GinkgoRecover()
			tok := getToken(ctx, ns, name)
			patch := client.MergeFrom(tok.DeepCopy())
			now := metav1.NewTime(time.Now().Truncate(time.Second))
			tok.Status.LastUsedDate = &now
			Expect(k8sClient.Status().Patch(ctx, tok, patch)).To(Succeed())
		}
	}
	key := func(name string) client.ObjectKey { return client.ObjectKey{Namespace: ns, Name: name} }

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		ns = newNamespace(ctx)
		admin = tokenAdmin(ctx, ns)
		gateway = serviceAccountToken(ctx, ns, "gateway")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "race-gateway-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: verifierRole(ctx)}, Subjects: subject(ns, "gateway")})).To(Succeed())
		Eventually(func() int { return httpDo(http.MethodGet, "/api/v1/tokens?namespace="+ns, admin, "").code }).Should(Equal(http.StatusOK))
	})
	AfterEach(func() { nextInterleaved.Store(nil) })

	It("rotates itself although a status write lands between the read and the update", func() {
		old := create("self-rotor", writeapi.SelfRotateScope)
		Eventually(func() int { return verifies(old) }).Should(Equal(http.StatusOK))
		ran := interleave(key("self-rotor"), statusWrite("self-rotor"))
		r := asSelf(http.MethodPost, writeapi.SelfRotatePath, old, "bearer", "", "")
		Expect(ran()).To(BeTrue(), "the status write was interleaved")
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		next := decodeWritten(r).Token
		Expect(verifies(next)).To(Equal(http.StatusOK))
		Eventually(func() int { return verifies(old) }).Should(Equal(http.StatusUnauthorized))
	})

	It("regenerates, revokes and imports although a status write lands between the read and the update", func() {
		old := create("regen", "read")
		ran := interleave(key("regen"), statusWrite("regen"))
		r := httpDo(http.MethodPost, "/api/v1/tokens/"+ns+"/regen/regenerate", admin, "")
		Expect(ran()).To(BeTrue())
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		next := decodeWritten(r).Token
		Expect(next).NotTo(Equal(old))
		Expect(verifies(next)).To(Equal(http.StatusOK))

		ran = interleave(key("regen"), statusWrite("regen"))
		r = httpDo(http.MethodPost, "/api/v1/tokens/"+ns+"/regen/revoke", admin, "")
		Expect(ran()).To(BeTrue())
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		Expect(getToken(ctx, ns, "regen").Spec.Revoked).To(BeTrue())
		Expect(verifies(next)).To(Equal(http.StatusUnauthorized))

		Eventually(func() authv1alpha1.TokenStatus { return getToken(ctx, ns, "regen").Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusRevoked))
		const imported = "raceimportedvalue0123456789abcde"
		ran = interleave(key("regen"), statusWrite("regen"))
		r = httpDo(http.MethodPut, "/api/v1/tokens/"+ns+"/regen", admin, jsonBody(map[string]any{"token": imported, "type": "API_CLIENT", "principal": "cron"}))
		Expect(ran()).To(BeTrue())
		Expect(r.code).To(Equal(http.StatusOK), r.body)
		Expect(getToken(ctx, ns, "regen").Spec.Source.Hashed.TokenHash).To(Equal(token.Fingerprint([]byte(imported))))
		Expect(verifies(imported)).To(Equal(http.StatusOK))
	})

	It("still refuses a self-rotation when the token itself changed in between: revoked, or rotated by someone else", func() {
		old := create("contested", writeapi.SelfRotateScope)
		Eventually(func() int { return verifies(old) }).Should(Equal(http.StatusOK))
		var other string
		ran := interleave(key("contested"), func(context.Context) {
			defer GinkgoRecover()
			r := httpDo(http.MethodPost, "/api/v1/tokens/"+ns+"/contested/regenerate", admin, "")
			Expect(r.code).To(Equal(http.StatusOK), r.body)
			other = decodeWritten(r).Token
		})
		r := asSelf(http.MethodPost, writeapi.SelfRotatePath, old, "bearer", "", "")
		Expect(ran()).To(BeTrue())
		Expect(r.code).To(Equal(http.StatusConflict), r.body)
		Expect(r.body).To(ContainSubstring("the token is being rotated already: present the new value"))
		Expect(verifies(other)).To(Equal(http.StatusOK), "the other rotation stands")

		ran = interleave(key("contested"), func(context.Context) {
			defer GinkgoRecover()
			Expect(httpDo(http.MethodPost, "/api/v1/tokens/"+ns+"/contested/revoke", admin, "").code).To(Equal(http.StatusOK))
		})
		r = asSelf(http.MethodPost, writeapi.SelfRotatePath, other, "bearer", "", "")
		Expect(ran()).To(BeTrue())
		Expect(r.code).To(Equal(http.StatusUnauthorized), r.body)
		Expect(getToken(ctx, ns, "contested").Spec.Revoked).To(BeTrue(), "the revocation stands")
		Expect(verifies(other)).To(Equal(http.StatusUnauthorized))
	})
})
