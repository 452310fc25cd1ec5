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

// Package printing is how the plugin's commands put an ApiToken in words:
// its state as the table and status name it, relative dates, the Ready
// condition's message. It reads tokens and never the cluster.
package printing

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// StatusExpiringSoon is the table's state of an Active token that expires
// within --expiring-within.
const StatusExpiringSoon = "ExpiringSoon"

// DefaultExpiringWithin is --expiring-within's default.
const DefaultExpiringWithin = 14 * 24 * time.Hour

// State is the STATUS column: the lifecycle state, ExpiringSoon for an
// Active token inside the window, Pending before the first reconcile.
func State(tok *authv1alpha1.ApiToken, now time.Time, window time.Duration) string {
	s := tok.Status.TokenStatus
	switch {
	case s == "":
		return string(authv1alpha1.TokenStatusPending)
	case s == authv1alpha1.TokenStatusActive && ExpiresWithin(tok, now, window):
		return StatusExpiringSoon
	default:
		return string(s)
	}
}

// ExpiresWithin says the token has an expiry and it is within window of now.
func ExpiresWithin(tok *authv1alpha1.ApiToken, now time.Time, window time.Duration) bool {
	e := tok.Status.ExpirationDate
	return e != nil && e.Sub(now) <= window
}

// UnusedFor says the token was not used in the last d: used before then,
// or never used and older than d.
func UnusedFor(tok *authv1alpha1.ApiToken, now time.Time, d time.Duration) bool {
	if u := tok.Status.LastUsedDate; u != nil {
		return now.Sub(u.Time) >= d
	}
	return now.Sub(tok.CreationTimestamp.Time) >= d
}

// ReadyMessage is the Ready condition's message, or a word when there is none.
func ReadyMessage(tok *authv1alpha1.ApiToken) string {
	if c := meta.FindStatusCondition(tok.Status.Conditions, authv1alpha1.ConditionReady); c != nil && c.Message != "" {
		return c.Message
	}
	return "the controller has not reported on it yet: is the operator running?"
}

// Compliance is the POLICY column: <none> when no ApiTokenPolicy governs
// the token, Compliant, or the first rule it breaks (and how many more).
func Compliance(tok *authv1alpha1.ApiToken) string {
	c := meta.FindStatusCondition(tok.Status.Conditions, authv1alpha1.ConditionPolicyCompliant)
	switch {
	case c == nil:
		return "<none>"
	case len(tok.Status.PolicyViolations()) > 1:
		return fmt.Sprintf("%s(+%d)", c.Reason, len(tok.Status.PolicyViolations())-1)
	}
	return c.Reason
}
