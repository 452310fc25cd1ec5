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
	"io"
	"net/http"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/controller"
	"github.com/apitoken-io/apitoken-operator/internal/httpapi"
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
		// The server's certificate is self-signed (no --query-cert-dir).
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // test client of a self-signed server
	}}
	cancel context.CancelFunc
	// managerLogs is everything the manager logs.
	managerLogs = &testutil.SyncBuffer{}
)

// lastUsedInterval is short so that specs see lastUsedDate written.
const lastUsedInterval = 2 * time.Second

// verifyFailureLimit is high enough that the specs' own wrong tokens never
// trip it; the guessing specs make that many failures on purpose.
const verifyFailureLimit = 40

// selfServiceMaxTTL caps personal tokens in the suite.
const selfServiceMaxTTL = 48 * time.Hour

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
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred(), "starting envtest: run 'make test', which gets kube-apiserver and etcd and sets KUBEBUILDER_ASSETS")
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	clientset, err = kubernetes.NewForConfig(cfg)
	Expect(err).NotTo(HaveOccurred())

	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  controller.CacheOptions(),
	})
	Expect(err).NotTo(HaveOccurred())
	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	addr, fwdAddr := freeAddress(), freeAddress()
	forwardAuthURL = "https://" + fwdAddr
	_, err = operator.Setup(ctx, mgr, operator.Options{
		ForwardAuthBindAddress:  fwdAddr,
		MaxConcurrentReconciles: 4,
		Query:                   httpapi.ServingOptions{BindAddress: addr},
		QueryAuth:               httpapi.AuthKubernetes,
		LastUsedInterval:        lastUsedInterval,
		VerifyFailureLimit:      verifyFailureLimit,
		TrustedProxies:          []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
		SelfServiceMaxTTL:       selfServiceMaxTTL,
		SelfServiceScopes:       []string{"profile:*"},
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
})

func freeAddress() string {
	addr, err := testutil.FreeAddress()
	Expect(err).NotTo(HaveOccurred())
	return addr
}
