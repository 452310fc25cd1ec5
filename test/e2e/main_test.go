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

// Package e2e runs the built manager binary as a process against envtest,
// authenticated as its ServiceAccount and authorized by exactly the RBAC in
// config/rbac: what a cluster gives it, and nothing more.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// operatorNamespace is where the manager's ServiceAccount and Roles live.
const operatorNamespace = "apitoken-system"

var (
	cfg       *rest.Config
	k8sClient client.Client
	scheme    = runtime.NewScheme()
	// managerBinary is the built ./cmd.
	managerBinary string
	// managerKubeconfig authenticates as the manager's ServiceAccount.
	managerKubeconfig string
	// callerToken is a ServiceAccount token allowed to query and verify
	// (bound to apitoken-query-reader and apitoken-verifier).
	callerToken string
)

func TestMain(m *testing.M) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Println("KUBEBUILDER_ASSETS is not set: run 'make test'; skipping the binary's end-to-end tests")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	env := &envtest.Environment{CRDDirectoryPaths: []string{filepath.Join("..", "..", "config", "crd", "bases")}, ErrorIfCRDPathMissing: true}
	var err error
	if cfg, err = env.Start(); err != nil {
		fmt.Println("starting envtest:", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	dir, err := os.MkdirTemp("", "apitoken-e2e-")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := setUp(dir); err != nil {
		fmt.Println("setting up:", err)
		return 1
	}
	return m.Run()
}

func setUp(dir string) error {
	_ = clientgoscheme.AddToScheme(scheme)
	_ = authv1alpha1.AddToScheme(scheme)
	var err error
	if k8sClient, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return err
	}
	managerBinary = filepath.Join(dir, "manager")
	build := exec.Command("go", "build", "-o", managerBinary, "../../cmd")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	ctx := context.Background()
	if err := k8sClient.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: operatorNamespace}}); err != nil {
		return err
	}
	// The manager's own RBAC, as config/rbac/kustomization.yaml lists it,
	// and the roles a caller of the query and verify endpoints is given.
	for _, f := range []string{"service_account.yaml", "role.yaml", "role_binding.yaml", "leader_election_role.yaml",
		"leader_election_role_binding.yaml", "metrics_auth_role.yaml", "metrics_auth_role_binding.yaml",
		"query_reader_role.yaml", "verifier_role.yaml"} {
		if err := applyRBAC(ctx, filepath.Join("..", "..", "config", "rbac", f)); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	managerToken, err := serviceAccountToken(ctx, cs, "controller-manager")
	if err != nil {
		return err
	}
	managerKubeconfig = filepath.Join(dir, "manager.kubeconfig")
	if err := writeKubeconfig(managerKubeconfig, managerToken); err != nil {
		return err
	}
	if err := k8sClient.Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: operatorNamespace, Name: "caller"}}); err != nil {
		return err
	}
	for _, role := range []string{"apitoken-query-reader", "apitoken-verifier"} {
		binding := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
			"metadata": map[string]any{"name": "caller-" + role},
			"roleRef":  map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
			"subjects": []any{map[string]any{"kind": "ServiceAccount", "namespace": operatorNamespace, "name": "caller"}},
		}}
		if err := k8sClient.Create(ctx, binding); err != nil {
			return err
		}
	}
	callerToken, err = serviceAccountToken(ctx, cs, "caller")
	return err
}

// applyRBAC creates the objects of a config/rbac file the way kustomize
// places them: namespaced ones, and ServiceAccount subjects, in the
// operator's namespace.
func applyRBAC(ctx context.Context, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, doc := range strings.Split(string(raw), "\n---") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			return err
		}
		if len(u.Object) == 0 {
			continue
		}
		switch u.GetKind() {
		case "ServiceAccount", "Role", "RoleBinding":
			u.SetNamespace(operatorNamespace)
		}
		if subjects, ok := u.Object["subjects"].([]any); ok {
			for _, s := range subjects {
				if m, ok := s.(map[string]any); ok && m["kind"] == "ServiceAccount" {
					m["namespace"] = operatorNamespace
				}
			}
		}
		if err := k8sClient.Create(ctx, u); err != nil {
			return err
		}
	}
	return nil
}

func serviceAccountToken(ctx context.Context, cs kubernetes.Interface, name string) (string, error) {
	exp := int64(24 * 3600)
	tr, err := cs.CoreV1().ServiceAccounts(operatorNamespace).CreateToken(ctx, name,
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &exp}}, metav1.CreateOptions{})
	if err != nil {
		return "", err
	}
	return tr.Status.Token, nil
}

// writeKubeconfig writes a kubeconfig for the envtest API server that
// authenticates with a bearer token only.
func writeKubeconfig(path, bearer string) error {
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["manager"] = &clientcmdapi.AuthInfo{Token: bearer}
	kc.Contexts["manager"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "manager", Namespace: operatorNamespace}
	kc.CurrentContext = "manager"
	return clientcmd.WriteToFile(*kc, path)
}

// operator is the manager binary running as a process.
type operator struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// startOperator runs the binary with the manager's kubeconfig and args,
// its output going to logs.
func startOperator(t *testing.T, logs *testutil.SyncBuffer, args ...string) *operator {
	t.Helper()
	return startOperatorWithEnv(t, logs, nil, args...)
}

// startOperatorWithEnv is startOperator with env added to the binary's
// environment.
func startOperatorWithEnv(t *testing.T, logs *testutil.SyncBuffer, env []string, args ...string) *operator {
	t.Helper()
	cmd := exec.Command(managerBinary, args...)
	cmd.Env = append(append(os.Environ(), "KUBECONFIG="+managerKubeconfig), env...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o := &operator{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(o.done) }()
	t.Cleanup(func() { o.kill() })
	return o
}

// kill sends SIGKILL: no shutdown hook runs.
func (o *operator) kill() {
	_ = o.cmd.Process.Signal(syscall.SIGKILL)
	<-o.done
}

// stop sends SIGTERM and waits for a graceful exit.
func (o *operator) stop(t *testing.T) {
	t.Helper()
	_ = o.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-o.done:
	case <-time.After(60 * time.Second):
		t.Fatal("the manager did not stop within 60s of SIGTERM")
	}
}

func newNamespace(t *testing.T, prefix string) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: prefix}}
	if err := k8sClient.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}
