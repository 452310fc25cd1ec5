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

package printing

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Relative is "in 29d" for the future and "5m ago" for the past.
func Relative(t, now time.Time) string {
	// Whole seconds: a 30-day token created a moment ago expires "in 30d".
	if d := t.Sub(now).Round(time.Second); d > 0 {
		return "in " + duration.HumanDuration(d)
	}
	return duration.HumanDuration(now.Sub(t).Round(time.Second)) + " ago"
}

// Expiry is ", expires in 30d (2027-01-02T08:00:00Z)" or ", never expires".
func Expiry(tok *authv1alpha1.ApiToken, now time.Time) string {
	switch {
	case tok == nil || tok.Status.TokenStatus != authv1alpha1.TokenStatusActive:
		return ""
	case tok.Status.ExpirationDate == nil:
		return ", never expires"
	default:
		e := tok.Status.ExpirationDate.Time
		return fmt.Sprintf(", expires %s (%s)", Relative(e, now), e.UTC().Format(time.RFC3339))
	}
}

// ResourceName is the ApiToken as kubectl names it: apitoken.auth.apitoken.io/NAME.
func ResourceName(name string) string { return "apitoken.auth.apitoken.io/" + name }

// OrNone is s, or "<none>" as kubectl prints an empty cell.
func OrNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
