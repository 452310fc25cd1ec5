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

package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// WebhookFormat is how a webhook's events are written.
// +kubebuilder:validation:Enum=CloudEvents;Slack
type WebhookFormat string

const (
	// WebhookFormatCloudEvents is CloudEvents 1.0 in structured mode,
	// signed per Standard Webhooks.
	WebhookFormatCloudEvents WebhookFormat = "CloudEvents"
	// WebhookFormatSlack is {"text": ...} for a Slack incoming webhook,
	// unsigned (the URL is the secret).
	WebhookFormatSlack WebhookFormat = "Slack"
)

// WebhookEvent is what happened to a token.
// +kubebuilder:validation:Enum=ExpiringSoon;Expired;Rotated;Revoked;Unused;PolicyViolation
type WebhookEvent string

const (
	// WebhookEventExpiringSoon is sent when the token expires within one of the
	// webhook's expiringSoon thresholds.
	WebhookEventExpiringSoon WebhookEvent = "ExpiringSoon"
	// WebhookEventExpired is sent when the token's expirationDate has passed.
	WebhookEventExpired WebhookEvent = "Expired"
	// WebhookEventRotated is sent when a new value replaced the previous one (a new
	// revision).
	WebhookEventRotated WebhookEvent = "Rotated"
	// WebhookEventRevoked is sent when spec.revoked is true.
	WebhookEventRevoked WebhookEvent = "Revoked"
	// WebhookEventUnused is sent when an ApiTokenPolicy found the token unused
	// (violation rule Unused or Inactive).
	WebhookEventUnused WebhookEvent = "Unused"
	// WebhookEventPolicyViolation is sent when the token breaks another rule of an
	// ApiTokenPolicy.
	WebhookEventPolicyViolation WebhookEvent = "PolicyViolation"
)

// WebhookEvents are every event, in the order a token lives them.
var WebhookEvents = []WebhookEvent{WebhookEventExpiringSoon, WebhookEventExpired, WebhookEventRotated,
	WebhookEventRevoked, WebhookEventUnused, WebhookEventPolicyViolation}

// ApiTokenWebhookSpec says where to tell what about which ApiTokens of the
// webhook's namespace.
// +kubebuilder:validation:XValidation:rule="(has(self.format) && self.format == 'Slack') || has(self.signingSecretRef)",message="signingSecretRef is required for the CloudEvents format",fieldPath=".signingSecretRef"
type ApiTokenWebhookSpec struct {
	// URL receives a POST per event. https only; its address is checked
	// when the operator connects (see --webhook-allowed-cidrs).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	URL string `json:"url"`

	// Format is CloudEvents (default) or Slack.
	// +optional
	// +kubebuilder:default=CloudEvents
	Format WebhookFormat `json:"format,omitempty"`

	// SigningSecretRef names the Standard Webhooks secret
	// ("whsec_<base64>") events are signed with; required for CloudEvents.
	// +optional
	SigningSecretRef *SecretKeyRef `json:"signingSecretRef,omitempty"`

	// CABundle, when set, is the PEM bundle of the CAs the receiver's
	// certificate must chain to, instead of the system's.
	// +optional
	// +kubebuilder:validation:MaxLength=65536
	CABundle []byte `json:"caBundle,omitempty"`

	// Events are the events sent; absent or empty: all of them.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=6
	Events []WebhookEvent `json:"events,omitempty"`

	// ExpiringSoon are the thresholds before expirationDate at which
	// ExpiringSoon is sent (default 720h, 168h, 24h).
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=8
	// +kubebuilder:validation:items:Type=string
	// +kubebuilder:validation:items:MaxLength=64
	// +kubebuilder:validation:items:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="self.all(d, duration(d) >= duration('1s'))",message="each expiringSoon threshold must be at least 1s"
	ExpiringSoon []metav1.Duration `json:"expiringSoon,omitempty"`

	// Selector selects the ApiTokens of the namespace the webhook speaks
	// for, by their labels; absent or empty: all of them.
	// +optional
	// +kubebuilder:validation:XValidation:rule="!has(self.matchExpressions) || self.matchExpressions.all(e, e.operator in ['In', 'NotIn', 'Exists', 'DoesNotExist'] && ((e.operator in ['In', 'NotIn']) == (has(e.values) && size(e.values) > 0)))",message="selector.matchExpressions: each operator must be In or NotIn with values, or Exists or DoesNotExist without"
	Selector *metav1.LabelSelector `json:"selector,omitempty"`
}

// WebhookDelivery is one delivery attempt's outcome.
type WebhookDelivery struct {
	// Time of the attempt.
	Time metav1.Time `json:"time"`
	// Event is the CloudEvents type sent.
	// +kubebuilder:validation:MaxLength=128
	Event string `json:"event"`
	// Subject is the ApiToken, <namespace>/<name>.
	// +optional
	// +kubebuilder:validation:MaxLength=512
	Subject string `json:"subject,omitempty"`
	// ResponseCode is the receiver's HTTP status; 0 when none came.
	// +optional
	ResponseCode int32 `json:"responseCode"`
}

// ApiTokenWebhookStatus is what the operator observed delivering.
type ApiTokenWebhookStatus struct {
	// LastDelivery is the last attempt, whatever its outcome.
	// +optional
	LastDelivery *WebhookDelivery `json:"lastDelivery,omitempty"`

	// Pending is how many events are due and not yet delivered.
	// +optional
	Pending int32 `json:"pending"`

	// Failures counts the events given up on: a final answer (4xx other
	// than 408 and 429, a redirect) or 24 hours of retries.
	// +optional
	Failures int64 `json:"failures"`

	// ObservedGeneration is the generation Ready speaks of.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, False with the reason when the URL is refused,
	// the signing Secret is missing or the receiver does not answer.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ApiTokenWebhook tells the owners of the ApiTokens of its namespace when
// one is about to expire, expired, was rotated or revoked, is unused or
// breaks a policy: signed CloudEvents, or Slack messages.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=atw,categories=apitokens
// +kubebuilder:printcolumn:name="Format",type=string,JSONPath=`.spec.format`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Pending",type=integer,JSONPath=`.status.pending`
// +kubebuilder:printcolumn:name="Failures",type=integer,JSONPath=`.status.failures`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ApiTokenWebhook struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ApiTokenWebhookSpec   `json:"spec"`
	Status ApiTokenWebhookStatus `json:"status,omitempty"`
}

// ApiTokenWebhookList is a list of ApiTokenWebhooks.
// +kubebuilder:object:root=true
type ApiTokenWebhookList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ApiTokenWebhook `json:"items"`
}

// NotificationStatus is what the ApiTokenWebhooks of a token's namespace
// have settled about it: delivered, or given up on.
type NotificationStatus struct {
	// Webhooks holds one record per webhook.
	// +optional
	// +listType=map
	// +listMapKey=name
	// +kubebuilder:validation:MaxItems=64
	Webhooks []WebhookRecord `json:"webhooks,omitempty"`
}

// WebhookRecord is what one webhook has settled about a token's current
// revision: each fact at most once.
type WebhookRecord struct {
	// Name of the ApiTokenWebhook.
	// +kubebuilder:validation:MaxLength=253
	Name string `json:"name"`
	// Revision the events are of; a new revision starts afresh.
	Revision int64 `json:"revision"`
	// ExpirationDate the ExpiringSoon and Expired events were for; when
	// it moves, they are due again for the new date.
	// +optional
	ExpirationDate *metav1.Time `json:"expirationDate,omitempty"`
	// Settled are the events delivered or given up on, as
	// <event>[/<detail>]: ExpiringSoon/720h, Expired, Rotated, Revoked,
	// Unused/<policy>, PolicyViolation/<policy>/<rule>.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=512
	Settled []string `json:"settled,omitempty"`
}

// NotificationRecords are status.notifications.webhooks; nil when none.
func (s *ApiTokenStatus) NotificationRecords() []WebhookRecord {
	if s.Notifications == nil {
		return nil
	}
	return s.Notifications.Webhooks
}
