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

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// newNamespace creates a namespace for one spec, so that specs cannot see
// each other's objects.
func newNamespace(ctx context.Context) string {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "apitoken-test-"}}
	Expect(k8sClient.Create(ctx, ns)).To(Succeed())
	return ns.Name
}

func getToken(ctx context.Context, ns, name string) *authv1alpha1.ApiToken {
	GinkgoHelper()
	tok := &authv1alpha1.ApiToken{}
	Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, tok)).To(Succeed())
	return tok
}

func getSecret(ctx context.Context, ns, name string) *corev1.Secret {
	GinkgoHelper()
	s := &corev1.Secret{}
	Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, s)).To(Succeed())
	return s
}

// waitForStatus waits until the ApiToken has the status and Ready reason, and returns it.
func waitForStatus(ctx context.Context, ns, name string, status authv1alpha1.TokenStatus, reason string) *authv1alpha1.ApiToken {
	GinkgoHelper()
	tok := &authv1alpha1.ApiToken{}
	Eventually(func(g Gomega) {
		g.Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, tok)).To(Succeed())
		g.Expect(tok.Status.TokenStatus).To(Equal(status))
		ready := meta.FindStatusCondition(tok.Status.Conditions, authv1alpha1.ConditionReady)
		g.Expect(ready).NotTo(BeNil())
		g.Expect(ready.Reason).To(Equal(reason))
		g.Expect(tok.Status.ObservedGeneration).To(Equal(tok.Generation))
	}).Should(Succeed())
	return tok
}

// waitForRevision waits until status reports the revision, Active.
func waitForRevision(ctx context.Context, ns, name string, revision int64) *authv1alpha1.ApiToken {
	GinkgoHelper()
	tok := &authv1alpha1.ApiToken{}
	Eventually(func(g Gomega) {
		g.Expect(k8sClient.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, tok)).To(Succeed())
		g.Expect(tok.Status.Revision).To(Equal(revision))
		g.Expect(tok.Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusActive))
	}).Should(Succeed())
	return tok
}

func readyCondition(tok *authv1alpha1.ApiToken) *metav1.Condition {
	return meta.FindStatusCondition(tok.Status.Conditions, authv1alpha1.ConditionReady)
}

// eventReasons lists the reasons of the Events about an ApiToken, oldest first.
func eventReasons(ctx context.Context, ns, name string) []string {
	GinkgoHelper()
	var list eventsv1.EventList
	Expect(k8sClient.List(ctx, &list, client.InNamespace(ns))).To(Succeed())
	var reasons []string
	for _, e := range list.Items {
		if e.Regarding.Kind == "ApiToken" && e.Regarding.Name == name {
			reasons = append(reasons, e.Reason)
		}
	}
	return reasons
}

func patchToken(ctx context.Context, tok *authv1alpha1.ApiToken, mutate func(*authv1alpha1.ApiToken)) {
	GinkgoHelper()
	Eventually(func() error {
		cur := &authv1alpha1.ApiToken{}
		if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(tok), cur); err != nil {
			return err
		}
		orig := cur.DeepCopy()
		mutate(cur)
		return k8sClient.Patch(ctx, cur, client.MergeFrom(orig))
	}).Should(Succeed())
}

func annotateRotate(ctx context.Context, tok *authv1alpha1.ApiToken, value string) {
	GinkgoHelper()
	patchToken(ctx, tok, func(t *authv1alpha1.ApiToken) {
		if t.Annotations == nil {
			t.Annotations = map[string]string{}
		}
		t.Annotations[authv1alpha1.RotateAnnotation] = value
	})
}
