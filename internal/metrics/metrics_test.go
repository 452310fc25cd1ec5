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

package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

func TestCollector(t *testing.T) {
	expires := metav1.NewTime(time.Unix(1_800_000_000, 0))
	used := metav1.NewTime(time.Unix(1_700_000_000, 0))
	model := readmodel.NewModel()
	model.Upsert(readmodel.RowFor(&authv1alpha1.ApiToken{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "ci"},
		Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "ci-bot"},
		Status:     authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, ExpirationDate: &expires, LastUsedDate: &used},
	}))
	model.Upsert(readmodel.RowFor(&authv1alpha1.ApiToken{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "new"},
		Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "alice"},
	}))
	leading := true
	c := &metrics.Collector{Model: model, Leading: func() bool { return leading }}

	want := `
# HELP apitoken_expiration_timestamp_seconds When the token expires (Unix seconds); absent for tokens without ttl.
# TYPE apitoken_expiration_timestamp_seconds gauge
apitoken_expiration_timestamp_seconds{name="ci",namespace="team-a",principal="ci-bot",type="ApiClient"} 1.8e+09
# HELP apitoken_last_used_timestamp_seconds When the token was last verified (Unix seconds); absent if never.
# TYPE apitoken_last_used_timestamp_seconds gauge
apitoken_last_used_timestamp_seconds{name="ci",namespace="team-a",principal="ci-bot",type="ApiClient"} 1.7e+09
# HELP apitoken_tokens Number of ApiTokens by status and type.
# TYPE apitoken_tokens gauge
apitoken_tokens{status="Active",type="ApiClient"} 1
apitoken_tokens{status="Pending",type="User"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want),
		"apitoken_expiration_timestamp_seconds", "apitoken_last_used_timestamp_seconds", "apitoken_renewal_timestamp_seconds", "apitoken_tokens"); err != nil {
		t.Fatal(err)
	}
	// One series per status, 1 for the current one: 2 tokens × 5 statuses.
	if n := testutil.CollectAndCount(c, "apitoken_status"); n != 2*len(authv1alpha1.TokenStatuses) {
		t.Fatalf("%d apitoken_status series, want %d", n, 2*len(authv1alpha1.TokenStatuses))
	}

	leading = false
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Fatalf("a replica that does not lead reported %d series; alerts would fire once per replica", n)
	}
}
