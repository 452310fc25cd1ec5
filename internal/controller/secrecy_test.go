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
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

var _ = Describe("Secrecy", func() {
	It("never puts a token value in the manager's logs, in events or in status", func(ctx context.Context) {
		ns := newNamespace(ctx)
		values := map[string]bool{}
		collect := func() {
			var list corev1.SecretList
			Expect(k8sClient.List(ctx, &list, client.InNamespace(ns))).To(Succeed())
			for _, s := range list.Items {
				for _, v := range s.Data {
					if len(v) >= 8 {
						values[string(v)] = true
					}
				}
			}
		}

		By("issuing, rotating, importing, failing an import, editing and revoking")
		gen := testutil.MakeApiToken(ns, "gen").TTL(time.Hour).Rotation(0, time.Hour).Obj()
		Expect(k8sClient.Create(ctx, gen)).To(Succeed())
		waitForRevision(ctx, ns, "gen", 1)
		collect()
		annotateRotate(ctx, gen, "1")
		waitForRevision(ctx, ns, "gen", 2)

		Expect(k8sClient.Create(ctx, testutil.MakeSecret(ns, "src").Data("token", uniqueValue(validImport, ns)).Data("bad", "UPPER-case-value-not-allowed").Obj())).To(Succeed())
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "imp").Import("src", "", "").Obj())).To(Succeed())
		Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "bad").Import("src", "bad", "").Obj())).To(Succeed())
		waitForRevision(ctx, ns, "imp", 1)
		waitForStatus(ctx, ns, "bad", authv1alpha1.TokenStatusFailed, authv1alpha1.ReasonInvalidImport)
		collect()

		s := getSecret(ctx, ns, "gen")
		s.Data["token"] = []byte("hand-edited-value-0123456789")
		Expect(k8sClient.Update(ctx, s)).To(Succeed())
		waitForRevision(ctx, ns, "gen", 3)
		collect()
		values["hand-edited-value-0123456789"] = true

		patchToken(ctx, gen, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })
		waitForStatus(ctx, ns, "gen", authv1alpha1.TokenStatusRevoked, authv1alpha1.ReasonRevoked)
		Expect(values).To(HaveLen(6), "values seen: 3 issued, 1 imported, 1 invalid import, 1 edit")

		By("scanning logs, events and status for every value, raw and base64")
		var tokens authv1alpha1.ApiTokenList
		Expect(k8sClient.List(ctx, &tokens, client.InNamespace(ns))).To(Succeed())
		statuses, err := json.Marshal(tokens.Items)
		Expect(err).NotTo(HaveOccurred())
		var events eventsv1.EventList
		Expect(k8sClient.List(ctx, &events, client.InNamespace(ns))).To(Succeed())
		Expect(events.Items).NotTo(BeEmpty())
		eventText, err := json.Marshal(events.Items)
		Expect(err).NotTo(HaveOccurred())

		places := map[string]string{"manager logs": managerLogs.String(), "events": string(eventText), "ApiTokens": string(statuses)}
		Expect(places["manager logs"]).To(ContainSubstring(ns), "the log capture works")
		seen := make([]string, 0, len(values))
		for v := range values {
			seen = append(seen, v)
		}
		if leak, found := testutil.FindLeak(places, seen); found {
			Fail(fmt.Sprintf("a token value appears in %s: %s", leak.Where, leak.Context))
		}
	})
})
