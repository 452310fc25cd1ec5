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

package query

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

var base = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// tok builds a token created day days after base, used lastUsed days after base (<0: never).
func tok(ns, name string, typ authv1alpha1.TokenType, principal string, status authv1alpha1.TokenStatus, day, lastUsed int) *authv1alpha1.ApiToken {
	t := testutil.MakeApiToken(ns, name).TTL(30 * 24 * time.Hour).Obj()
	t.Spec.Type, t.Spec.Principal, t.Status.TokenStatus = typ, principal, status
	created := metav1.NewTime(base.AddDate(0, 0, day))
	expires := metav1.NewTime(created.AddDate(0, 0, 30))
	t.Status.CreationDate, t.Status.ExpirationDate = &created, &expires
	if lastUsed >= 0 {
		lu := metav1.NewTime(base.AddDate(0, 0, lastUsed))
		t.Status.LastUsedDate = &lu
	}
	return t
}

func sampleModel() *readmodel.Model {
	m := readmodel.NewModel()
	for _, t := range []*authv1alpha1.ApiToken{
		tok("team-a", "deploy", authv1alpha1.TokenTypeApiClient, "ci-bot", authv1alpha1.TokenStatusActive, 3, 10),
		tok("team-a", "alice", authv1alpha1.TokenTypeUser, "Alice", authv1alpha1.TokenStatusActive, 1, -1),
		tok("team-b", "bob", authv1alpha1.TokenTypeUser, "bob", authv1alpha1.TokenStatusExpired, 2, 5),
		tok("team-b", "nightly", authv1alpha1.TokenTypeWorkflow, "exporter", authv1alpha1.TokenStatusRevoked, 2, -1),
		tok("team-c", "automation", authv1alpha1.TokenTypeApiClient, "ci-bot", authv1alpha1.TokenStatusFailed, 4, 1),
	} {
		m.Upsert(readmodel.RowFor(t))
	}
	// Personal tokens: alice's own in team-b (created by her through the
	// API), and one for her that someone else created.
	own := tok("team-b", "alice-laptop", authv1alpha1.TokenTypeUser, "alice", authv1alpha1.TokenStatusActive, 6, -1)
	own.Annotations = map[string]string{authv1alpha1.CreatedByAnnotation: "alice"}
	own.Spec.Scopes = []string{"read:*", "deploy"}
	m.Upsert(readmodel.RowFor(own))
	forged := tok("team-b", "for-alice", authv1alpha1.TokenTypeUser, "alice", authv1alpha1.TokenStatusActive, 7, -1)
	forged.Annotations = map[string]string{authv1alpha1.CreatedByAnnotation: "mallory"}
	forged.Spec.Scopes = []string{"read:reports"}
	m.Upsert(readmodel.RowFor(forged))
	auto := tok("team-c", "display", authv1alpha1.TokenTypeTeam, "platform", authv1alpha1.TokenStatusActive, 0, -1)
	auto.Spec.DisplayName, auto.Spec.Description = "Automation Key", "Used by the Release pipeline"
	auto.Spec.TTL = nil
	auto.Status.ExpirationDate = nil
	m.Upsert(readmodel.RowFor(auto))
	return m
}

func names(p Page) string {
	out := make([]string, len(p.Rows))
	for i, r := range p.Rows {
		out[i] = r.Namespace + "/" + r.Name
	}
	return strings.Join(out, " ")
}

func TestRun(t *testing.T) {
	m := sampleModel()
	all := Visibility{All: true}
	cases := map[string]struct {
		query     string
		body      string
		vis       *Visibility
		want      string
		wantTotal int
	}{
		"default: creationDate ascending":                {query: "pageSize=6", want: "team-c/display team-a/alice team-b/bob team-b/nightly team-a/deploy team-c/automation", wantTotal: 8},
		"ties break by namespace/name":                   {query: "sort=creationDate&pageSize=3&page=1", want: "team-b/nightly team-a/deploy team-c/automation", wantTotal: 8},
		"descending":                                     {query: "order=DESC&pageSize=2", want: "team-b/for-alice team-b/alice-laptop", wantTotal: 8},
		"nulls last in both orders":                      {query: "sort=lastUsedDate&order=DESC&namespace=team-a,team-c", want: "team-a/deploy team-c/automation team-a/alice team-c/display", wantTotal: 4},
		"ttl nulls last":                                 {query: "sort=apiTokenTtl&namespace=team-a,team-c", want: "team-a/alice team-a/deploy team-c/automation team-c/display", wantTotal: 4},
		"by name":                                        {query: "sort=name&namespace=team-a,team-c", want: "team-a/alice team-c/automation team-a/deploy team-c/display", wantTotal: 4},
		"type and status in seed spellings":              {query: "type=API_CLIENT,user&status=ACTIVE&namespace=team-a", want: "team-a/alice team-a/deploy", wantTotal: 2},
		"scope is covered by a wildcard":                 {query: "scope=read:reports", want: "team-b/alice-laptop team-b/for-alice", wantTotal: 2},
		"every scope asked for is required":              {query: "scope=read:reports&scope=deploy", want: "team-b/alice-laptop", wantTotal: 1},
		"scope in the body":                              {body: `{"filters":{"scopes":["deploy"]}}`, want: "team-b/alice-laptop", wantTotal: 1},
		"own tokens only: created by and for the caller": {query: "", vis: &Visibility{Own: map[string]bool{"team-b": true}, User: "alice"}, want: "team-b/alice-laptop", wantTotal: 1},
		"own tokens beside a whole namespace":            {query: "", vis: &Visibility{Namespaces: map[string]bool{"team-a": true}, Own: map[string]bool{"team-b": true}, User: "alice"}, want: "team-a/alice team-a/deploy team-b/alice-laptop", wantTotal: 3},
		"principal is case-insensitive":                  {query: "principal=alice&namespace=team-a", want: "team-a/alice", wantTotal: 1},
		"search covers displayName and description":      {query: "search=release", want: "team-c/display", wantTotal: 1},
		"search covers names":                            {query: "search=AUTOMATION", want: "team-c/display team-c/automation", wantTotal: 2},
		"lastUsed range excludes never used":             {query: "lastUsedTo=" + fmt.Sprint(base.AddDate(0, 0, 6).UnixMilli()), want: "team-b/bob team-c/automation", wantTotal: 2},
		"expires range":                                  {query: "expiresFrom=2026-02-03T00:00:00Z", want: "team-a/deploy team-c/automation team-b/alice-laptop team-b/for-alice", wantTotal: 4},
		"page past the end":                              {query: "page=9", want: "", wantTotal: 8},
		"visibility limits namespaces":                   {query: "", vis: &Visibility{Namespaces: map[string]bool{"team-b": true}}, want: "team-b/bob team-b/nightly team-b/alice-laptop team-b/for-alice", wantTotal: 4},
		"body allOf LIKE on TOKEN_NAME":                  {body: `{"searchTerms":{"allOf":[{"field":"TOKEN_NAME","terms":["Automation"],"operator":"LIKE"}]}}`, want: "team-c/display team-c/automation", wantTotal: 2},
		"body anyOf needs one":                           {body: `{"searchTerms":{"anyOf":[{"field":"CLIENT_ID","terms":["exporter"],"operator":"EQUALS"},{"field":"NAME","terms":["ali"],"operator":"STARTS_WITH"}]}}`, want: "team-a/alice team-b/nightly team-b/alice-laptop", wantTotal: 3},
		"body allOf and filters":                         {body: `{"searchTerms":{"allOf":[{"field":"NAMESPACE","terms":["team-a","team-c"],"operator":"EQUALS"}]},"filters":{"tokenType":["API_CLIENT"],"tokenStatus":["FAILED"]}}`, want: "team-c/automation", wantTotal: 1},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.query)
			var q Query
			var err error
			if tc.body != "" {
				q, err = ParseBody(v, []byte(tc.body))
			} else {
				q, err = ParseList(v)
			}
			if err != nil {
				t.Fatal(err)
			}
			vis := all
			if tc.vis != nil {
				vis = *tc.vis
			}
			p := Run(m, q, vis)
			if got := names(p); got != tc.want || p.TotalCount != tc.wantTotal {
				t.Fatalf("got [%s] total %d\nwant [%s] total %d", got, p.TotalCount, tc.want, tc.wantTotal)
			}
		})
	}
}

func TestModelUpdates(t *testing.T) {
	m := sampleModel()
	q, _ := ParseList(url.Values{"sort": {"name"}})
	before := names(Run(m, q, Visibility{All: true}))
	m.Delete("team-a", "alice")
	m.Upsert(readmodel.RowFor(tok("team-a", "aaron", authv1alpha1.TokenTypeUser, "aaron", authv1alpha1.TokenStatusActive, 9, -1)))
	after := names(Run(m, q, Visibility{All: true}))
	if before == after || !strings.HasPrefix(after, "team-a/aaron") || strings.Contains(after, "team-a/alice") {
		t.Fatalf("the model did not follow changes: %s", after)
	}
	if ns := m.Namespaces(); !slices.Equal(ns, []string{"team-a", "team-b", "team-c"}) {
		t.Fatalf("namespaces = %v", ns)
	}
}

func TestDTO(t *testing.T) {
	r := readmodel.RowFor(tok("team-a", "deploy", authv1alpha1.TokenTypeApiClient, "ci-bot", authv1alpha1.TokenStatusActive, 3, -1))
	d := DTO(&r, Links{})
	if d.TokenType != "API_CLIENT" || d.TokenStatus != "ACTIVE" || d.LastUsedDate != nil || *d.ApiTokenTTL != 30*24*3600 ||
		*d.CreationDate != base.AddDate(0, 0, 3).UnixMilli() || d.TokenName != "deploy" || d.ID != "uid-deploy" {
		t.Fatalf("DTO = %+v", d)
	}
	if d.AccessTokenTTL != 600 || d.TokenEndpointURL != nil || d.OIDCIssuerURL != nil {
		t.Fatalf("issuer off: accessTokenTtl %d (want the 10m default), tokenEndpointUrl %v, oidcIssuerUrl %v (want null)",
			d.AccessTokenTTL, d.TokenEndpointURL, d.OIDCIssuerURL)
	}
	endpoint, issuer := "https://issuer.example/oauth2/token", "https://issuer.example"
	d = DTO(&r, Links{TokenEndpoint: &endpoint, Issuer: &issuer})
	if *d.TokenEndpointURL != endpoint || *d.OIDCIssuerURL != issuer {
		t.Fatalf("issuer on: tokenEndpointUrl %v, oidcIssuerUrl %v", *d.TokenEndpointURL, *d.OIDCIssuerURL)
	}
}

// A change is visible to the very next query: there is no staleness window.
func TestChangeVisibleToNextQuery(t *testing.T) {
	m := sampleModel()
	for _, query := range []string{"search=zoe", "principal=zoe", "type=USER&status=ACTIVE&pageSize=50"} {
		v, _ := url.ParseQuery(query)
		q, _ := ParseList(v)
		before := Run(m, q, Visibility{All: true}).TotalCount
		m.Upsert(readmodel.RowFor(tok("team-a", "zoe", authv1alpha1.TokenTypeUser, "zoe", authv1alpha1.TokenStatusActive, 1, -1)))
		if got := Run(m, q, Visibility{All: true}); got.TotalCount != before+1 || !strings.Contains(names(got), "team-a/zoe") {
			t.Fatalf("%s: total %d [%s] right after the change, want %d with team-a/zoe", query, got.TotalCount, names(got), before+1)
		}
		m.Delete("team-a", "zoe")
		if got := Run(m, q, Visibility{All: true}).TotalCount; got != before {
			t.Fatalf("%s: total %d right after the deletion, want %d", query, got, before)
		}
	}
}

// Queries run while rows change (go test -race checks the sharing): every
// query sees a consistent snapshot, whose totalCount matches its walk.
func TestQueriesDuringChanges(t *testing.T) {
	tokens := testutil.BenchApiTokens(2000)
	m := testutil.BenchModel(tokens)
	stop := testutil.Churn(m, tokens, 5000)
	defer stop()
	for _, query := range []string{"pageSize=1000&page=0", "type=USER,API_CLIENT&status=ACTIVE&pageSize=1000", "search=user-00&pageSize=1000", "principal=user-0001@example.com"} {
		v, _ := url.ParseQuery(query)
		q, err := ParseList(v)
		if err != nil {
			t.Fatal(err)
		}
		for range 50 {
			p := Run(m, q, Visibility{All: true})
			if p.TotalCount < len(p.Rows) || p.TotalCount <= 1000 && len(p.Rows) != p.TotalCount {
				t.Fatalf("%s: %d rows, totalCount %d", query, len(p.Rows), p.TotalCount)
			}
		}
	}
}
