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

// Package metrics holds every metric the operator exports on the
// controller-runtime metrics server, registered by one Register: gauges read
// at scrape time from the read model (so a deleted ApiToken's series
// disappear with it; the per-token ones written line by line after the
// registry's families, FilterProvider), the counter of issued tokens that
// the controller increments, and the verification counter and latency that
// the verifier records.
package metrics

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// Issued counts tokens written into Secrets, by reason: issued, imported,
// rotated, reissued.
var Issued = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "apitoken_issued_total",
	Help: "Tokens issued or imported into Secrets, by reason (issued, imported, rotated, reissued).",
}, []string{"reason"})

// Verifications counts token verifications by result (valid, invalid).
var Verifications = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "apitoken_verifications_total",
	Help: "Token verifications by result (valid, invalid).",
}, []string{"result"})

// VerifyDuration is the time to verify a presented token, in memory.
var VerifyDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
	Name:    "apitoken_verification_duration_seconds",
	Help:    "Time to verify a presented token, in memory.",
	Buckets: []float64{1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3},
})

// VerifyThrottled counts verification requests refused because their end
// client made too many failed verifications, by endpoint (verify,
// forward-auth, token, revoke, import).
var VerifyThrottled = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "apitoken_verify_throttled_total",
	Help: "Verification requests refused (429) because their end client made too many failed verifications, by endpoint.",
}, []string{"endpoint"})

// Exchanges counts token endpoint requests by result: issued, or the OAuth
// error code (invalid_request, invalid_client, invalid_grant, invalid_scope,
// unsupported_grant_type), throttled, unavailable.
var Exchanges = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "apitoken_exchanges_total",
	Help: "Token endpoint requests (ApiToken exchanged for an access token) by result: issued, an OAuth error code, throttled or unavailable.",
}, []string{"result"})

// ExchangeDuration is the time to answer a token endpoint request, signing
// included.
var ExchangeDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
	Name:    "apitoken_exchange_duration_seconds",
	Help:    "Time to answer a token endpoint request, signing included.",
	Buckets: []float64{1e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 5e-3, 1e-2},
})

// VerifyFailures counts presented tokens that did not verify, by endpoint
// where no limiter counts them per end client (tokenreview): a burst of
// them is worth an alert, since throttling there would lock out everyone.
var VerifyFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "apitoken_verify_failures_total",
	Help: "Presented tokens that did not verify, by endpoint (tokenreview: kube-apiserver calls for every client, so it is counted, not throttled).",
}, []string{"endpoint"})

// WebhookDeliveries counts ApiTokenWebhook delivery attempts by result:
// delivered (2xx), retried (a timeout, a connection error, 5xx, 408, 429),
// failed (a final answer, or 24 hours of retries), refused (the receiver's
// address is not allowed; nothing was sent).
var WebhookDeliveries = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "apitoken_webhook_deliveries_total",
	Help: "ApiTokenWebhook delivery attempts by result (delivered, retried, failed, refused).",
}, []string{"result"})

func init() {
	// Every result from the start, so that an alert can tell "none
	// delivered" from "never counted".
	for _, r := range []string{"delivered", "retried", "failed", "refused"} {
		WebhookDeliveries.WithLabelValues(r)
	}
}

// WebhookPending is how many events the ApiTokenWebhooks have due and not
// yet delivered (leader only).
var WebhookPending = prometheus.NewGauge(prometheus.GaugeOpts{
	Name: "apitoken_webhook_pending",
	Help: "Events due to ApiTokenWebhooks and not yet delivered (on the leader).",
})

// counters are the metrics the operator's code updates, registered once per
// process.
var counters = []prometheus.Collector{Issued, Verifications, VerifyDuration, VerifyThrottled, VerifyFailures, Exchanges, ExchangeDuration,
	WebhookDeliveries, WebhookPending}

var (
	tokens = prometheus.NewDesc("apitoken_tokens",
		"Number of ApiTokens by status and type.", []string{"status", "type"}, nil)
	policyViolations = prometheus.NewDesc("apitoken_policy_violations",
		"Number of ApiTokens that break an ApiTokenPolicy's rule, by policy and rule (a token once per rule of each policy).", []string{"policy", "rule"}, nil)
	signingKeyAge = prometheus.NewDesc("apitoken_signing_key_age_seconds",
		"How long the issuer's current signing key has signed access tokens; absent while there is none (or the issuer is off).", nil, nil)
)

// Collector reports what it reads from the read model at scrape time: the
// totals through the registry (Collect), the per-token gauges written
// straight after them (WriteTokenSeries, tokenseries.go).
type Collector struct {
	Model *readmodel.Model
	// Leading says whether this replica leads. Only the leader reports
	// the per-token gauges and the totals, so that alerts do not fire once
	// per replica.
	Leading func() bool
	// SigningKeyAge is the age of the issuer's current signing key, reported
	// by every replica (each signs with its own view of the key Secret);
	// nil when the issuer is off.
	SigningKeyAge func() (time.Duration, bool)
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- tokens
	ch <- policyViolations
	ch <- signingKeyAge
}

// Collect implements prometheus.Collector: the totals by status and type,
// the policy violations, and the signing key's age.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	if c.SigningKeyAge != nil {
		if age, ok := c.SigningKeyAge(); ok {
			ch <- prometheus.MustNewConstMetric(signingKeyAge, prometheus.GaugeValue, age.Seconds())
		}
	}
	if c.Leading != nil && !c.Leading() {
		return
	}
	// The model's counts: no walk of every row per scrape.
	c.Model.Snapshot().Totals(func(typ authv1alpha1.TokenType, status authv1alpha1.TokenStatus, n int) {
		ch <- prometheus.MustNewConstMetric(tokens, prometheus.GaugeValue, float64(n), string(status), string(typ))
	})
	c.Model.PolicyViolations(func(policy, rule string, n int) {
		ch <- prometheus.MustNewConstMetric(policyViolations, prometheus.GaugeValue, float64(n), policy, rule)
	})
}

// Register adds every metric to controller-runtime's registry: the
// collector (replacing one registered before, as a restarted manager in the
// same process does) and the counters (once per process). The collector's
// per-token gauges are written after the registry's families by the
// metrics server's FilterProvider.
func Register(c *Collector) error {
	current.Store(c)
	crmetrics.Registry.Unregister(c)
	if err := crmetrics.Registry.Register(c); err != nil {
		return fmt.Errorf("registering the ApiToken metrics: %w", err)
	}
	for _, m := range counters {
		if err := crmetrics.Registry.Register(m); err != nil && !errors.As(err, &prometheus.AlreadyRegisteredError{}) {
			return fmt.Errorf("registering the operator's counters: %w", err)
		}
	}
	return nil
}

// LeadingFunc returns a func that reports whether the manager has been
// elected leader (at once when leader election is off).
func LeadingFunc(elected <-chan struct{}) func() bool {
	return func() bool {
		select {
		case <-elected:
			return true
		default:
			return false
		}
	}
}
