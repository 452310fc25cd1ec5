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

package httpserver

import (
	"net/http"
	"time"

	"k8s.io/apiserver/pkg/endpoints/request"

	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
)

// Throttled says whether the limiter refuses client at endpoint now, and
// for how long; a refusal is counted in the metrics.
func Throttled(l *guessing.Limiter, endpoint, client string) (time.Duration, bool) {
	wait, ok := l.Throttled(client)
	if ok {
		metrics.VerifyThrottled.WithLabelValues(endpoint).Inc()
	}
	return wait, ok
}

// CallerClient is the limiter's key for the authenticated caller itself.
func CallerClient(r *http.Request) string {
	u, _ := request.UserFrom(r.Context())
	return "user:" + u.GetName()
}
