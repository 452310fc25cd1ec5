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

// Package notification decides what an ApiTokenWebhook tells about the
// ApiTokens of its namespace: which facts (ExpiringSoon at a threshold,
// Expired, Rotated, Revoked, Unused, PolicyViolation) have happened and
// are not yet settled in the token's status, what the events say
// (CloudEvents or Slack), and how a settled fact is recorded. Pure: the
// clock is the caller's, and it speaks no HTTP.
package notification

import (
	"fmt"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// DefaultThresholds are spec.expiringSoon's default: 30 days, 7 days, 1 day.
var DefaultThresholds = []time.Duration{720 * time.Hour, 168 * time.Hour, 24 * time.Hour}

// Rules is one ApiTokenWebhook's spec, parsed once.
type Rules struct {
	// Name is the webhook's: the key of its records in token status.
	Name string
	// Since is the webhook's creation: it speaks of what happens after.
	Since time.Time

	events     []authv1alpha1.WebhookEvent
	thresholds []time.Duration // longest first
	selector   labels.Selector
}

// NewRules parses wh's spec; an error names the field.
func NewRules(wh *authv1alpha1.ApiTokenWebhook) (Rules, error) {
	r := Rules{Name: wh.Name, Since: wh.CreationTimestamp.Time, events: wh.Spec.Events}
	if len(r.events) == 0 {
		r.events = authv1alpha1.WebhookEvents
	}
	r.thresholds = DefaultThresholds
	if len(wh.Spec.ExpiringSoon) > 0 {
		r.thresholds = make([]time.Duration, 0, len(wh.Spec.ExpiringSoon))
		for _, d := range wh.Spec.ExpiringSoon {
			if !slices.Contains(r.thresholds, d.Duration) {
				r.thresholds = append(r.thresholds, d.Duration)
			}
		}
		slices.SortFunc(r.thresholds, func(a, b time.Duration) int { return int(b - a) })
	}
	r.selector = labels.Everything()
	if wh.Spec.Selector != nil {
		sel, err := metav1.LabelSelectorAsSelector(wh.Spec.Selector)
		if err != nil {
			return Rules{}, fmt.Errorf("spec.selector: %w", err)
		}
		r.selector = sel
	}
	return r, nil
}

// Selects says whether the webhook speaks for tok (of its namespace).
func (r Rules) Selects(tok *authv1alpha1.ApiToken) bool {
	return r.selector.Matches(labels.Set(tok.Labels))
}

// Sends says whether the webhook sends events of type e.
func (r Rules) Sends(e authv1alpha1.WebhookEvent) bool {
	return slices.Contains(r.events, e)
}
