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
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/cert"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/yaml"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/docs/reference"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/managercache"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// The suite runs the operator with its query server (TLS, --query-auth
// kubernetes) against a real API server, and calls the server over HTTPS
// with ServiceAccount tokens from TokenRequest.
var (
	testEnv   *envtest.Environment
	cfg       *rest.Config
	k8sClient client.Client
	clientset *kubernetes.Clientset
	scheme    = runtime.NewScheme()
	baseURL   string
	// forwardAuthURL is the forward-auth listener (same TLS as the query API).
	forwardAuthURL string
	httpClient     = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		// Specs other than the issuer's do not check the server's certificate.
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // test client of a self-signed server
	}}
	// issuerURL is the issuer listener (same TLS as the query API); its
	// certificate is signed by issuerCA, which issuerClient trusts.
	issuerURL    string
	issuerCA     []byte
	issuerClient *http.Client
	cancel       context.CancelFunc
	// managerLogs is everything the manager logs.
	managerLogs = &testutil.SyncBuffer{}
	// openAPI checks every answer the suite's clients get against
	// docs/reference/openapi.yaml; AfterSuite fails on what it found.
	openAPI *testutil.OpenAPIValidator
)

// lastUsedInterval is short so that specs see lastUsedDate written.
const lastUsedInterval = 2 * time.Second

// verifyFailureLimit is high enough that the specs' own wrong tokens never
// trip it; the guessing specs make that many failures on purpose.
const verifyFailureLimit = 40

// sidebandNamespace is the namespace the suite's sideband token API manages.
const sidebandNamespace = "ase-sideband"

// selfServiceMaxTTL caps personal tokens in the suite.
const selfServiceMaxTTL = 48 * time.Hour

// consoleExpiringSoon is the console's "Expiring soon" window in the suite.
const consoleExpiringSoon = 7 * 24 * time.Hour

// The suite's signing keys rotate every few seconds, so that a spec sees a
// rotation (and every other spec runs across them).
const (
	operatorNamespace  = "apitoken-system"
	signingKeySecret   = "signing-keys"
	signingKeyRotation = 15 * time.Second
	signingKeyOverlap  = 5 * time.Second
)

func TestHTTPAPI(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "HTTP API Suite")
}

var _ = BeforeSuite(func() {
	// The most verbose level zap allows, clamped as cmd/main.go clamps it,
	// captured so that specs can scan it for token values.
	logf.SetLogger(testutil.MostVerboseLogger(io.MultiWriter(GinkgoWriter, managerLogs)))
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(authv1alpha1.AddToScheme(scheme)).To(Succeed())
	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	var err error
	openAPI, err = testutil.NewOpenAPIValidator(reference.OpenAPIYAML)
	Expect(err).NotTo(HaveOccurred())
	httpClient.Transport = openAPI.Wrap(httpClient.Transport)
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred(), "starting envtest: run 'make test', which gets kube-apiserver and etcd and sets KUBEBUILDER_ASSETS")
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	clientset, err = kubernetes.NewForConfig(cfg)
	Expect(err).NotTo(HaveOccurred())
	// The token-policy admission policies as shipped: writes through the
	// HTTP API meet them as kubectl's do.
	for _, f := range []string{"token_policy.yaml", "token_policy_warn.yaml"} {
		policy := &admissionregistrationv1.ValidatingAdmissionPolicy{}
		readAdmission(f, policy)
		Expect(k8sClient.Create(context.Background(), policy)).To(Succeed())
	}
	for _, f := range []string{"token_policy_binding.yaml", "token_policy_warn_binding.yaml"} {
		binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
		readAdmission(f, binding)
		Expect(k8sClient.Create(context.Background(), binding)).To(Succeed())
	}

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  managercache.Options(),
		NewClient:              newInterleavingClient,
	})
	Expect(err).NotTo(HaveOccurred())
	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	addr, fwdAddr, issuerAddr := freeAddress(), freeAddress(), freeAddress()
	forwardAuthURL, issuerURL = "https://"+fwdAddr, "https://"+issuerAddr
	certDir := servingCertDir()
	issuerClient.Transport = openAPI.Wrap(issuerClient.Transport)
	Expect(k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatorNamespace}})).To(Succeed())
	_, err = operator.Setup(ctx, mgr, operator.Options{
		ForwardAuthBindAddress:  fwdAddr,
		MaxConcurrentReconciles: 4,
		Query:                   httpserver.ServingOptions{BindAddress: addr, CertDir: certDir},
		Issuer: operator.IssuerOptions{BindAddress: issuerAddr, URL: issuerURL, Rotation: signingKeyRotation, Overlap: signingKeyOverlap,
			Namespace: operatorNamespace, SecretName: signingKeySecret},
		QueryAuth:          httpserver.AuthKubernetes,
		LastUsedInterval:   lastUsedInterval,
		VerifyFailureLimit: verifyFailureLimit,
		TrustedProxies:     []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		SelfServiceMaxTTL:  selfServiceMaxTTL,
		SelfServiceScopes:  []string{"profile:*"},
		Console:            operator.ConsoleOptions{Enabled: true, ExpiringSoon: consoleExpiringSoon},
		SidebandNamespace:  sidebandNamespace,
	})
	Expect(err).NotTo(HaveOccurred())
	baseURL = "https://" + addr
	go func() {
		defer GinkgoRecover()
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
})

var _ = AfterSuite(func() {
	if cancel != nil {
		cancel()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
	if openAPI != nil {
		Expect(openAPI.Failures()).To(BeEmpty(), "answers that docs/reference/openapi.yaml does not describe (of %d checked)", openAPI.Checked())
	}
})

// servingCertDir writes a certificate for 127.0.0.1, signed by a CA of its
// own (issuerCA), as --query-cert-dir holds it.
func servingCertDir() string {
	certPEM, keyPEM, err := cert.GenerateSelfSignedCertKey("127.0.0.1", []net.IP{net.ParseIP("127.0.0.1")}, []string{"localhost"})
	Expect(err).NotTo(HaveOccurred())
	dir := GinkgoT().TempDir()
	Expect(os.WriteFile(filepath.Join(dir, "tls.crt"), certPEM, 0o600)).To(Succeed())
	Expect(os.WriteFile(filepath.Join(dir, "tls.key"), keyPEM, 0o600)).To(Succeed())
	issuerCA = certPEM
	pool := x509.NewCertPool()
	Expect(pool.AppendCertsFromPEM(certPEM)).To(BeTrue())
	issuerClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	return dir
}

// readAdmission reads a file of config/admission.
func readAdmission(file string, into any) {
	b, err := os.ReadFile(filepath.Join("..", "..", "config", "admission", file))
	Expect(err).NotTo(HaveOccurred())
	Expect(yaml.UnmarshalStrict(b, into)).To(Succeed())
}

func freeAddress() string {
	addr, err := testutil.FreeAddress()
	Expect(err).NotTo(HaveOccurred())
	return addr
}
