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

package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// The web console in a real browser (headless Chromium) against the real
// listener, with Kubernetes authentication: ServiceAccount tokens pasted at
// login, and a bearer header as an auth proxy sends it.
var _ = Describe("Web console", Ordered, func() {
	var (
		ctx                      context.Context
		ns, otherNS              string
		alice, nobody, admin     string
		gateway                  string
		aliceName                string
		b                        *browserSession
		shownValues, shownBodies []string
	)
	verifies := func(value string) int {
		return httpDo(http.MethodPost, "/api/v1/tokens/verify", gateway, verifyBody(value)).code
	}
	open := func(path string) {
		GinkgoHelper()
		b.run(chromedp.Navigate(baseURL + path))
	}
	click := func(sel string) {
		GinkgoHelper()
		b.run(chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	}
	// follow clicks what navigates (a link, a form's button) and waits for
	// the page it loads.
	follow := func(sel string) {
		GinkgoHelper()
		tctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
		defer cancel()
		_, err := chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		Expect(err).NotTo(HaveOccurred())
	}
	login := func(token string) {
		GinkgoHelper()
		open("/console/login")
		b.run(chromedp.SetValue(chromedp.CSS("#token"), token))
		follow("#login")
	}
	logout := func() {
		GinkgoHelper()
		follow("#logout")
	}
	// shown reads the value of a shown-once page and remembers the page.
	shown := func() string {
		GinkgoHelper()
		b.run(chromedp.WaitVisible(chromedp.CSS("#token-value")))
		v := get(b, chromedp.Value(chromedp.CSS("#token-value")))
		Expect(v).NotTo(BeEmpty())
		shownValues = append(shownValues, v)
		shownBodies = append(shownBodies, b.html())
		return v
	}

	BeforeAll(func() {
		ctx = context.Background()
		SetDefaultEventuallyTimeout(30 * time.Second)
		SetDefaultEventuallyPollingInterval(100 * time.Millisecond)
		b = newBrowser()
		ns, otherNS = newNamespace(ctx), newNamespace(ctx)
		alice, nobody = serviceAccountToken(ctx, ns, "alice"), serviceAccountToken(ctx, ns, "nobody")
		aliceName = "system:serviceaccount:" + ns + ":alice"
		Expect(k8sClient.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "personal-tokens"},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: selfServiceRole(ctx)}, Subjects: subject(ns, "alice")})).To(Succeed())
		admin = tokenAdmin(ctx, otherNS)
		gateway = serviceAccountToken(ctx, ns, "gateway")
		Expect(k8sClient.Create(ctx, &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "console-gateway-" + ns},
			RoleRef: rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: verifierRole(ctx)}, Subjects: subject(ns, "gateway")})).To(Succeed())

		// Someone else's token in alice's namespace, and one whose
		// metadata is hostile, in the admin's.
		other := testutil.MakeApiToken(ns, "someone-elses").Obj()
		other.UID = ""
		Expect(k8sClient.Create(ctx, other)).To(Succeed())
		hostile := testutil.MakeApiToken(otherNS, "hostile").Obj()
		hostile.UID = ""
		hostile.Spec.DisplayName = `<script>window.pwned=1</script>`
		hostile.Spec.Description = `<img src=x onerror="window.pwned=2">`
		hostile.Spec.Principal = `javascript:window.pwned=3`
		Expect(k8sClient.Create(ctx, hostile)).To(Succeed())
		Eventually(func() int { return len(list("/api/v1/tokens?namespace="+otherNS+"&status=ACTIVE", admin).ApiTokens) }).Should(Equal(1))
	})

	It("sends a person without a session to the login page, and keeps the pasted token where no script reaches it", func() {
		open("/console/")
		Expect(b.location()).To(Equal(baseURL + "/console/login"))
		b.screenshot("login")
		// A token the API server does not accept is refused, in words.
		login("not-a-token")
		Expect(b.text("#error")).To(ContainSubstring("did not accept that token"))

		login(alice)
		Expect(b.location()).To(Equal(baseURL + "/console/"))
		Expect(b.text("#user")).To(Equal(aliceName))
		cookies := b.cookies()
		Expect(cookies).To(HaveLen(1))
		Expect(cookies[0].Name).To(Equal("__Secure-apitoken-console"))
		Expect(cookies[0].HTTPOnly).To(BeTrue())
		Expect(cookies[0].Secure).To(BeTrue())
		Expect(string(cookies[0].SameSite)).To(Equal("Strict"))
		Expect(cookies[0].Path).To(Equal("/console"))
		Expect(get(b, chromedp.Evaluate[string]("document.cookie"))).To(BeEmpty())
		Expect(get(b, chromedp.Evaluate[int]("localStorage.length + sessionStorage.length"))).To(BeZero())
	})

	It("creates a personal token, shows its value once, and never again", func() {
		open("/console/")
		Expect(b.html()).NotTo(ContainSubstring("someone-elses"), "alice sees only her own tokens")
		follow("#new-token")
		b.run(chromedp.WaitVisible(chromedp.CSS("#create-form")))
		// 30 days is past the suite's 48h cap for personal tokens: the
		// API's words, next to the field.
		b.run(chromedp.SetValue(chromedp.CSS("#name"), "laptop"), chromedp.SetValue(chromedp.CSS("#description"), "for my scripts"))
		follow("#create")
		Expect(b.text("#expiry-error")).To(ContainSubstring("longer than a personal token may live: at most 48h"))
		b.screenshot("create-error")

		today := time.Now().UTC().Format("2006-01-02")
		b.run(chromedp.Click(chromedp.CSS(`input[name=expiry][value=custom]`)), chromedp.SetValue(chromedp.CSS(`input[name=expiryDate]`), today),
			chromedp.Click(chromedp.CSS(`input[name=scope][value="profile:*"]`)))
		follow("#create")
		value := shown()
		Expect(get(b, chromedp.Evaluate[bool]("document.getElementById('done').disabled"))).To(BeTrue(), "Done waits until the value was copied")
		b.screenshot("shown-once")
		click("#copy")
		Eventually(func() bool { return get(b, chromedp.Evaluate[bool]("document.getElementById('done').disabled")) }).Should(BeFalse())
		Expect(b.html()).To(ContainSubstring(`curl -H "Authorization: Bearer ` + value))
		Expect(verifies(value)).To(Equal(http.StatusOK))

		// A reload does not send the form again without asking (no cache
		// keeps the page: net::ERR_CACHE_MISS), and Back does not show it.
		reloadOrBack(b, chromedp.Reload())
		Expect(b.html()).NotTo(ContainSubstring(value))
		reloadOrBack(b, chromedp.NavigateBack())
		Expect(b.html()).NotTo(ContainSubstring(value))

		open("/console/")
		row := b.text(`tr[data-name="laptop"]`)
		Expect(row).To(ContainSubstring("Expiring soon"), "a token that expires within the window")
		Expect(row).To(ContainSubstring("…" + value[len(value)-5:]))
		Expect(b.html()).NotTo(ContainSubstring(value))
		b.screenshot("list")
	})

	It("Done after copying leaves no way back to the value", func() {
		open("/console/new")
		today := time.Now().UTC().Format("2006-01-02")
		b.run(chromedp.SetValue(chromedp.CSS("#name"), "script"), chromedp.Click(chromedp.CSS(`input[name=expiry][value=custom]`)),
			chromedp.SetValue(chromedp.CSS(`input[name=expiryDate]`), today))
		follow("#create")
		value := shown()
		b.run(chromedp.Click(chromedp.CSS("#saved")))
		Expect(get(b, chromedp.Evaluate[bool]("document.getElementById('done').disabled"))).To(BeFalse(), "ticking 'I have saved it' enables Done")
		follow("#done")
		b.run(chromedp.WaitVisible(chromedp.CSS("#token-title")))
		Expect(b.location()).To(HaveSuffix("/console/tokens/" + ns + "/script"))
		reloadOrBack(b, chromedp.NavigateBack())
		Expect(b.html()).NotTo(ContainSubstring(value))
		open("/console/")
		Expect(b.text(`tr[data-name="script"] td:nth-child(6)`)).To(Equal("Never"), "not used yet")
		Expect(verifies(value)).To(Equal(http.StatusOK))
	})

	It("regenerates through the dialog with a grace period: both values verify, then only the new", func() {
		old := shownValues[0]
		open("/console/tokens/" + ns + "/laptop")
		b.screenshot("detail")
		Expect(b.text("#events")).To(ContainSubstring("Created via the API by " + aliceName))
		follow("#regenerate")
		Expect(b.text("#confirm-title")).To(ContainSubstring("laptop"))
		Expect(b.text("#confirm-form")).To(ContainSubstring("stop working when the grace period ends"))
		b.screenshot("regenerate")
		b.run(chromedp.Click(chromedp.CSS(`input[name=grace][value=custom]`)), chromedp.SetValue(chromedp.CSS(`input[name=graceCustom]`), "3s"))
		follow("#confirm")
		fresh := shown()
		Expect(fresh).NotTo(Equal(old))
		Expect(verifies(fresh)).To(Equal(http.StatusOK))
		Expect(verifies(old)).To(Equal(http.StatusOK), "inside the grace period")
		Eventually(func() int { return verifies(old) }).ShouldNot(Equal(http.StatusOK))
		Expect(verifies(fresh)).To(Equal(http.StatusOK))
	})

	It("revokes and deletes through their dialogs", func() {
		open("/console/tokens/" + ns + "/laptop")
		follow("#revoke")
		Expect(b.text("#confirm-form")).To(ContainSubstring("This cannot be undone"))
		follow("#confirm")
		Expect(b.text("#notice")).To(ContainSubstring("Revoked"))
		Expect(b.text("#status")).To(Equal("Revoked"))
		Expect(verifies(shownValues[len(shownValues)-1])).NotTo(Equal(http.StatusOK))

		open("/console/tokens/" + ns + "/script")
		follow("#delete")
		Expect(b.text("#confirm-title")).To(ContainSubstring("script"))
		follow("#confirm")
		Expect(b.text("#notice")).To(Equal("Deleted."))
		Expect(b.location()).To(Equal(baseURL+"/console/?done=deleted"), "the redirect carries a code, not a name")
		Expect(b.count(`tr[data-name="script"]`)).To(BeZero())
		Eventually(func() int { return verifies(shownValues[1]) }).ShouldNot(Equal(http.StatusOK))
	})

	It("echoes no sentence of a link: notices are codes, 404 pages name nothing, names are checked before any API call", func() {
		const bait = "Your-account-is-locked-call-555-0100"
		page := func(path string) (int, string) {
			req, err := http.NewRequest(http.MethodGet, baseURL+path, nil)
			Expect(err).NotTo(HaveOccurred())
			req.Header.Set("Authorization", "Bearer "+alice)
			resp, err := httpClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			defer func() { _ = resp.Body.Close() }()
			body, err := io.ReadAll(resp.Body)
			Expect(err).NotTo(HaveOccurred())
			return resp.StatusCode, string(body)
		}
		for _, c := range []struct {
			path string
			code int
		}{
			{"/console/?deleted=" + bait, http.StatusOK},
			{"/console/?done=" + bait, http.StatusOK},
			{"/console/" + bait, http.StatusNotFound},
			{"/console/tokens/" + ns + "/" + strings.ToLower(bait), http.StatusNotFound},
			{"/console/tokens/" + ns + "/" + bait, http.StatusNotFound},
			{"/console/tokens/" + bait + "/x/revoke", http.StatusNotFound},
		} {
			code, body := page(c.path)
			Expect(code).To(Equal(c.code), c.path)
			Expect(strings.ToLower(body)).NotTo(ContainSubstring(strings.ToLower(bait)), c.path)
		}
	})

	It("counts by status and filters in one click", func() {
		open("/console/")
		Expect(b.text(`.counter[data-status="revoked"] .count`)).To(Equal("1"))
		follow(`.counter[data-status="revoked"]`)
		Expect(b.count("tr[data-name]")).To(Equal(1))
		Expect(b.text(`tr[data-name="laptop"]`)).To(ContainSubstring("Revoked"))
		Expect(b.location()).To(ContainSubstring("status=REVOKED"))
	})

	It("logs out: the cookie is gone and the console asks for a token again", func() {
		open("/console/")
		logout()
		Expect(b.cookies()).To(BeEmpty())
		open("/console/")
		Expect(b.location()).To(Equal(baseURL + "/console/login"))
	})

	It("tells a person without rights which permission is missing", func() {
		login(nobody)
		Expect(b.text("#error")).To(ContainSubstring("may not list apitokens.auth.apitoken.io"))
		open("/console/new")
		Expect(b.text("#error")).To(ContainSubstring("may not create apitokens.auth.apitoken.io, nor apitokens/self"))
		logout()
	})

	It("behind an auth proxy, shows hostile metadata as text and runs no script of it", func() {
		b.behindProxy(admin)
		open("/console/")
		Expect(b.count("#logout")).To(BeZero(), "a proxy's session is not the console's to end")
		Expect(b.text(`tr[data-name="hostile"]`)).To(ContainSubstring(`<script>window.pwned=1</script>`))
		open("/console/tokens/" + otherNS + "/hostile")
		Expect(b.text("#description")).To(Equal(`<img src=x onerror="window.pwned=2">`))
		Expect(b.text("#principal")).To(Equal(`javascript:window.pwned=3`))
		Expect(get(b, chromedp.Evaluate[string]("typeof window.pwned"))).To(Equal("undefined"))
		Expect(b.count("main script, main img")).To(BeZero())
	})

	It("refuses a form posted from another origin and writes nothing", func() {
		victim := testutil.MakeApiToken(otherNS, "csrf-target").Obj()
		victim.UID = ""
		Expect(k8sClient.Create(ctx, victim)).To(Succeed())
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		evil := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<form id="f" method="post" action="%s/console/tokens/%s/csrf-target/revoke"></form><script>document.getElementById("f").submit()</script>`, baseURL, otherNS)
		})}
		go func() { _ = evil.Serve(ln) }()
		DeferCleanup(evil.Close)
		b.behindProxy(admin)
		b.run(chromedp.Navigate("http://" + ln.Addr().String() + "/"))
		Eventually(func() string { return b.location() }).Should(HavePrefix(baseURL))
		Expect(b.text("#error")).To(ContainSubstring("sent from another site"))
		tok := &authv1alpha1.ApiToken{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: otherNS, Name: "csrf-target"}, tok)).To(Succeed())
		Expect(tok.Spec.Revoked).To(BeFalse())
	})

	It("shows a token policy's refusal next to the field, and a badge and the messages on a token that breaks one", func() {
		n := &corev1.Namespace{}
		Expect(k8sClient.Get(ctx, client.ObjectKey{Name: otherNS}, n)).To(Succeed())
		n.Labels = map[string]string{"console-policy": otherNS}
		Expect(k8sClient.Update(ctx, n)).To(Succeed())
		p := &authv1alpha1.ApiTokenPolicy{ObjectMeta: metav1.ObjectMeta{Name: "console-" + otherNS}, Spec: authv1alpha1.ApiTokenPolicySpec{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"console-policy": otherNS}},
			MaxTTL:            &metav1.Duration{Duration: time.Hour}}}
		Expect(k8sClient.Create(ctx, p)).To(Succeed())
		DeferCleanup(func() { Expect(client.IgnoreNotFound(k8sClient.Delete(context.Background(), p))).To(Succeed()) })
		// The API server loads the policy as a param asynchronously.
		probe := testutil.MakeApiToken(otherNS, "probe").TTL(720 * time.Hour).Obj()
		probe.UID = ""
		Eventually(func() error { return k8sClient.Create(ctx, probe, client.DryRunAll) }).Should(HaveOccurred())

		login(admin)
		open("/console/new")
		b.run(chromedp.WaitVisible(chromedp.CSS("#create-form")), chromedp.SetValue(chromedp.CSS("#name"), "too-long"))
		follow("#create")
		Expect(b.text("#expiry-error")).To(ContainSubstring("ApiTokenPolicy " + p.Name + ": spec.ttl 720h exceeds maxTTL 1h"))
		b.screenshot("create-policy-error")

		// The hostile token never expires: it breaks the policy, and says so.
		Eventually(func() []string {
			rows := list("/api/v1/tokens?namespace="+otherNS+"&policyViolation=true", admin).ApiTokens
			if len(rows) == 0 {
				return nil
			}
			return rows[0].PolicyViolations
		}).Should(ConsistOf(p.Name + ": spec.ttl is not set, and maxTTL 1h requires every token to expire"))
		open("/console/")
		Expect(b.text(`tr[data-name="hostile"]`)).To(ContainSubstring("Policy"))
		open("/console/tokens/" + otherNS + "/hostile")
		Expect(b.text("#policy-badge")).To(Equal("Breaks a token policy"))
		Expect(b.text("#policy-violations")).To(ContainSubstring(p.Name + ": spec.ttl is not set, and maxTTL 1h requires every token to expire"))
		logout()
	})

	It("reported no CSP violation or script error on any page, and showed each value in one response only", func() {
		for _, m := range b.messages() {
			Expect(m).NotTo(ContainSubstring("Content Security Policy"))
			Expect(m).NotTo(HavePrefix("exception"))
		}
		for i, v := range shownValues {
			for j, body := range shownBodies {
				if i != j {
					Expect(body).NotTo(ContainSubstring(v))
				}
			}
			Expect(managerLogs.String()).NotTo(ContainSubstring(v))
		}
		Expect(strings.Join(b.messages(), "\n")).NotTo(ContainSubstring(shownValues[0]))
	})
})

// reloadOrBack reloads or goes back; a page that no cache kept and that
// would need the form sent again loads as net::ERR_CACHE_MISS, which is the
// point, so only that error is accepted.
func reloadOrBack(b *browserSession, a chromedp.Action[chromedp.Void]) {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, a); err != nil {
		Expect(err.Error()).To(ContainSubstring("ERR_CACHE_MISS"))
	}
}
