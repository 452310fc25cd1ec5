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

package notification

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// ContentTypeCloudEvents is the structured mode's media type.
const ContentTypeCloudEvents = "application/cloudevents+json"

// TypePrefix begins every CloudEvents type this operator sends.
const TypePrefix = "io.apitoken.token."

// EventType is the CloudEvents type of e: io.apitoken.token.expiring-soon,
// .expired, .rotated, .revoked, .unused, .policy-violation.
func EventType(e authv1alpha1.WebhookEvent) string {
	var b strings.Builder
	for i, c := range string(e) {
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('-')
			}
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return TypePrefix + b.String()
}

// Data is an event's data: what a token's owner needs to act, never its
// value or its hash.
type Data struct {
	Namespace      string     `json:"namespace"`
	Name           string     `json:"name"`
	UID            string     `json:"uid"`
	Principal      string     `json:"principal"`
	TokenType      string     `json:"tokenType"`
	TokenLastChars string     `json:"tokenLastChars,omitempty"`
	Revision       int64      `json:"revision"`
	ExpirationDate *time.Time `json:"expirationDate,omitempty"`
	LastUsedDate   *time.Time `json:"lastUsedDate,omitempty"`
	Reason         string     `json:"reason"`
	Message        string     `json:"message"`
	Threshold      string     `json:"threshold,omitempty"`
	ConsoleURL     string     `json:"consoleUrl,omitempty"`
}

// Event is one fact about one token, ready to be written.
type Event struct {
	Token *authv1alpha1.ApiToken
	Fact  Fact
	// ConsoleURL is the console's public base URL; empty: no link.
	ConsoleURL string
}

// ID is the event's id: the same for every attempt, every replica and
// every restart (a digest of the token's UID, revision, the fact and, for
// an expiry fact, the expirationDate), so receivers can de-duplicate.
func (e Event) ID() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%d\x00%s", e.Token.UID, e.Token.Status.Revision, e.Fact.Key())
	if e.Fact.expiryBound() && e.Token.Status.ExpirationDate != nil {
		fmt.Fprintf(h, "\x00%d", e.Token.Status.ExpirationDate.Unix())
	}
	return "evt_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Source is the token's path on the API server.
func (e Event) Source() string {
	return "/apis/" + authv1alpha1.GroupVersion.String() + "/namespaces/" + e.Token.Namespace + "/apitokens/" + e.Token.Name
}

// Subject is <namespace>/<name>.
func (e Event) Subject() string { return e.Token.Namespace + "/" + e.Token.Name }

// Data is the event's data.
func (e Event) Data() Data {
	t, st := e.Token, &e.Token.Status
	d := Data{Namespace: t.Namespace, Name: t.Name, UID: string(t.UID), Principal: t.Spec.Principal,
		TokenType: string(t.Spec.Type), TokenLastChars: st.TokenLastChars, Revision: st.Revision,
		Reason: e.Fact.Reason, Message: e.Fact.Message}
	if st.ExpirationDate != nil {
		d.ExpirationDate = ptr(st.ExpirationDate.UTC())
	}
	if st.LastUsedDate != nil {
		d.LastUsedDate = ptr(st.LastUsedDate.UTC())
	}
	if e.Fact.Event == authv1alpha1.WebhookEventExpiringSoon {
		d.Threshold = FormatThreshold(e.Fact.Threshold)
	}
	if e.ConsoleURL != "" {
		d.ConsoleURL = strings.TrimSuffix(e.ConsoleURL, "/") + "/tokens/" + t.Namespace + "/" + t.Name
	}
	return d
}

// CloudEvent is the event as a CloudEvents 1.0 structured-mode body.
func (e Event) CloudEvent() ([]byte, error) {
	ce := cloudevents.New(cloudevents.CloudEventsVersionV1)
	ce.SetID(e.ID())
	ce.SetSource(e.Source())
	ce.SetType(EventType(e.Fact.Event))
	ce.SetSubject(e.Subject())
	ce.SetTime(e.Fact.Time.UTC())
	if err := ce.SetData("application/json", e.Data()); err != nil {
		return nil, fmt.Errorf("writing the event's data: %w", err)
	}
	if err := ce.Validate(); err != nil {
		return nil, fmt.Errorf("the event is not a valid CloudEvent: %w", err)
	}
	return json.Marshal(ce)
}

// Slack is the event as a Slack incoming webhook's message.
func (e Event) Slack() ([]byte, error) {
	t, f := e.Token, e.Fact
	var b strings.Builder
	fmt.Fprintf(&b, "%s ApiToken *%s/%s* (principal %s): %s.", slackIcon(f.Event), t.Namespace, t.Name, t.Spec.Principal, f.Message)
	fmt.Fprintf(&b, "\nWhen: %s.", f.Time.UTC().Format(time.RFC3339))
	fmt.Fprintf(&b, "\nWhat to do: %s", slackAdvice(f.Event, t))
	if e.ConsoleURL != "" {
		fmt.Fprintf(&b, "\n<%s|Open it in the console>", e.Data().ConsoleURL)
	}
	return json.Marshal(map[string]string{"text": b.String()})
}

func slackIcon(e authv1alpha1.WebhookEvent) string {
	switch e {
	case authv1alpha1.WebhookEventExpiringSoon, authv1alpha1.WebhookEventUnused, authv1alpha1.WebhookEventPolicyViolation:
		return ":warning:"
	case authv1alpha1.WebhookEventRotated:
		return ":arrows_counterclockwise:"
	}
	return ":no_entry:"
}

func slackAdvice(e authv1alpha1.WebhookEvent, t *authv1alpha1.ApiToken) string {
	rotate := "`kubectl apitoken regenerate " + t.Name + " -n " + t.Namespace + "`"
	switch e {
	case authv1alpha1.WebhookEventExpiringSoon:
		return "renew it before it expires: " + rotate + ", or set spec.rotation.renewBefore."
	case authv1alpha1.WebhookEventExpired:
		return "clients using it now get 401; issue a new value: " + rotate + "."
	case authv1alpha1.WebhookEventRotated:
		return "clients reading Secret " + t.SecretName() + " pick up the new value; others need it before the previous one's grace period ends."
	case authv1alpha1.WebhookEventRevoked:
		return "clients using it now get 401; if that was not intended, create a new token."
	case authv1alpha1.WebhookEventUnused:
		return "delete it if nobody needs it, or use it to keep it."
	}
	return "bring the token in line with the policy (see `kubectl apitoken status " + t.Name + " -n " + t.Namespace + "`)."
}

func ptr[T any](v T) *T { return &v }
