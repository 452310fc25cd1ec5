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
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/cert"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/managercache"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// The suite runs the operator (controller, query API, issuer) against a
// real API server and runs the plugin's commands in-process, as cmctl's
// integration tests do: each with its own kubeconfig, its streams
// captured, its exit code returned.
var (
	testEnv   *envtest.Environment
	cfg       *rest.Config
	k8sClient client.Client
	scheme    = runtime.NewScheme()
	cancel    context.CancelFunc
	// managerLogs is everything the manager logs.
	managerLogs = &testutil.SyncBuffer{}
	// queryURL and issuerURL are the operator's listeners; issuerCAFile
	// holds the CA their certificate is signed by.
	queryURL, issuerURL, issuerCAFile string
	httpsClient                       *http.Client
	// kubeconfigs by user: "admin" (system:masters), "viewer" (the viewer
	// role), "alice" (personal tokens), "nobody".
	kubeconfigs = map[string]string{}
	// runs is every run of the plugin, for the leak scan.
	runs []result
)

const operatorNamespace = "apitoken-system"

func TestCLI(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "kubectl-apitoken Suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(testutil.MostVerboseLogger(managerLogs))
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(authv1alpha1.AddToScheme(scheme)).To(Succeed())
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	var err error
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred(), "starting envtest: run 'make test', which gets kube-apiserver and etcd and sets KUBEBUILDER_ASSETS")
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	// The token-policy admission policies as shipped: the plugin meets
	// them as kubectl does.
	for _, f := range []string{"token_policy.yaml", "token_policy_binding.yaml"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "config", "admission", f))
		Expect(err).NotTo(HaveOccurred())
		obj := &unstructured.Unstructured{}
		Expect(yaml.Unmarshal(b, &obj.Object)).To(Succeed())
		Expect(k8sClient.Create(context.Background(), obj)).To(Succeed())
	}

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Cache: managercache.Options(),
	})
	Expect(err).NotTo(HaveOccurred())
	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatorNamespace}})).To(Succeed())
	addr, issuerAddr := freeAddress(), freeAddress()
	issuerURL = "https://" + issuerAddr
	_, err = operator.Setup(ctx, mgr, operator.Options{
		MaxConcurrentReconciles: 2,
		Query:                   httpserver.ServingOptions{BindAddress: addr, CertDir: servingCertDir()},
		Issuer: operator.IssuerOptions{BindAddress: issuerAddr, URL: issuerURL, Rotation: time.Hour, Overlap: time.Minute,
			Namespace: operatorNamespace, SecretName: "signing-keys"},
		QueryAuth:        httpserver.AuthNone,
		LastUsedInterval: time.Second,
	})
	Expect(err).NotTo(HaveOccurred())
	queryURL = "https://" + addr
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()

	kubeconfigs["admin"] = kubeconfigFor(envtest.User{Name: "admin", Groups: []string{"system:masters"}})
	for _, name := range []string{"viewer", "alice", "nobody"} {
		kubeconfigs[name] = kubeconfigFor(envtest.User{Name: name})
	}
	bindClusterRole("viewer", "apitoken-viewer-role", "apitoken_viewer_role.yaml")
	bindClusterRole("alice", "apitoken-personal-tokens", "personal_tokens_role.yaml")
	installPersonalTokensPolicy()
})

// installPersonalTokensPolicy applies config/admission's personal-tokens
// policy and binding and their self-service ConfigMap, as kubectl apply -k
// config/default does.
func installPersonalTokensPolicy() {
	_, err := testutil.InstallPersonalTokensPolicy(context.Background(), k8sClient, filepath.Join("..", ".."))
	Expect(err).NotTo(HaveOccurred())
	aliceCfg, err := clientcmd.BuildConfigFromFlags("", kubeconfigs["alice"])
	Expect(err).NotTo(HaveOccurred())
	alice, err := client.New(aliceCfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	probe := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "probe"},
		Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "bob"}}
	Eventually(func() error {
		return alice.Create(context.Background(), probe, client.DryRunAll)
	}).WithTimeout(time.Minute).Should(MatchError(ContainSubstring("personal-tokens")), "the personal-tokens policy takes effect")
}

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

// result is one run of the plugin.
type result struct {
	args           []string
	stdout, stderr string
	code           int
}

// run runs "kubectl apitoken args..." as user, stdin empty.
func run(user string, args ...string) result {
	return runWithInput(user, "", args...)
}

func runWithInput(user, stdin string, args ...string) result {
	GinkgoHelper()
	var out, errOut bytes.Buffer
	full := append([]string{"--kubeconfig", kubeconfigs[user]}, args...)
	code := cli.Main(full, cli.Env{IOStreams: genericiooptions.IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}})
	r := result{args: args, stdout: out.String(), stderr: errOut.String(), code: code}
	runs = append(runs, r)
	GinkgoWriter.Printf("$ kubectl apitoken %s   (as %s, exit %d)\n%s%s", strings.Join(args, " "), user, code, r.stdout, r.stderr)
	return r
}

// ok asserts exit 0 and returns stdout.
func (r result) ok() string {
	GinkgoHelper()
	Expect(r.code).To(Equal(cli.ExitOK), "kubectl apitoken %s: %s", strings.Join(r.args, " "), r.stderr)
	return r.stdout
}

// failed asserts exit code and a one-line error naming want.
func (r result) failed(code int, want ...string) {
	GinkgoHelper()
	Expect(r.code).To(Equal(code), "kubectl apitoken %s: stdout %q stderr %q", strings.Join(r.args, " "), r.stdout, r.stderr)
	// The error is the last line: a question may come before it.
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if strings.HasPrefix(last, "See '") && len(lines) > 1 {
		last = lines[len(lines)-2] // a usage error's hint
	}
	Expect(last).To(HavePrefix("error: "))
	for _, w := range want {
		Expect(last).To(ContainSubstring(w))
	}
}

func kubeconfigFor(u envtest.User) string {
	au, err := testEnv.AddUser(u, nil)
	Expect(err).NotTo(HaveOccurred())
	b, err := au.KubeConfig()
	Expect(err).NotTo(HaveOccurred())
	path := filepath.Join(GinkgoT().TempDir(), u.Name+".kubeconfig")
	Expect(os.WriteFile(path, b, 0o600)).To(Succeed())
	return path
}

// bindClusterRole applies a ClusterRole from config/rbac and binds it,
// cluster-wide, to user.
func bindClusterRole(user, role, file string) {
	b, err := os.ReadFile(filepath.Join("..", "..", "config", "rbac", file))
	Expect(err).NotTo(HaveOccurred())
	cr := &rbacv1.ClusterRole{}
	Expect(yaml.UnmarshalStrict(b, cr)).To(Succeed())
	Expect(cr.Name).To(Equal(role))
	Expect(client.IgnoreAlreadyExists(k8sClient.Create(context.Background(), cr))).To(Succeed())
	Expect(k8sClient.Create(context.Background(), &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: user + "-" + role},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: "User", APIGroup: "rbac.authorization.k8s.io", Name: user}},
	})).To(Succeed())
}

// newNamespace makes a namespace for one spec.
func newNamespace() string {
	GinkgoHelper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "cli-"}}
	Expect(k8sClient.Create(context.Background(), ns)).To(Succeed())
	return ns.Name
}

// servingCertDir writes a certificate for 127.0.0.1 as --query-cert-dir
// holds it, and its CA as the file --issuer-ca-file takes.
func servingCertDir() string {
	certPEM, keyPEM, err := cert.GenerateSelfSignedCertKey("127.0.0.1", []net.IP{net.ParseIP("127.0.0.1")}, []string{"localhost"})
	Expect(err).NotTo(HaveOccurred())
	dir := GinkgoT().TempDir()
	Expect(os.WriteFile(filepath.Join(dir, "tls.crt"), certPEM, 0o600)).To(Succeed())
	Expect(os.WriteFile(filepath.Join(dir, "tls.key"), keyPEM, 0o600)).To(Succeed())
	issuerCAFile = filepath.Join(dir, "ca.crt")
	Expect(os.WriteFile(issuerCAFile, certPEM, 0o600)).To(Succeed())
	pool := x509.NewCertPool()
	Expect(pool.AppendCertsFromPEM(certPEM)).To(BeTrue())
	httpsClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return dir
}

func freeAddress() string {
	addr, err := testutil.FreeAddress()
	Expect(err).NotTo(HaveOccurred())
	return addr
}
