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
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// The suite runs the real manager (cache, indexes, watches, controller)
// against a real kube-apiserver and etcd. Specs talk to the API server
// through k8sClient, which has no cache; the manager's writes are counted.
var (
	testEnv   *envtest.Environment
	cfg       *rest.Config
	k8sClient client.Client
	scheme    = runtime.NewScheme()

	// managerLogs captures everything the manager logs, at the most verbose level.
	managerLogs = &testutil.SyncBuffer{}
	mgr         *runningManager
	// metricsURL is where the running manager serves /metrics.
	metricsURL string
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controller Suite")
}

var _ = BeforeSuite(func() {
	// The most verbose level zap allows, clamped the way cmd/main.go clamps it.
	logf.SetLogger(testutil.MostVerboseLogger(io.MultiWriter(GinkgoWriter, managerLogs)))
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(authv1alpha1.AddToScheme(scheme)).To(Succeed())

	testEnv = &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	// A certificate directory of our own survives an API server restart
	// (the Faults spec restarts it); envtest's own is reset on Stop.
	certDir, err := os.MkdirTemp("", "apitoken-envtest-")
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(os.RemoveAll, certDir)
	testEnv.ControlPlane.GetAPIServer().CertDir = certDir
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred(), "starting envtest: run 'make test', which gets kube-apiserver and etcd and sets KUBEBUILDER_ASSETS")
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	mgr = startManager()
})

var _ = AfterSuite(func() {
	if mgr != nil {
		mgr.stop()
	}
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

// runningManager is a started manager and the API writes its client made.
type runningManager struct {
	cancel  context.CancelFunc
	done    chan struct{}
	writes  *writeCounter
	elected <-chan struct{}
	// queryURL is its query API (plain HTTP, no auth) when it serves one.
	queryURL string
	// cache is its informer cache, to see what it holds.
	cache cache.Cache
}

// managerOptions vary startManager for the high-availability specs.
type managerOptions struct {
	// leaderElectionID turns leader election on, with short timings.
	leaderElectionID string
	// query serves the query API on a free port.
	query bool
}

// Lease timings of the leader-elected managers in specs.
var (
	testLeaseDuration = 4 * time.Second
	testRenewDeadline = 3 * time.Second
	testRetryPeriod   = 500 * time.Millisecond
)

func (m *runningManager) stop() {
	m.cancel()
	Eventually(m.done, 30*time.Second).Should(BeClosed())
}

// startManager runs a manager set up exactly as cmd/main.go sets it up
// (operator.ManagerOptions and operator.Setup).
func startManager() *runningManager {
	metricsAddr := freeAddress()
	metricsURL = "http://" + metricsAddr + "/metrics"
	return startManagerWith(managerOptions{}, metricsAddr)
}

func startManagerWith(opts managerOptions, metricsAddr string) *runningManager {
	writes := &writeCounter{counts: map[string]int{}}
	// The options and the setup cmd/main.go uses, with test addresses,
	// short lease timings and a client that counts writes.
	o := operator.ManagerOptions()
	o.LeaderElection = opts.leaderElectionID != ""
	if o.LeaderElection {
		o.LeaderElectionID = opts.leaderElectionID
	}
	o.LeaderElectionNamespace = "default"
	o.LeaseDuration, o.RenewDeadline, o.RetryPeriod = &testLeaseDuration, &testRenewDeadline, &testRetryPeriod
	o.Metrics = operator.MetricsOptions(metricsAddr, false, nil)
	o.HealthProbeBindAddress = "0"
	// Specs restart the manager; controller names are unique per process otherwise.
	o.Controller = config.Controller{SkipNameValidation: ptr.To(true)}
	o.NewClient = func(c *rest.Config, o client.Options) (client.Client, error) {
		cl, err := client.NewWithWatch(c, o)
		if err != nil {
			return nil, err
		}
		return interceptor.NewClient(cl, writes.funcs()), nil
	}
	m, err := ctrl.NewManager(cfg, o)
	Expect(err).NotTo(HaveOccurred())
	ctx, cancel := context.WithCancel(context.Background())
	queryAddr, queryURL := "0", ""
	if opts.query {
		queryAddr = freeAddress()
		queryURL = "http://" + queryAddr
	}
	_, err = operator.Setup(ctx, m, operator.Options{
		MaxConcurrentReconciles: 4,
		Query:                   httpserver.ServingOptions{BindAddress: queryAddr, Insecure: true},
		QueryAuth:               httpserver.AuthNone,
	})
	Expect(err).NotTo(HaveOccurred())
	done := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(done)
		Expect(m.Start(ctx)).To(Succeed())
	}()
	return &runningManager{cancel: cancel, done: done, writes: writes, elected: m.Elected(), queryURL: queryURL, cache: m.GetCache()}
}

func (m *runningManager) leading() bool {
	select {
	case <-m.elected:
		return true
	default:
		return false
	}
}

func freeAddress() string {
	addr, err := testutil.FreeAddress()
	Expect(err).NotTo(HaveOccurred())
	return addr
}

// writeCounter counts the manager's API writes per object ("Secret/ns/name",
// "ApiToken/ns/name", "ApiToken/ns/name/status").
type writeCounter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (w *writeCounter) add(obj client.Object, sub string) {
	kind := fmt.Sprintf("%T", obj)
	switch obj.(type) {
	case *authv1alpha1.ApiToken:
		kind = "ApiToken"
	default:
		if gvk := obj.GetObjectKind().GroupVersionKind(); gvk.Kind != "" {
			kind = gvk.Kind
		} else if k, err := apiKind(obj); err == nil {
			kind = k
		}
	}
	key := kind + "/" + obj.GetNamespace() + "/" + obj.GetName()
	if sub != "" {
		key += "/" + sub
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.counts[key]++
}

func apiKind(obj client.Object) (string, error) {
	gvks, _, err := scheme.ObjectKinds(obj)
	if err != nil || len(gvks) == 0 {
		return "", fmt.Errorf("unknown kind: %w", err)
	}
	return gvks[0].Kind, nil
}

// forToken is the number of writes to an ApiToken, its status and its Secret.
func (w *writeCounter) forToken(ns, name, secret string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.counts["ApiToken/"+ns+"/"+name] + w.counts["ApiToken/"+ns+"/"+name+"/status"] + w.counts["Secret/"+ns+"/"+secret]
}

// inNamespace is the number of writes to objects in a namespace.
func (w *writeCounter) inNamespace(ns string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for k, c := range w.counts {
		if parts := strings.SplitN(k, "/", 3); len(parts) == 3 && parts[1] == ns {
			n += c
		}
	}
	return n
}

func (w *writeCounter) funcs() interceptor.Funcs {
	return interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			w.add(obj, "")
			return c.Create(ctx, obj, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			w.add(obj, "")
			return c.Update(ctx, obj, opts...)
		},
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
			w.add(obj, "")
			return c.Patch(ctx, obj, p, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			w.add(obj, "")
			return c.Delete(ctx, obj, opts...)
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, p client.Patch, opts ...client.SubResourcePatchOption) error {
			w.add(obj, sub)
			return c.SubResource(sub).Patch(ctx, obj, p, opts...)
		},
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			w.add(obj, sub)
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
	}
}
