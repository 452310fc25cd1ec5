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

package controller_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// scrape reads the manager's /metrics endpoint and returns the samples of
// the apitoken_ families, keyed by family name and label set.
func scrape() map[string]float64 {
	GinkgoHelper()
	resp, err := http.Get(metricsURL)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = resp.Body.Close() }()
	Expect(resp.StatusCode).To(Equal(http.StatusOK))
	body, err := io.ReadAll(resp.Body)
	Expect(err).NotTo(HaveOccurred())
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	Expect(err).NotTo(HaveOccurred())
	out := map[string]float64{}
	for name, f := range families {
		if !strings.HasPrefix(name, "apitoken_") {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			out[name+"{"+strings.Join(labels, ",")+"}"] = v
		}
	}
	return out
}

var _ = Describe("Metrics", func() {
	It("reports expiry, renewal, status and issuance through create, rotate, expire and delete", func(ctx context.Context) {
		SetDefaultEventuallyTimeout(30 * time.Second)
		ns := newNamespace(ctx)
		rotated := func() float64 { return scrape()["apitoken_issued_total{reason=rotated}"] }
		before := rotated()

		tok := testutil.MakeApiToken(ns, "m").TTL(5*time.Second).Rotation(2*time.Second, 0).Obj()
		Expect(k8sClient.Create(ctx, tok)).To(Succeed())
		short := testutil.MakeApiToken(ns, "short").TTL(2 * time.Second).Obj()
		Expect(k8sClient.Create(ctx, short)).To(Succeed())
		got := waitForRevision(ctx, ns, "m", 1)

		labels := fmt.Sprintf("{name=m,namespace=%s,principal=alice,type=User}", ns) // Prometheus sorts label names
		Eventually(func(g Gomega) {
			m := scrape()
			g.Expect(m).To(HaveKeyWithValue("apitoken_expiration_timestamp_seconds"+labels, float64(got.Status.ExpirationDate.Unix())))
			g.Expect(m).To(HaveKeyWithValue("apitoken_renewal_timestamp_seconds"+labels, float64(got.Status.RenewalTime.Unix())))
			g.Expect(m).To(HaveKeyWithValue(fmt.Sprintf("apitoken_status{name=m,namespace=%s,status=Active}", ns), 1.0))
			g.Expect(m).To(HaveKeyWithValue(fmt.Sprintf("apitoken_status{name=m,namespace=%s,status=Failed}", ns), 0.0))
			g.Expect(m).NotTo(HaveKey("apitoken_last_used_timestamp_seconds"+labels), "never used")
			g.Expect(m).To(HaveKey("apitoken_tokens{status=Active,type=User}"))
		}).Should(Succeed())

		By("rotating automatically")
		waitForRevision(ctx, ns, "m", 2)
		Eventually(rotated).Should(BeNumerically(">", before))

		By("expiring")
		waitForStatus(ctx, ns, "short", authv1alpha1.TokenStatusExpired, authv1alpha1.ReasonExpired)
		Eventually(func() map[string]float64 { return scrape() }).Should(
			HaveKeyWithValue(fmt.Sprintf("apitoken_status{name=short,namespace=%s,status=Expired}", ns), 1.0))

		By("deleting: the series go")
		Expect(k8sClient.Delete(ctx, getToken(ctx, ns, "short"))).To(Succeed())
		Eventually(func() []string {
			var left []string
			for k := range scrape() {
				if strings.Contains(k, "name=short,namespace="+ns+",") {
					left = append(left, k)
				}
			}
			return left
		}).Should(BeEmpty())
	})
})
