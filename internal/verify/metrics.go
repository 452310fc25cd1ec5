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

package verify

import (
	"github.com/prometheus/client_golang/prometheus"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

var (
	verifications = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "apitoken_verifications_total",
		Help: "Token verifications by result (valid, invalid).",
	}, []string{"result"})
	verifyDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "apitoken_verification_duration_seconds",
		Help:    "Time to verify a presented token, in memory.",
		Buckets: []float64{1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3},
	})
)

func init() {
	crmetrics.Registry.MustRegister(verifications, verifyDuration)
}
