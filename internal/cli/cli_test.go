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

package cli_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// verifies says whether the operator's verify endpoint accepts value.
func verifies(value string) bool {
	GinkgoHelper()
	b, _ := json.Marshal(map[string]string{"token": value})
	resp, err := httpsClient.Post(queryURL+"/api/v1/tokens/verify", "application/json", strings.NewReader(string(b)))
	Expect(err).NotTo(HaveOccurred())
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func apiToken(ns, name string) *authv1alpha1.ApiToken {
	GinkgoHelper()
	tok := &authv1alpha1.ApiToken{}
	Expect(k8sClient.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, tok)).To(Succeed())
	return tok
}

// valueLine is the value a human-mode create printed: the one line that
// is neither the note nor the reminder.
func valueLine(stdout string) string {
	GinkgoHelper()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	Expect(len(lines)).To(BeNumerically(">=", 3), stdout)
	for _, l := range lines {
		if l != "" && !strings.Contains(l, " ") {
			return l
		}
	}
	Fail("no value in: " + stdout)
	return ""
}

// hashOnlyValues are every value the plugin drew, for the leak scan.
var hashOnlyValues []string

var _ = Describe("kubectl apitoken", Ordered, func() {
	var ns string
	BeforeEach(func() { ns = newNamespace() })

	Describe("create", func() {
		It("draws a hash-only value here, sends only its fingerprint, and prints it once when Active", func() {
			r := run("admin", "create", "laptop", "-n", ns, "--ttl", "30d", "--scopes", "read:reports,write:reports", "--description", "my laptop", "-v=10")
			out := r.ok()
			value := valueLine(out)
			hashOnlyValues = append(hashOnlyValues, value)
			Expect(value).To(MatchRegexp(`^[a-z0-9]{32}$`))
			Expect(out).To(ContainSubstring(`apitoken.auth.apitoken.io/laptop created in namespace "` + ns + `": hash-only`))
			Expect(out).To(MatchRegexp(`expires in (29d|30d) \(\d{4}-\d\d-\d\dT`))
			Expect(out).To(ContainSubstring("This is the only time the value is shown"))

			tok := apiToken(ns, "laptop")
			fp := token.Fingerprint([]byte(value))
			Expect(tok.Spec.Source.Hashed.TokenHash).To(Equal(fp))
			Expect(tok.Spec.Source.Hashed.TokenLastChars).To(Equal(value[len(value)-5:]))
			Expect(tok.Spec.Type).To(Equal(authv1alpha1.TokenTypeUser))
			Expect(tok.Spec.Principal).To(Equal("admin"), "a User token is the caller's by default")
			Expect(tok.Annotations).To(HaveKeyWithValue(authv1alpha1.CreatedByAnnotation, "admin"))
			Expect(tok.Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusActive))
			Eventually(func() bool { return verifies(value) }).Should(BeTrue())

			By("the API server received the fingerprint and never the value (client-go's body log at -v=10)")
			Expect(r.stderr).To(ContainSubstring("Request Body"))
			Expect(r.stderr).To(ContainSubstring(fp))
			Expect(r.stderr).NotTo(ContainSubstring(value))
			Expect(r.stderr).NotTo(ContainSubstring(base64.StdEncoding.EncodeToString([]byte(value))))
		})

		It("prints the value alone with -t, and uses the generator's settings", func() {
			value := strings.TrimSuffix(run("admin", "create", "ci", "-n", ns, "--type", "workflow", "--principal", "ci/deploy",
				"--prefix", "at_", "--length", "40", "--charset", "Alphanumeric", "--checksum", "-t").ok(), "\n")
			hashOnlyValues = append(hashOnlyValues, value)
			Expect(value).To(MatchRegexp(`^at_[A-Za-z0-9]{40}$`))
			Expect(token.ValidChecksum(token.PresentedValue(value), authv1alpha1.CharsetAlphanumeric)).To(BeTrue())
			Eventually(func() bool { return verifies(value) }).Should(BeTrue())
			tok := apiToken(ns, "ci")
			Expect(tok.Spec.Type).To(Equal(authv1alpha1.TokenTypeWorkflow))
			Expect(tok.Spec.Source.Hashed.Generate).To(Equal(&authv1alpha1.GenerateSource{Length: 40, Charset: authv1alpha1.CharsetAlphanumeric, Prefix: "at_", Checksum: true}))
		})

		It("writes the value to a new 0600 --output-file, and refuses one that exists before creating anything", func() {
			file := filepath.Join(GinkgoT().TempDir(), "nightly.token")
			out := run("admin", "create", "nightly", "-n", ns, "--output-file", file).ok()
			b, err := os.ReadFile(file)
			Expect(err).NotTo(HaveOccurred())
			value := strings.TrimSuffix(string(b), "\n")
			hashOnlyValues = append(hashOnlyValues, value)
			Expect(out).NotTo(ContainSubstring(value))
			Expect(out).To(ContainSubstring("The value is in " + file + " (mode 0600)"))
			info, err := os.Stat(file)
			Expect(err).NotTo(HaveOccurred())
			Expect(info.Mode().Perm()).To(Equal(os.FileMode(0o600)))
			Eventually(func() bool { return verifies(value) }).Should(BeTrue())

			run("admin", "create", "again", "-n", ns, "--output-file", file).failed(cli.ExitFailure, "--output-file", "exists")
			Expect(apierrorsNotFound(ns, "again")).To(BeTrue(), "nothing is created when the value has nowhere to go")
		})

		It("refuses weak or malformed settings as usage errors, before anything is sent", func() {
			run("admin", "create", "weak", "-n", ns, "--length", "12").failed(cli.ExitUsage, "--length 12", "between 16 and 256")
			run("admin", "create", "weak", "-n", ns, "--charset", "emoji").failed(cli.ExitUsage, `--charset "emoji"`, "LowerAlphanumeric")
			run("admin", "create", "weak", "-n", ns, "--ttl", "soon").failed(cli.ExitUsage, `"soon" is not a duration`)
			run("admin", "create", "weak", "-n", ns, "--type", "Team").failed(cli.ExitUsage, "--principal is required for a Team token")
			run("admin", "create", "Weak_Name", "-n", ns).failed(cli.ExitUsage, `NAME "Weak_Name"`)
			run("admin", "create", "weak", "-n", ns, "--scopes", "bad scope").failed(cli.ExitUsage, "--scopes")
			run("admin", "create", "-n", ns).failed(cli.ExitUsage, "NAME is required")
			run("admin", "create", "weak", "-n", ns, "--no-such-flag").failed(cli.ExitUsage, "unknown flag: --no-such-flag")
			Expect(apierrorsNotFound(ns, "weak")).To(BeTrue())
		})

		It("makes a Secret-held token with --secret, prints no value, and reveal reads it with the user's rights", func() {
			out := run("admin", "create", "billing", "-n", ns, "--type", "ApiClient", "--principal", "billing", "--secret", "billing-token:key").ok()
			Expect(out).To(ContainSubstring(`Secret-held, in Secret "billing-token" key "key"`))
			secret := &corev1.Secret{}
			Expect(k8sClient.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "billing-token"}, secret)).To(Succeed())
			value := string(secret.Data["key"])
			Expect(value).To(HaveLen(32))
			Expect(out).NotTo(ContainSubstring(value))

			Expect(run("admin", "reveal", "billing", "-n", ns, "-v=10").ok()).To(Equal(value + "\n"))
			r := runs[len(runs)-1]
			Expect(r.stderr).NotTo(ContainSubstring(base64.StdEncoding.EncodeToString([]byte(value))), "the Secret's body is not logged, even at -v=10")

			run("admin", "reveal", "billing", "-n", ns, "--previous").failed(cli.ExitFailure, "has no previous value")
			run("admin", "create", "tee", "-n", ns, "--secret", "x", "-t").failed(cli.ExitUsage, "--secret makes a Secret-held token")
		})
	})

	Describe("a token policy", func() {
		It("refuses a create that breaks it in one line naming the policy and the rule (exit 1)", func() {
			n := &corev1.Namespace{}
			Expect(k8sClient.Get(context.Background(), client.ObjectKey{Name: ns}, n)).To(Succeed())
			n.Labels = map[string]string{"cli-policy": ns}
			Expect(k8sClient.Update(context.Background(), n)).To(Succeed())
			p := &authv1alpha1.ApiTokenPolicy{ObjectMeta: metav1.ObjectMeta{Name: "cli-" + ns}, Spec: authv1alpha1.ApiTokenPolicySpec{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"cli-policy": ns}},
				MaxTTL:            &metav1.Duration{Duration: 2160 * time.Hour}}}
			Expect(k8sClient.Create(context.Background(), p)).To(Succeed())
			DeferCleanup(func() { Expect(k8sClient.Delete(context.Background(), p)).To(Succeed()) })
			// The API server loads the policy as a param asynchronously.
			probe := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "probe"},
				Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "x"}}
			Eventually(func() error { return k8sClient.Create(context.Background(), probe, client.DryRunAll) }).Should(HaveOccurred())

			run("admin", "create", "too-long", "-n", ns, "--ttl", "400d").failed(cli.ExitFailure,
				"ApiTokenPolicy "+p.Name+": spec.ttl 9600h exceeds maxTTL 2160h")
			Expect(apierrorsNotFound(ns, "too-long")).To(BeTrue())
			run("admin", "create", "bounded", "-n", ns, "--ttl", "30d").ok()
		})
	})

	Describe("get", func() {
		It("lists a table, filters, and prints the ApiTokens with -o (never a value)", func() {
			run("admin", "create", "alpha", "-n", ns, "--ttl", "7d", "--scopes", "a").ok()
			run("admin", "create", "beta", "-n", ns, "--type", "Team", "--principal", "payments", "--ttl", "60d").ok()
			run("admin", "create", "gamma", "-n", ns, "--type", "Team", "--principal", "payments").ok()
			run("admin", "revoke", "gamma", "-n", ns, "--yes").ok()

			table := run("admin", "get", "-n", ns).ok()
			lines := strings.Split(strings.TrimSpace(table), "\n")
			Expect(lines).To(HaveLen(4))
			Expect(strings.Fields(lines[0])).To(Equal([]string{"NAME", "TYPE", "PRINCIPAL", "STATUS", "POLICY", "EXPIRES", "LAST-USED", "SCOPES", "AGE"}))
			Expect(lines[1]).To(MatchRegexp(`^alpha\s+User\s+admin\s+ExpiringSoon\s+<none>\s+in (6d23h|7d)\s+never\s+a\s+\d+s$`))
			Expect(lines[2]).To(MatchRegexp(`^beta\s+Team\s+payments\s+Active\s+<none>\s+in (5[89]|60)d\s`))
			Expect(lines[3]).To(MatchRegexp(`^gamma\s+Team\s+payments\s+Revoked\s+<none>\s+never\s+never\s+<none>`))

			Expect(run("admin", "list", "-n", ns, "--status", "active", "-o", "name").ok()).To(Equal("apitoken.auth.apitoken.io/alpha\napitoken.auth.apitoken.io/beta\n"))
			Expect(run("admin", "get", "-n", ns, "--status", "ExpiringSoon", "-o", "name").ok()).To(Equal("apitoken.auth.apitoken.io/alpha\n"))
			Expect(run("admin", "get", "-n", ns, "--expiring-within", "90d", "-o", "name").ok()).To(Equal("apitoken.auth.apitoken.io/alpha\napitoken.auth.apitoken.io/beta\n"))
			Expect(run("admin", "get", "-n", ns, "--type", "TEAM", "-o", "jsonpath={.items[*].metadata.name}").ok()).To(Equal("beta gamma"))
			Expect(run("admin", "get", "-n", ns, "--unused-for", "90d").stderr).To(Equal(`No ApiTokens found in namespace "` + ns + `".` + "\n"))
			wide := run("admin", "get", "-n", ns, "-o", "wide").ok()
			Expect(strings.Fields(strings.SplitN(wide, "\n", 2)[0])).To(ContainElements("SECRET", "REVISION", "HASH-ONLY"))
			Expect(wide).To(MatchRegexp(`alpha .*<none>\s+1\s+true`))
			all := run("admin", "get", "-A", "--type", "team").ok()
			Expect(all).To(MatchRegexp(`(?m)^NAMESPACE\s+NAME`))
			Expect(all).To(MatchRegexp(`(?m)^` + ns + `\s+beta\s+Team`))

			var one authv1alpha1.ApiToken
			Expect(json.Unmarshal([]byte(run("admin", "get", "alpha", "-n", ns, "-o", "json").ok()), &one)).To(Succeed())
			Expect(one.Kind).To(Equal("ApiToken"))
			Expect(one.ManagedFields).To(BeEmpty())
			Expect(one.Spec.Source.Hashed.TokenHash).To(HavePrefix("sha256:"))
			Expect(run("admin", "get", "alpha", "-n", ns, "-o", "yaml").ok()).To(ContainSubstring("kind: ApiToken\n"))
			run("admin", "get", "-n", ns, "-o", "table").failed(cli.ExitUsage, `--output "table"`)
			run("admin", "get", "-n", ns, "--status", "sleepy").failed(cli.ExitUsage, `--status "sleepy"`, "ExpiringSoon")
			run("admin", "get", "nope", "-n", ns).failed(cli.ExitFailure, `apitokens.auth.apitoken.io "nope" not found in namespace "`+ns+`"`)
		})
	})

	Describe("regenerate", func() {
		It("gives a hash-only token a new local value, the old one valid for --grace", func() {
			old := strings.TrimSpace(run("admin", "create", "rot", "-n", ns, "-t").ok())
			hashOnlyValues = append(hashOnlyValues, old)
			out := run("admin", "regenerate", "rot", "-n", ns, "--grace", "1h").ok()
			value := valueLine(out)
			hashOnlyValues = append(hashOnlyValues, value)
			Expect(value).NotTo(Equal(old))
			Expect(out).To(ContainSubstring("regenerated"))
			Eventually(func() bool { return verifies(value) }).Should(BeTrue())
			Eventually(func() bool { return verifies(old) }).Should(BeTrue(), "the previous value verifies during the grace period")
			tok := apiToken(ns, "rot")
			Expect(tok.Spec.Rotation.GracePeriod.Duration.String()).To(Equal("1h0m0s"))
			Expect(tok.Status.Revision).To(Equal(int64(2)))

			newest := strings.TrimSpace(run("admin", "regenerate", "rot", "-n", ns, "--grace", "0s", "-t").ok())
			hashOnlyValues = append(hashOnlyValues, newest)
			Eventually(func() bool { return verifies(newest) }).Should(BeTrue())
			Eventually(func() bool { return verifies(value) }).Should(BeFalse(), "with no grace the previous value stops")
		})

		It("rotates a Secret-held token through the operator and waits for the new revision", func() {
			run("admin", "create", "svc", "-n", ns, "--type", "ApiClient", "--principal", "svc", "--secret", "svc").ok()
			before := apiToken(ns, "svc").Status.TokenHash
			out := run("admin", "regenerate", "svc", "-n", ns).ok()
			Expect(out).To(ContainSubstring(`Secret "svc" key "token" holds revision 2`))
			Expect(apiToken(ns, "svc").Status.TokenHash).NotTo(Equal(before))
			run("admin", "regenerate", "svc", "-n", ns, "-t").failed(cli.ExitUsage, "is Secret-held")
		})
	})

	Describe("revoke and delete", func() {
		It("say what stops working, ask y/N, and stop the value verifying", func() {
			value := strings.TrimSpace(run("admin", "create", "doomed", "-n", ns, "-t").ok())
			hashOnlyValues = append(hashOnlyValues, value)

			r := runWithInput("admin", "n\n", "revoke", "doomed", "-n", ns)
			r.failed(cli.ExitFailure, "aborted: nothing was changed")
			Expect(r.stderr).To(ContainSubstring("its value stops verifying at once"))
			Eventually(func() bool { return verifies(value) }).Should(BeTrue())
			run("admin", "revoke", "doomed", "-n", ns).failed(cli.ExitFailure, "no answer on stdin", "--yes")

			out := runWithInput("admin", "y\n", "revoke", "doomed", "-n", ns).ok()
			Expect(out).To(ContainSubstring("revoked"))
			Expect(apiToken(ns, "doomed").Status.TokenStatus).To(Equal(authv1alpha1.TokenStatusRevoked))
			Eventually(func() bool { return verifies(value) }).Should(BeFalse())
			Expect(run("admin", "revoke", "doomed", "-n", ns).ok()).To(ContainSubstring("already revoked"))

			run("admin", "create", "svc", "-n", ns, "--type", "ApiClient", "--principal", "svc", "--secret", "svc-token").ok()
			r = runWithInput("admin", "yes\n", "delete", "svc", "-n", ns)
			Expect(r.ok()).To(ContainSubstring(`apitoken.auth.apitoken.io/svc deleted from namespace "` + ns + `"`))
			Expect(r.stderr).To(ContainSubstring(`Secret "svc-token" is deleted with it`))
			Expect(apierrorsNotFound(ns, "svc")).To(BeTrue())
		})

		It("times out a --wait with a message that says what holds it", func() {
			run("admin", "create", "held", "-n", ns).ok()
			tok := apiToken(ns, "held")
			tok.Finalizers = append(tok.Finalizers, "example.com/hold")
			Expect(k8sClient.Update(context.Background(), tok)).To(Succeed())
			run("admin", "delete", "held", "-n", ns, "--yes", "--wait", "1s").failed(cli.ExitFailure, "timed out after 1s waiting for ApiToken "+ns+"/held to be deleted", "finalizer")
			tok = apiToken(ns, "held")
			tok.Finalizers = nil
			Expect(k8sClient.Update(context.Background(), tok)).To(Succeed())
		})
	})

	Describe("status", func() {
		It("describes the state in words, with dates, what to do and the Events", func() {
			run("admin", "create", "desc", "-n", ns, "--ttl", "10d", "--scopes", "read:a").ok()
			run("admin", "revoke", "desc", "-n", ns, "--yes").ok()
			// The operator records its Events asynchronously (the
			// recorder's broadcaster), after the status revoke waits for:
			// status lists them as they are when it runs.
			var out string
			Eventually(func(g Gomega) {
				out = run("admin", "status", "desc", "-n", ns).ok()
				g.Expect(out).To(MatchRegexp(`(?m)^\s+Normal\s+Revoked\s`))
			}).Should(Succeed())
			Expect(out).To(MatchRegexp(`(?m)^Name:\s+desc$`))
			Expect(out).To(MatchRegexp(`(?m)^Held:\s+hash-only: the cluster holds only its fingerprint sha256:[0-9a-f]{64}`))
			Expect(out).To(MatchRegexp(`(?m)^State:\s+Revoked: the token no longer verifies$`))
			Expect(out).To(MatchRegexp(`(?m)^Expires:\s+\d{4}-\d\d-\d\dT\S+Z \(in (9d|10d)\)$`))
			Expect(out).To(MatchRegexp(`(?m)^Last used:\s+never$`))
			Expect(out).To(MatchRegexp(`(?m)^Ready:\s+False \(Revoked\): `))
			Expect(out).To(ContainSubstring("What to do:   make it valid again with a new value: kubectl apitoken regenerate desc -n " + ns))
			Expect(out).To(MatchRegexp(`(?m)^Events:$`))
			Expect(out).To(MatchRegexp(`(?m)^\s+Normal\s+Revoked\s`))
		})
	})

	Describe("import", func() {
		It("sends only the fingerprint of a value held elsewhere, after checking its format", func() {
			value := "abcdefghijklmnopqrstuvwxyz012345"
			hashOnlyValues = append(hashOnlyValues, value)
			out := runWithInput("admin", value+"\n", "import", "legacy", "-n", ns, "--type", "Workflow", "--principal", "ci", "--from-stdin").ok()
			Expect(out).To(ContainSubstring("imported"))
			Expect(out).NotTo(ContainSubstring(value))
			Expect(apiToken(ns, "legacy").Spec.Source.Hashed.TokenHash).To(Equal(token.Fingerprint([]byte(value))))
			Eventually(func() bool { return verifies(value) }).Should(BeTrue())

			file := filepath.Join(GinkgoT().TempDir(), "gl.token")
			Expect(os.WriteFile(file, []byte("glpat-0123456789abcdefghij"), 0o600)).To(Succeed())
			hashOnlyValues = append(hashOnlyValues, "glpat-0123456789abcdefghij")
			run("admin", "import", "gl", "-n", ns, "--from-file", file, "--principal", "me", "--type", "Team").failed(cli.ExitFailure, "exactly 32 characters of [a-z0-9]")
			Expect(apierrorsNotFound(ns, "gl")).To(BeTrue())
			run("admin", "import", "gl", "-n", ns, "--from-file", file, "--principal", "me", "--type", "Team", "--pattern", `glpat-[A-Za-z0-9]{20}`).ok()
			Eventually(func() bool { return verifies("glpat-0123456789abcdefghij") }).Should(BeTrue())
			run("admin", "import", "gl2", "-n", ns).failed(cli.ExitUsage, "exactly one of --from-file FILE or --from-stdin")
		})
	})

	Describe("exchange", func() {
		It("gets an access token from the issuer with the value from the Secret or a file", func() {
			run("admin", "create", "svc", "-n", ns, "--type", "ApiClient", "--principal", "svc", "--secret", "svc", "--scopes", "read:a,write:a").ok()
			jwt := strings.TrimSpace(run("admin", "exchange", "svc", "-n", ns, "--issuer-url", issuerURL, "--issuer-ca-file", issuerCAFile, "--scope", "read:a").ok())
			Expect(jwt).To(MatchRegexp(`^[\w-]+\.[\w-]+\.[\w-]+$`))
			claims, err := base64.RawURLEncoding.DecodeString(strings.Split(jwt, ".")[1])
			Expect(err).NotTo(HaveOccurred())
			Expect(string(claims)).To(ContainSubstring(`"scope":"read:a"`))

			value := strings.TrimSpace(run("admin", "create", "mine", "-n", ns, "-t").ok())
			hashOnlyValues = append(hashOnlyValues, value)
			// create waits for the status the API server holds; the issuer's
			// replica verifies from its own cache, which follows it.
			Eventually(func() bool { return verifies(value) }).Should(BeTrue())
			file := filepath.Join(GinkgoT().TempDir(), "mine.token")
			Expect(os.WriteFile(file, []byte(value+"\n"), 0o600)).To(Succeed())
			var resp map[string]any
			Expect(json.Unmarshal([]byte(run("admin", "exchange", "mine", "-n", ns, "--issuer-url", issuerURL, "--issuer-ca-file", issuerCAFile, "--token-file", file, "-o", "json").ok()), &resp)).To(Succeed())
			Expect(resp).To(HaveKeyWithValue("token_type", "Bearer"))
			Expect(resp).To(HaveKey("access_token"))

			run("admin", "exchange", "mine", "-n", ns, "--issuer-url", issuerURL, "--issuer-ca-file", issuerCAFile).failed(cli.ExitFailure, "is hash-only", "--token-file")
			run("admin", "exchange", "mine", "-n", ns, "--issuer-url", issuerURL, "--issuer-ca-file", issuerCAFile, "--token-file", file, "--scope", "admin").failed(cli.ExitFailure, "the token endpoint refused the exchange: invalid_scope")
			run("admin", "exchange", "mine", "-n", ns).failed(cli.ExitUsage, "--issuer-url")
		})
	})

	Describe("RBAC", func() {
		It("says which verb and resource a refused user lacks", func() {
			run("admin", "create", "svc", "-n", ns, "--type", "ApiClient", "--principal", "svc", "--secret", "svc").ok()
			run("viewer", "create", "mine", "-n", ns).failed(cli.ExitFailure, `User "viewer" cannot create resource "apitokens"`, "missing permission: create apitokens.auth.apitoken.io", "kubectl auth can-i create apitokens.auth.apitoken.io -n "+ns)
			Expect(run("viewer", "get", "-n", ns).ok()).To(ContainSubstring("svc"))
			run("viewer", "reveal", "svc", "-n", ns).failed(cli.ExitFailure, `cannot get resource "secrets"`, "missing permission: get secrets")
			run("viewer", "revoke", "svc", "-n", ns, "--yes").failed(cli.ExitFailure, `cannot patch resource "apitokens"`, "missing permission: patch apitokens.auth.apitoken.io")
			run("viewer", "delete", "svc", "-n", ns, "--yes").failed(cli.ExitFailure, "missing permission: delete apitokens.auth.apitoken.io")
			run("nobody", "get", "-n", ns).failed(cli.ExitFailure, `User "nobody" cannot list resource "apitokens"`, "missing permission: list apitokens.auth.apitoken.io")
			run("admin", "get", "-n", ns, "--as", "nobody").failed(cli.ExitFailure, `User "nobody" cannot list resource "apitokens"`)
		})
	})

	// alice holds apitoken-personal-tokens: the personal-tokens admission
	// policy lets through only her own hash-only personal tokens.
	Describe("personal tokens", func() {
		It("lets a holder of apitoken-personal-tokens manage her own tokens, and names the rule for anything else", func() {
			out := run("alice", "create", "laptop", "-n", ns, "--ttl", "30d").ok()
			value := valueLine(out)
			hashOnlyValues = append(hashOnlyValues, value)
			tok := apiToken(ns, "laptop")
			Expect(tok.Spec.Principal).To(Equal("alice"))
			Expect(tok.Annotations).To(HaveKeyWithValue(authv1alpha1.CreatedByAnnotation, "alice"))
			Eventually(func() bool { return verifies(value) }).Should(BeTrue())

			next := valueLine(run("alice", "regenerate", "laptop", "-n", ns).ok())
			hashOnlyValues = append(hashOnlyValues, next)
			Expect(next).NotTo(Equal(value))
			Eventually(func() bool { return verifies(next) }).Should(BeTrue())
			Expect(run("alice", "delete", "laptop", "-n", ns, "--yes").ok()).To(ContainSubstring("deleted"))
			again := strings.TrimSpace(run("alice", "create", "laptop", "-n", ns, "--ttl", "30d", "-t").ok())
			hashOnlyValues = append(hashOnlyValues, again)
			Expect(run("alice", "revoke", "laptop", "-n", ns, "--yes").ok()).To(ContainSubstring("revoked"))
			Eventually(func() bool { return verifies(again) }).Should(BeFalse())
			run("alice", "delete", "laptop", "-n", ns, "--yes").failed(cli.ExitFailure, "a revoked personal token stays", "an administrator deletes it")
			Expect(run("admin", "delete", "laptop", "-n", ns, "--yes").ok()).To(ContainSubstring("deleted"))

			run("alice", "create", "for-bob", "-n", ns, "--principal", "bob", "--ttl", "1h").failed(cli.ExitFailure,
				"ValidatingAdmissionPolicy 'personal-tokens'", `alice may hold only personal tokens: type User, principal "alice"`)
			run("alice", "create", "ci", "-n", ns, "--type", "ApiClient", "--principal", "alice", "--ttl", "1h").failed(cli.ExitFailure,
				"needs create on apitokens/any")
			run("alice", "create", "held", "-n", ns, "--ttl", "1h", "--secret", "held").failed(cli.ExitFailure,
				"spec.source.hashed: a personal token is hash-only")
			run("alice", "create", "forever", "-n", ns).failed(cli.ExitFailure, "spec.ttl: a personal token needs a ttl of at most 8760h")
			run("alice", "create", "long", "-n", ns, "--ttl", "400d").failed(cli.ExitFailure, "spec.ttl", "not 9600h")
			run("alice", "create", "scoped", "-n", ns, "--ttl", "1h", "--scopes", "admin").failed(cli.ExitFailure, "spec.scopes", "(none)")

			run("admin", "create", "shared", "-n", ns, "--type", "ApiClient", "--principal", "svc", "--secret", "shared").ok()
			run("alice", "revoke", "shared", "-n", ns, "--yes").failed(cli.ExitFailure, "may change and delete only their own personal tokens")
			run("alice", "delete", "shared", "-n", ns, "--yes").failed(cli.ExitFailure, `ApiToken "shared" in namespace "`+ns+`" is not one`)
			Expect(apiToken(ns, "shared").Spec.Revoked).To(BeFalse())
		})
	})

	Describe("completion and version", func() {
		It("completes commands, names and flag values, and prints scripts and the version", func() {
			run("admin", "create", "complete-me", "-n", ns).ok()
			Expect(run("admin", "__complete", "status", "-n", ns, "comp").ok()).To(HavePrefix("complete-me\n"))
			Expect(run("admin", "__complete", "get", "--type", "").ok()).To(HavePrefix("User\nTeam\nSession\nWorkflow\nGlobal\nApiClient\n"))
			Expect(run("admin", "__complete", "re").ok()).To(MatchRegexp(`(?m)^regenerate\t`))
			Expect(run("admin", "completion", "bash").ok()).To(ContainSubstring("__start_kubectl-apitoken"))
			Expect(run("admin", "completion", "zsh").ok()).To(ContainSubstring("#compdef kubectl-apitoken"))
			Expect(run("admin", "completion", "fish").ok()).To(ContainSubstring("complete -c kubectl-apitoken"))
			Expect(run("admin", "version").ok()).To(MatchRegexp(`^kubectl-apitoken \S+ \(go1\.`))
		})
	})

	// The leak scan runs last: every value the plugin drew appears only on
	// the stdout of the create or regenerate that drew it (and in output
	// files), never on stderr, in another command's output, in the manager's
	// logs, in an ApiToken or an Event.
	It("finds no drawn value anywhere but where it was printed", func() {
		Expect(hashOnlyValues).NotTo(BeEmpty())
		places := map[string]string{"manager logs": managerLogs.String()}
		for i, r := range runs {
			places["stderr of run "+strconv.Itoa(i)+": "+strings.Join(r.args, " ")] = r.stderr
			if len(r.args) > 0 && r.args[0] != "create" && r.args[0] != "regenerate" {
				places["stdout of run "+strconv.Itoa(i)+": "+strings.Join(r.args, " ")] = r.stdout
			}
		}
		var toks authv1alpha1.ApiTokenList
		Expect(k8sClient.List(context.Background(), &toks)).To(Succeed())
		b, _ := json.Marshal(toks)
		places["ApiTokens"] = string(b)
		var events corev1.EventList
		Expect(k8sClient.List(context.Background(), &events)).To(Succeed())
		b, _ = json.Marshal(events)
		places["Events"] = string(b)
		var leaks []string
		for _, v := range hashOnlyValues {
			if leak, found := testutil.FindLeak(places, []string{v}); found {
				leaks = append(leaks, leak.Where+": "+leak.Context)
			}
		}
		Expect(leaks).To(BeEmpty())
	})
})

// apierrorsNotFound says the ApiToken does not exist.
func apierrorsNotFound(ns, name string) bool {
	err := k8sClient.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &authv1alpha1.ApiToken{})
	return apierrors.IsNotFound(err)
}
