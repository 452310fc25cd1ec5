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

package webhooks

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus/testutil"
	eventsv1 "k8s.io/api/events/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/notification"
)

var _ = Describe("ApiTokenWebhook", func() {
	ctx := context.Background()

	It("sends every event type, signed, once each, in order per token", func() {
		ns := newNamespace("every-event")
		signingSecretIn(ns)
		path := "/" + ns
		newWebhook(ns, "team-alerts", receiver.URL(path), func(s *authv1alpha1.ApiTokenWebhookSpec) {
			s.ExpiringSoon = []metav1.Duration{{Duration: 2 * time.Second}, {Duration: 4 * time.Second}}
		})
		// Policies select by a label of this spec's tokens only.
		for _, p := range []*authv1alpha1.ApiTokenPolicy{
			{ObjectMeta: metav1.ObjectMeta{Name: ns + "-unused"}, Spec: authv1alpha1.ApiTokenPolicySpec{
				TokenSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"spec": ns + "-unused"}},
				Inactivity:    &authv1alpha1.InactivityRules{WarnAfter: &metav1.Duration{Duration: 2 * time.Second}},
				Enforcement:   authv1alpha1.EnforcementWarn}},
			{ObjectMeta: metav1.ObjectMeta{Name: ns + "-maxttl"}, Spec: authv1alpha1.ApiTokenPolicySpec{
				TokenSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"spec": ns + "-long"}},
				MaxTTL:        &metav1.Duration{Duration: time.Hour},
				Enforcement:   authv1alpha1.EnforcementWarn}},
		} {
			Expect(k8sClient.Create(ctx, p)).To(Succeed())
			DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(ctx, p))).To(Succeed()) })
		}

		short := newToken(ns, "short", 6*time.Second, nil)
		rotated := newToken(ns, "rotated", 0, nil)
		revoked := newToken(ns, "revoked", 0, nil)
		newToken(ns, "idle", 0, map[string]string{"spec": ns + "-unused"})
		newToken(ns, "long", 2*time.Hour, map[string]string{"spec": ns + "-long"})
		patchToken(rotated, func(t *authv1alpha1.ApiToken) { t.Annotations = map[string]string{authv1alpha1.RotateAnnotation: "1"} })
		patchToken(revoked, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })

		want := []string{
			ns + "/short expiring-soon", ns + "/short expiring-soon", ns + "/short expired",
			ns + "/rotated rotated", ns + "/revoked revoked", ns + "/idle unused", ns + "/long policy-violation",
		}
		Eventually(func() []string { return receiver.Types(path) }, 20*time.Second, 100*time.Millisecond).Should(ConsistOf(want))
		Consistently(func() []string { return receiver.Types(path) }, 3*time.Second, 200*time.Millisecond).Should(HaveLen(len(want)), "an event came twice")

		got := receiver.Got(path)
		var short3 []string
		for _, d := range got {
			Expect(d.Problem).To(BeEmpty(), "the Standard Webhooks library or the CloudEvents SDK refused a delivery")
			Expect(d.Header.Get("Content-Type")).To(Equal("application/cloudevents+json"))
			Expect(d.Header.Get("webhook-id")).To(Equal(d.Event.ID()))
			Expect(d.Event.Source()).To(Equal("/apis/auth.apitoken.io/v1alpha1/namespaces/" + ns + "/apitokens/" + strings.TrimPrefix(d.Event.Subject(), ns+"/")))
			var data notification.Data
			Expect(d.Event.DataAs(&data)).To(Succeed())
			Expect(data.Namespace).To(Equal(ns))
			Expect(data.UID).NotTo(BeEmpty())
			Expect(data.Principal).To(Equal("ci-" + data.Name))
			Expect(data.TokenType).To(Equal("Workflow"))
			Expect(data.ConsoleURL).To(Equal(consoleURL + "tokens/" + ns + "/" + data.Name))
			if data.Name == "short" {
				short3 = append(short3, strings.TrimPrefix(d.Event.Type(), notification.TypePrefix)+" "+data.Threshold)
				Expect(data.ExpirationDate).NotTo(BeNil())
				Expect(d.Event.Time()).To(BeTemporally("<=", d.At), "an event is sent before it happened")
			}
			if data.Name == "long" {
				Expect(data.Reason).To(Equal("MaxTTLExceeded"))
				Expect(data.Message).To(ContainSubstring("maxTTL 1h"))
			}
		}
		Expect(short3).To(Equal([]string{"expiring-soon 4s", "expiring-soon 2s", "expired "}), "a token's events in the order they happened")

		By("recording each in the token's status.notifications and the webhook's status")
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(short), short)).To(Succeed())
		Expect(short.Status.NotificationRecords()).To(HaveLen(1))
		Expect(short.Status.NotificationRecords()[0].Settled).To(ConsistOf("ExpiringSoon/4s", "ExpiringSoon/2s", "Expired"))
		Eventually(webhookStatus(ns, "team-alerts")).Should(And(
			HaveField("Pending", BeZero()), HaveField("Failures", BeZero()),
			HaveField("LastDelivery.ResponseCode", BeEquivalentTo(200)),
			WithTransform(readyOf, HaveField("Status", metav1.ConditionTrue))))
		expectNoSecretIn(path, ns)
	})

	It("sends nothing twice across a manager restart", func() {
		ns := newNamespace("restart")
		signingSecretIn(ns)
		path := "/" + ns
		newWebhook(ns, "team-alerts", receiver.URL(path), func(s *authv1alpha1.ApiTokenWebhookSpec) {
			s.ExpiringSoon = []metav1.Duration{{Duration: 6 * time.Second}}
		})
		newToken(ns, "ci", 9*time.Second, nil)
		Eventually(func() []string { return receiver.Types(path) }, 10*time.Second, 100*time.Millisecond).Should(Equal([]string{ns + "/ci expiring-soon"}))

		By("restarting the manager before the second event")
		stopManager()
		startManager()
		Eventually(func() []string { return receiver.Types(path) }, 15*time.Second, 100*time.Millisecond).Should(Equal([]string{ns + "/ci expiring-soon", ns + "/ci expired"}))
		Consistently(func() int { return len(receiver.Got(path)) }, 3*time.Second, 200*time.Millisecond).Should(Equal(2))
		expectNoSecretIn(path, ns)
	})

	It("retries 503 with backoff and delivers once; 400 is final", func() {
		ns := newNamespace("retries")
		signingSecretIn(ns)
		flaky, final := "/"+ns+"/flaky", "/"+ns+"/final"
		receiver.Script(flaky, 503, 503, 503)
		receiver.Script(final, 400)
		newWebhook(ns, "flaky", receiver.URL(flaky), nil)
		newWebhook(ns, "final", receiver.URL(final), nil)
		retriedBefore := testutil.ToFloat64(metrics.WebhookDeliveries.WithLabelValues("retried"))
		tok := newToken(ns, "ci", 0, nil)
		patchToken(tok, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })

		Eventually(func() int { return len(receiver.Got(flaky)) }, 20*time.Second, 100*time.Millisecond).Should(Equal(4))
		got := receiver.Got(flaky)
		Expect([]int{got[0].Code, got[1].Code, got[2].Code, got[3].Code}).To(Equal([]int{503, 503, 503, 200}))
		for i := 1; i < 4; i++ {
			Expect(got[i].Header.Get("webhook-id")).To(Equal(got[0].Header.Get("webhook-id")), "the id changed between attempts")
			Expect(got[i].Problem).To(BeEmpty())
		}
		// 1 s, 2 s, 4 s, each within 20% jitter.
		Expect(got[1].At.Sub(got[0].At)).To(BeNumerically(">=", 800*time.Millisecond))
		Expect(got[3].At.Sub(got[2].At)).To(BeNumerically(">=", 3200*time.Millisecond))
		Expect(testutil.ToFloat64(metrics.WebhookDeliveries.WithLabelValues("retried")) - retriedBefore).To(BeNumerically(">=", 3))

		By("giving up at once on 400, with an Event and a failure counted")
		Eventually(webhookStatus(ns, "final")).Should(And(HaveField("Failures", BeEquivalentTo(1)), HaveField("Pending", BeZero())))
		Consistently(func() int { return len(receiver.Got(final)) }, 3*time.Second, 200*time.Millisecond).Should(Equal(1))
		Eventually(func(g Gomega) {
			var evs eventsv1.EventList
			g.Expect(k8sClient.List(ctx, &evs, client.InNamespace(ns))).To(Succeed())
			var notes []string
			for _, e := range evs.Items {
				if e.Regarding.Kind == "ApiTokenWebhook" && e.Regarding.Name == "final" && e.Reason == "DeliveryFailed" {
					notes = append(notes, e.Note)
				}
			}
			g.Expect(notes).To(ConsistOf(ContainSubstring("io.apitoken.token.revoked for ApiToken " + ns + "/ci given up: the receiver answered 400")))
		}).Should(Succeed())
		Consistently(func() int { return len(receiver.Got(flaky)) }, time.Second, 200*time.Millisecond).Should(Equal(4))
		expectNoSecretIn(flaky, ns)
	})

	It("refuses the metadata address, loopback without the allowance and http, and sends nothing", func() {
		ns := newNamespace("refused")
		signingSecretIn(ns)
		// A listener on 127.0.0.2 (loopback; only 127.0.0.1 is allowed in this suite).
		lis, err := net.Listen("tcp", "127.0.0.2:0")
		Expect(err).NotTo(HaveOccurred())
		var conns atomic.Int32
		go func() {
			for {
				c, err := lis.Accept()
				if err != nil {
					return
				}
				conns.Add(1)
				_ = c.Close()
			}
		}()
		DeferCleanup(lis.Close)
		cases := map[string]string{
			"metadata": "https://169.254.169.254/latest/meta-data/",
			"loopback": "https://" + lis.Addr().String() + "/hook",
			"plain":    strings.Replace(receiver.URL("/"+ns), "https://", "http://", 1),
		}
		for name, url := range cases {
			newWebhook(ns, name, url, nil)
		}
		tok := newToken(ns, "ci", 0, nil)
		patchToken(tok, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })
		for name, msg := range map[string]string{
			"metadata": "spec.url: address 169.254.169.254 is the cloud metadata address: refused unless inside --webhook-allowed-cidrs; nothing is sent",
			"loopback": "spec.url: address 127.0.0.2 is loopback: refused unless inside --webhook-allowed-cidrs; nothing is sent",
			"plain":    `spec.url: only https is allowed, not "http"; nothing is sent`,
		} {
			Eventually(webhookStatus(ns, name)).Should(And(HaveField("Pending", BeEquivalentTo(1)),
				WithTransform(readyOf, And(HaveField("Status", metav1.ConditionFalse), HaveField("Reason", "URLRefused"), HaveField("Message", msg)))), name)
		}
		Consistently(conns.Load, 2*time.Second, 200*time.Millisecond).Should(BeZero())
		Expect(receiver.Got("/" + ns)).To(BeEmpty())
	})

	It("says what is missing: the signing Secret", func() {
		ns := newNamespace("no-secret")
		newWebhook(ns, "team-alerts", receiver.URL("/"+ns), nil)
		Eventually(webhookStatus(ns, "team-alerts")).Should(WithTransform(readyOf, And(HaveField("Status", metav1.ConditionFalse),
			HaveField("Reason", "SigningSecretMissing"), HaveField("Message", `spec.signingSecretRef: Secret "signing" not found; nothing is sent`))))
	})

	It("speaks Slack: one unsigned text message per event, for the selected tokens only", func() {
		ns := newNamespace("slack")
		path := "/" + ns
		newWebhook(ns, "slack", receiver.URL(path), func(s *authv1alpha1.ApiTokenWebhookSpec) {
			s.Format, s.SigningSecretRef = authv1alpha1.WebhookFormatSlack, nil
			s.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"tier": "ci"}}
			s.Events = []authv1alpha1.WebhookEvent{authv1alpha1.WebhookEventRevoked}
		})
		ci := newToken(ns, "ci", 0, map[string]string{"tier": "ci"})
		other := newToken(ns, "other", 0, nil)
		patchToken(ci, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })
		patchToken(other, func(t *authv1alpha1.ApiToken) { t.Spec.Revoked = true })
		Eventually(func() int { return len(receiver.Got(path)) }, 10*time.Second, 100*time.Millisecond).Should(Equal(1))
		Consistently(func() int { return len(receiver.Got(path)) }, 2*time.Second, 200*time.Millisecond).Should(Equal(1), "a token the selector leaves out was told")
		d := receiver.Got(path)[0]
		Expect(d.Header.Get("Content-Type")).To(Equal("application/json"))
		Expect(d.Header.Get("webhook-signature")).To(BeEmpty())
		var msg map[string]string
		Expect(json.Unmarshal(d.Body, &msg)).To(Succeed())
		Expect(msg).To(HaveKey("text"))
		Expect(msg["text"]).To(And(ContainSubstring(ns+"/ci"), ContainSubstring("ci-ci"), ContainSubstring("revoked"), ContainSubstring(consoleURL+"tokens/"+ns+"/ci")))
		expectNoSecretIn(path, ns)
	})
})
