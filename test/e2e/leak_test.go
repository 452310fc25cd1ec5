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

package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// recorder keeps every HTTP response (status line, headers, body) it sees.
type recorder struct {
	client    *http.Client
	responses strings.Builder
}

func (r *recorder) do(t *testing.T, method, url, bearer string, header http.Header, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(&r.responses, "%s %s -> %s\n", method, url, resp.Status)
	_ = resp.Header.Write(&r.responses)
	r.responses.Write(b)
	r.responses.WriteString("\n")
	return resp.StatusCode
}

// TestNoTokenLeaksAtMaxVerbosity runs the binary at the most verbose log
// level it accepts, under its own RBAC, through issue, rotate, import,
// verify (endpoint, TokenReview, forward auth) and query, then scans its
// logs, the Events, the ApiTokens, the metrics and every HTTP response for
// every token value, raw and base64. It also fails on any RBAC denial in
// the logs: the generated ClusterRole must be enough.
func TestNoTokenLeaksAtMaxVerbosity(t *testing.T) {
	g := NewWithT(t)
	g.SetDefaultEventuallyTimeout(time.Minute)
	ctx := context.Background()
	ns := newNamespace(t, "leak-")
	queryAddr, forwardAddr, metricsAddr := testutil.MustFreeAddress(t), testutil.MustFreeAddress(t), testutil.MustFreeAddress(t)
	logs := &testutil.SyncBuffer{}
	op := startOperator(t, logs,
		"--zap-log-level=10", "--zap-devel",
		"--leader-elect", "--leader-election-namespace="+operatorNamespace,
		"--metrics-bind-address="+metricsAddr, "--metrics-secure=false", "--health-probe-bind-address=0",
		"--query-bind-address="+queryAddr, "--query-auth=kubernetes",
		"--forward-auth-bind-address="+forwardAddr, "--last-used-interval=1s")

	get := func(name string) *authv1alpha1.ApiToken {
		tok := &authv1alpha1.ApiToken{}
		g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, tok)).To(Succeed())
		return tok
	}
	secretData := func(name string) map[string][]byte {
		s := &corev1.Secret{}
		g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, s)).To(Succeed())
		return s.Data
	}

	// Issue, rotate, import.
	g.Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "gen").TTL(time.Hour).Rotation(0, time.Hour).Obj())).To(Succeed())
	g.Eventually(func() int64 { return get("gen").Status.Revision }).Should(Equal(int64(1)))
	gen := get("gen")
	gen.Annotations = map[string]string{authv1alpha1.RotateAnnotation: "1"}
	g.Expect(k8sClient.Update(ctx, gen)).To(Succeed())
	g.Eventually(func() int64 { return get("gen").Status.Revision }).Should(Equal(int64(2)))
	imported := "k3j5h2l4m6n8p0q1r3s5t7u9v2w4x6y8"
	g.Expect(k8sClient.Create(ctx, testutil.MakeSecret(ns, "src").Data("token", imported).Obj())).To(Succeed())
	g.Expect(k8sClient.Create(ctx, testutil.MakeApiToken(ns, "imp").Import("src", "", "").Obj())).To(Succeed())
	g.Eventually(func() authv1alpha1.TokenStatus { return get("imp").Status.TokenStatus }).Should(Equal(authv1alpha1.TokenStatusActive))

	data := secretData("gen")
	current, previous := string(data["token"]), string(data["token"+authv1alpha1.PreviousKeySuffix])
	g.Expect(current).NotTo(BeEmpty())
	g.Expect(previous).NotTo(BeEmpty(), "the previous token is kept for the grace period")
	values := []string{current, previous, imported}

	// Verify, every way.
	rec := &recorder{client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // the query server's self-signed certificate, on loopback
	}}}
	api := "https://" + queryAddr
	g.Eventually(func() int {
		return rec.do(t, http.MethodGet, api+"/api/v1/tokens?namespace="+ns+"&search=gen", callerToken, nil, "")
	}).Should(Equal(http.StatusOK))
	for _, v := range values {
		body, _ := json.Marshal(map[string]string{"token": v})
		g.Expect(rec.do(t, http.MethodPost, api+"/api/v1/tokens/verify", callerToken, nil, string(body))).To(Equal(http.StatusOK))
	}
	g.Expect(rec.do(t, http.MethodPost, api+"/api/v1/tokens/verify", callerToken, nil, `{"token":"not-a-token-0123456789"}`)).To(Equal(http.StatusUnauthorized))
	review := fmt.Sprintf(`{"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview","spec":{"token":%q}}`, current)
	g.Expect(rec.do(t, http.MethodPost, api+"/api/v1/tokenreviews", callerToken, nil, review)).To(Equal(http.StatusOK))
	fwd := "https://" + forwardAddr + "/"
	g.Expect(rec.do(t, http.MethodGet, fwd, current, nil, "")).To(Equal(http.StatusOK))
	g.Expect(rec.do(t, http.MethodGet, fwd, "", http.Header{"X-Api-Token": {imported}}, "")).To(Equal(http.StatusOK))
	g.Expect(rec.do(t, http.MethodGet, fwd, "", http.Header{"Authorization": {"Token token=" + previous}}, "")).To(Equal(http.StatusOK))
	g.Expect(rec.do(t, http.MethodGet, fwd+"?namespace=elsewhere", current, nil, "")).To(Equal(http.StatusUnauthorized))

	// Query, every way.
	g.Expect(rec.do(t, http.MethodGet, api+"/api/v1/tokens/"+ns+"/gen", callerToken, nil, "")).To(Equal(http.StatusOK))
	g.Expect(rec.do(t, http.MethodGet, api+"/api/v2/token/query?principals=alice&limit=10", callerToken, nil, "")).To(Equal(http.StatusOK))
	g.Expect(rec.do(t, http.MethodPost, api+"/api/v1/tokens/query", callerToken, nil, `{"filters":{"tokenStatus":["ACTIVE"]}}`)).To(Equal(http.StatusOK))
	g.Eventually(func() bool { return get("gen").Status.LastUsedDate != nil }).Should(BeTrue(), "lastUsedDate written under the manager's RBAC")
	g.Expect(rec.do(t, http.MethodGet, "http://"+metricsAddr+"/metrics", "", nil, "")).To(Equal(http.StatusOK))
	op.stop(t)

	// Gather every place a value could leak to.
	var tokens authv1alpha1.ApiTokenList
	g.Expect(k8sClient.List(ctx, &tokens, client.InNamespace(ns))).To(Succeed())
	tokenJSON, _ := json.Marshal(tokens.Items)
	var events eventsv1.EventList
	g.Expect(k8sClient.List(ctx, &events, client.InNamespace(ns))).To(Succeed())
	g.Expect(events.Items).NotTo(BeEmpty())
	eventJSON, _ := json.Marshal(events.Items)
	places := map[string]string{
		"manager logs":   logs.String(),
		"events":         string(eventJSON),
		"ApiTokens":      string(tokenJSON),
		"HTTP responses": rec.responses.String(),
	}
	g.Expect(places["manager logs"]).To(ContainSubstring(`DEBUG`), "logs are at debug verbosity")
	g.Expect(places["HTTP responses"]).To(ContainSubstring("apitoken_verifications_total"), "the metrics were scraped")
	g.Expect(places["HTTP responses"]).To(ContainSubstring("X-Apitoken-Principal"), "forward auth answered with identity headers")
	for _, v := range values {
		for where, text := range places {
			for _, form := range []string{v, base64.StdEncoding.EncodeToString([]byte(v)), base64.RawURLEncoding.EncodeToString([]byte(v))} {
				if i := strings.Index(text, form); i >= 0 {
					t.Errorf("a token value appears in %s: %s", where, strings.ReplaceAll(text[max(0, i-300):min(len(text), i+len(form)+100)], form, "<VALUE>"))
				}
			}
		}
	}
	for _, line := range bytes.Split([]byte(places["manager logs"]), []byte("\n")) {
		if bytes.Contains(line, []byte("forbidden")) {
			t.Errorf("the manager was denied something its RBAC should allow: %s", line)
		}
	}
}
