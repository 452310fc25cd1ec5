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

package admission

import (
	"testing"
	"time"

	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// The ApiTokenWebhook schema refuses what cannot be delivered, naming the
// field; the address rules are the controller's (they need DNS).
func TestWebhookSchema(t *testing.T) {
	_, admin, _ := startEnv(t)
	ctx := t.Context()
	signed := &authv1alpha1.SecretKeyRef{Name: "signing", Key: "secret"}
	for name, tc := range map[string]struct {
		spec authv1alpha1.ApiTokenWebhookSpec
		want string
	}{
		"CloudEvents without a signing secret": {authv1alpha1.ApiTokenWebhookSpec{URL: "https://hooks.example.com"},
			"spec.signingSecretRef: Invalid value: signingSecretRef is required for the CloudEvents format"},
		"an unknown format": {authv1alpha1.ApiTokenWebhookSpec{URL: "https://hooks.example.com", Format: "Teams", SigningSecretRef: signed},
			`spec.format: Unsupported value: "Teams"`},
		"an unknown event": {authv1alpha1.ApiTokenWebhookSpec{URL: "https://hooks.example.com", SigningSecretRef: signed, Events: []authv1alpha1.WebhookEvent{"Used"}},
			`spec.events[0]: Unsupported value: "Used"`},
		"a threshold under 1s": {authv1alpha1.ApiTokenWebhookSpec{URL: "https://hooks.example.com", SigningSecretRef: signed, ExpiringSoon: []metav1.Duration{{Duration: time.Hour}, {Duration: 100 * time.Millisecond}}},
			"spec.expiringSoon: Invalid value: each expiringSoon threshold must be at least 1s"},
		"no URL": {authv1alpha1.ApiTokenWebhookSpec{SigningSecretRef: signed}, "spec.url: Invalid value: \"\": spec.url in body should be at least 1 chars long"},
	} {
		t.Run(name, func(t *testing.T) {
			err := admin.Create(ctx, &authv1alpha1.ApiTokenWebhook{ObjectMeta: metav1.ObjectMeta{Name: "w", Namespace: "default"}, Spec: tc.spec})
			NewWithT(t).Expect(err).To(MatchError(ContainSubstring(tc.want)))
		})
	}
	g := NewWithT(t)
	g.Expect(admin.Create(ctx, &authv1alpha1.ApiTokenWebhook{ObjectMeta: metav1.ObjectMeta{Name: "slack", Namespace: "default"},
		Spec: authv1alpha1.ApiTokenWebhookSpec{URL: "https://hooks.slack.com/services/T/B/x", Format: authv1alpha1.WebhookFormatSlack}})).To(Succeed(), "Slack needs no signing secret")
}
