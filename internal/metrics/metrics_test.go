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
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// tokens are ApiTokens whose labels test the text format's escaping.
func tokens() []*authv1alpha1.ApiToken {
	expires := metav1.NewTime(time.Unix(1_800_000_000, 0))
	used := metav1.NewTime(time.UnixMilli(1_700_000_000_123))
	renews := metav1.NewTime(time.Unix(1_790_000_000, 0))
	return []*authv1alpha1.ApiToken{{
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "ci"},
		Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "ci-bot"},
		Status:     authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, ExpirationDate: &expires, LastUsedDate: &used, RenewalTime: &renews},
	}, {
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: "new"},
		Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "alice"},
	}, {
		ObjectMeta: metav1.ObjectMeta{Namespace: "team-b", Name: "odd"},
		Spec:       authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeTeam, Principal: "a \"quoted\" back\\slash\nnew line, ünïcode"},
		Status:     authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusRevoked, ExpirationDate: &expires},
	}}
}

// reference is what client_golang's registry writes for the per-token
// gauges of toks, built as const metrics: the oracle for WriteTokenSeries.
func reference(t *testing.T, toks []*authv1alpha1.ApiToken) string {
	t.Helper()
	labels := []string{"namespace", "name", "type", "principal"}
	descs := map[string]*prometheus.Desc{
		"exp":  prometheus.NewDesc("apitoken_expiration_timestamp_seconds", "When the token expires (Unix seconds); absent for tokens without ttl.", labels, nil),
		"used": prometheus.NewDesc("apitoken_last_used_timestamp_seconds", "When the token was last verified (Unix seconds); absent if never.", labels, nil),
		"ren":  prometheus.NewDesc("apitoken_renewal_timestamp_seconds", "When the token is rotated automatically (Unix seconds); absent without rotation.renewBefore.", labels, nil),
		"st":   prometheus.NewDesc("apitoken_status", "The token's status: 1 for the current one, 0 for the others.", []string{"namespace", "name", "status"}, nil),
	}
	var ms []prometheus.Metric
	for _, tok := range toks {
		r := readmodel.RowFor(tok)
		lv := []string{r.Namespace, r.Name, string(r.Type()), r.Principal()}
		for key, v := range map[string]int64{"exp": r.Expires, "used": r.LastUsed, "ren": r.Renews} {
			if v, ok := readmodel.Value(v); ok {
				ms = append(ms, prometheus.MustNewConstMetric(descs[key], prometheus.GaugeValue, float64(v)/1000, lv...))
			}
		}
		for _, s := range authv1alpha1.TokenStatuses {
			v := 0.0
			if r.Status() == s {
				v = 1
			}
			ms = append(ms, prometheus.MustNewConstMetric(descs["st"], prometheus.GaugeValue, v, r.Namespace, r.Name, string(s)))
		}
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(constCollector(ms))
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	for _, f := range families {
		if _, err := expfmt.MetricFamilyToText(&buf, f); err != nil {
			t.Fatal(err)
		}
	}
	return buf.String()
}

type constCollector []prometheus.Metric

func (c constCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(c, ch) }
func (c constCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c {
		ch <- m
	}
}

func modelOf(toks []*authv1alpha1.ApiToken) *readmodel.Model {
	m := readmodel.NewModel()
	for _, tok := range toks {
		m.Upsert(readmodel.RowFor(tok))
	}
	return m
}

func TestWriteTokenSeriesIsWhatTheRegistryWrites(t *testing.T) {
	toks := tokens()
	c := &metrics.Collector{Model: modelOf(toks), Leading: func() bool { return true }}
	var got bytes.Buffer
	if err := c.WriteTokenSeries(&got, nil); err != nil {
		t.Fatal(err)
	}
	if want := reference(t, toks); got.String() != want {
		t.Fatalf("WriteTokenSeries wrote\n%s\nclient_golang writes\n%s", got.String(), want)
	}
	// An empty model writes no family at all.
	got.Reset()
	if err := (&metrics.Collector{Model: readmodel.NewModel()}).WriteTokenSeries(&got, nil); err != nil || got.Len() != 0 {
		t.Fatalf("an empty model wrote %q (%v)", got.String(), err)
	}
}

func TestCollectorTotals(t *testing.T) {
	leading := true
	c := &metrics.Collector{Model: modelOf(tokens()), Leading: func() bool { return leading }}
	want := `
# HELP apitoken_tokens Number of ApiTokens by status and type.
# TYPE apitoken_tokens gauge
apitoken_tokens{status="Active",type="ApiClient"} 1
apitoken_tokens{status="Pending",type="User"} 1
apitoken_tokens{status="Revoked",type="Team"} 1
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "apitoken_tokens"); err != nil {
		t.Fatal(err)
	}
	leading = false
	if n := testutil.CollectAndCount(c); n != 0 {
		t.Fatalf("a replica that does not lead reported %d series; alerts would fire once per replica", n)
	}
	var buf bytes.Buffer
	if err := c.WriteTokenSeries(&buf, nil); err != nil || buf.Len() != 0 {
		t.Fatalf("a replica that does not lead wrote per-token series %q (%v)", buf.String(), err)
	}
}

// apitoken_policy_violations counts the tokens that break each policy's
// rule (a token once per rule, however many messages), as rows change.
func TestCollectorPolicyViolations(t *testing.T) {
	v := func(policy, rule string) authv1alpha1.PolicyViolation {
		return authv1alpha1.PolicyViolation{Policy: policy, Rule: rule, Message: "m", Enforcement: authv1alpha1.EnforcementDeny}
	}
	tok := func(name string, vs ...authv1alpha1.PolicyViolation) *authv1alpha1.ApiToken {
		return &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: "team-a", Name: name},
			Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient}, Status: authv1alpha1.ApiTokenStatus{Policy: &authv1alpha1.PolicyStatus{Violations: vs}}}
	}
	m := modelOf([]*authv1alpha1.ApiToken{
		tok("a", v("org", "TTLRequired"), v("org", "FormatNotAllowed"), v("org", "FormatNotAllowed")),
		tok("b", v("org", "TTLRequired"), v("ci", "Unused")),
		tok("c"),
	})
	c := &metrics.Collector{Model: m, Leading: func() bool { return true }}
	const help = `
# HELP apitoken_policy_violations Number of ApiTokens that break an ApiTokenPolicy's rule, by policy and rule (a token once per rule of each policy).
# TYPE apitoken_policy_violations gauge
`
	want := help + `apitoken_policy_violations{policy="ci",rule="Unused"} 1
apitoken_policy_violations{policy="org",rule="FormatNotAllowed"} 1
apitoken_policy_violations{policy="org",rule="TTLRequired"} 2
`
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), "apitoken_policy_violations"); err != nil {
		t.Fatal(err)
	}
	m.Upsert(readmodel.RowFor(tok("b")))
	m.Delete("team-a", "a")
	if n := testutil.CollectAndCount(c, "apitoken_policy_violations"); n != 0 {
		t.Fatalf("%d series after every violation went; want none", n)
	}
}

// scrape GETs /metrics from srv with the given Accept-Encoding and returns
// the answer, its body decompressed.
func scrape(t *testing.T, url, encoding string) (*http.Response, string) {
	t.Helper()
	return request(t, http.MethodGet, url, encoding)
}

func request(t *testing.T, method, url, encoding string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	// What Prometheus 3 sends: OpenMetrics and protobuf preferred.
	req.Header.Set("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,application/openmetrics-text;version=1.0.0;q=0.6,text/plain;version=0.0.4;q=0.3,*/*;q=0.2")
	req.Header.Set("Accept-Encoding", encoding)
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var body io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" && method != http.MethodHead {
		if body, err = gzip.NewReader(resp.Body); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(raw)
}

// serve is the metrics server's /metrics for g, behind the operator's
// filter, on a real listener.
func serve(t *testing.T, g prometheus.Gatherer) *httptest.Server {
	t.Helper()
	filter, err := metrics.FilterProvider(nil)(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, err := filter(logr.Discard(), promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestMetricsEndpoint goes through a real listener: the registry's
// families, then the per-token gauges, in the text format whatever the
// scraper prefers, compressed when it asks for it, and parseable as one
// exposition (no family twice).
func TestMetricsEndpoint(t *testing.T) {
	toks := tokens()
	c := &metrics.Collector{Model: modelOf(toks), Leading: func() bool { return true }}
	if err := metrics.Register(c); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, crmetrics.Registry)

	want := reference(t, toks)
	for encoding, wantGzip := range map[string]bool{"": false, "gzip": true, "br;q=1.0, gzip;q=0.8": true, "gzip;q=0": false} {
		resp, body := scrape(t, srv.URL+"/metrics", encoding)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("Accept-Encoding %q: %s", encoding, resp.Status)
		}
		gzipped := resp.Header.Get("Content-Encoding") == "gzip"
		if gzipped != wantGzip {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q", encoding, resp.Header.Get("Content-Encoding"))
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Errorf("Accept-Encoding %q: Content-Type %q, want the text format", encoding, ct)
		}
		if !strings.HasSuffix(body, want) {
			t.Fatalf("Accept-Encoding %q: the answer does not end with the per-token gauges:\n%s", encoding, body)
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		families, err := parser.TextToMetricFamilies(strings.NewReader(body))
		if err != nil {
			t.Fatalf("Accept-Encoding %q: not one valid exposition: %v", encoding, err)
		}
		for _, name := range []string{"apitoken_tokens", "apitoken_status", "apitoken_expiration_timestamp_seconds", "apitoken_verification_duration_seconds"} {
			if _, ok := families[name]; !ok {
				t.Errorf("Accept-Encoding %q: no %s family", encoding, name)
			}
		}
		if n := len(families["apitoken_status"].GetMetric()); n != len(toks)*len(authv1alpha1.TokenStatuses) {
			t.Errorf("%d apitoken_status series, want one per token and status (%d)", n, len(toks)*len(authv1alpha1.TokenStatuses))
		}
	}
}

// TestMetricsEndpointFiltersErrorsAndHead: name[] narrows the per-token
// families as it narrows the registry's, a HEAD answers with a GET's
// headers and no series, and a registry that fails answers 500 in plain
// text even to a scraper that asked for gzip.
func TestMetricsEndpointFiltersErrorsAndHead(t *testing.T) {
	toks := tokens()
	if err := metrics.Register(&metrics.Collector{Model: modelOf(toks), Leading: func() bool { return true }}); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, crmetrics.Registry)

	_, body := scrape(t, srv.URL+"/metrics?name[]=apitoken_status&name[]=apitoken_tokens", "gzip")
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range families {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"apitoken_status", "apitoken_tokens"}; !slices.Equal(names, want) {
		t.Errorf("name[] asked for %v, got the families %v", want, names)
	}

	resp, body := request(t, http.MethodHead, srv.URL+"/metrics", "gzip")
	if resp.StatusCode != http.StatusOK || body != "" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") ||
		resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("HEAD: %s, Content-Type %q, Content-Encoding %q, body %q", resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"), body)
	}

	failing := serve(t, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		return nil, errors.New("a collector failed")
	}))
	resp, body = scrape(t, failing.URL+"/metrics", "gzip")
	if resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("Content-Encoding") != "" || !strings.Contains(body, "a collector failed") {
		t.Errorf("a failing registry: %s, Content-Encoding %q, body %q; want 500 and the error in plain text", resp.Status, resp.Header.Get("Content-Encoding"), body)
	}
	if strings.Contains(body, "apitoken_status") {
		t.Errorf("a failing registry's answer carries the per-token series: %q", body)
	}
}
