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

// Command dev runs a local, throwaway Kubernetes control plane (etcd and
// kube-apiserver, the envtest binaries) with the operator on top, for trying
// it with nothing but Go installed: make dev. It writes an admin kubeconfig,
// installs the CRDs, applies the samples, serves the query API on loopback
// without auth, and stops everything on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/logging"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		queryAddr, issuerAddr, kubeconfigPath, crdDir, samplesDir string
	)
	flag.StringVar(&queryAddr, "query-bind-address", "127.0.0.1:8082", "Where the query API listens (plain HTTP, no auth: keep it on loopback).")
	flag.StringVar(&issuerAddr, "issuer-bind-address", "127.0.0.1:8084",
		"Where the access-token issuer listens (plain HTTP: keep it on loopback); 0 disables it.")
	flag.StringVar(&kubeconfigPath, "kubeconfig-out", "bin/dev/kubeconfig", "Where to write the admin kubeconfig of the local control plane.")
	flag.StringVar(&crdDir, "crds", "config/crd/bases", "Directory of the CRDs to install.")
	flag.StringVar(&samplesDir, "samples", "config/samples", "Directory of ApiTokens to apply (namespace default); empty applies none.")
	opts := zap.Options{Development: true}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(logging.Clamp(zap.New(zap.UseFlagOptions(&opts))))

	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return errors.New("KUBEBUILDER_ASSETS is not set: run make dev, which gets kube-apiserver and etcd first")
	}
	env := &envtest.Environment{CRDDirectoryPaths: []string{crdDir}, ErrorIfCRDPathMissing: true}
	fmt.Println("Starting etcd and kube-apiserver...")
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("starting the control plane: %w", err)
	}
	defer func() {
		fmt.Println("Stopping the control plane...")
		if err := env.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "dev: stopping the control plane:", err)
		}
	}()

	if err := writeKubeconfig(env, kubeconfigPath); err != nil {
		return err
	}
	mgrOpts := operator.ManagerOptions()
	mgrOpts.Metrics = metricsserver.Options{BindAddress: "0"}
	mgrOpts.HealthProbeBindAddress = "0"
	mgr, err := ctrl.NewManager(cfg, mgrOpts)
	if err != nil {
		return fmt.Errorf("creating the manager: %w", err)
	}
	ctx := ctrl.SetupSignalHandler()
	if _, err := operator.Setup(ctx, mgr, operator.Options{
		MaxConcurrentReconciles: 4,
		Query:                   httpserver.ServingOptions{BindAddress: queryAddr, Insecure: true},
		QueryAuth:               httpserver.AuthNone,
		VerifyFailureLimit:      guessing.DefaultFailureLimit,
		// Plain HTTP, as the query API: --query-insecure allows an http
		// issuer URL. The signing keys live in the default namespace.
		Issuer: operator.IssuerOptions{BindAddress: issuerAddr, URL: "http://" + issuerAddr, Namespace: "default",
			Rotation: operator.DefaultSigningKeyRotation, Overlap: operator.DefaultSigningKeyOverlap},
		Console: operator.ConsoleOptions{Enabled: true, DefaultNamespace: "default"},
	}); err != nil {
		return err
	}
	if samplesDir != "" {
		if err := applySamples(ctx, cfg, samplesDir); err != nil {
			return err
		}
	}
	printNextSteps(kubeconfigPath, queryAddr, issuerAddr)
	return mgr.Start(ctx)
}

func writeKubeconfig(env *envtest.Environment, path string) error {
	u, err := env.ControlPlane.AddUser(envtest.User{Name: "dev-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("creating the admin user: %w", err)
	}
	kc, err := u.KubeConfig()
	if err != nil {
		return fmt.Errorf("writing the kubeconfig: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		return fmt.Errorf("writing the kubeconfig: %w", err)
	}
	return nil
}

// applySamples creates every ApiToken found in the directory's YAML files
// (the kustomization file aside) in the default namespace.
func applySamples(ctx context.Context, cfg *rest.Config, dir string) error {
	c, err := client.New(cfg, client.Options{Scheme: operator.NewScheme()})
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if filepath.Base(f) == "kustomization.yaml" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		tok := &authv1alpha1.ApiToken{}
		if err := yaml.NewYAMLOrJSONDecoder(strings.NewReader(string(b)), 4096).Decode(tok); err != nil {
			return fmt.Errorf("reading sample %s: %w", f, err)
		}
		if tok.Namespace == "" {
			tok.Namespace = "default"
		}
		if err := c.Create(ctx, tok); client.IgnoreAlreadyExists(err) != nil {
			return fmt.Errorf("applying sample %s: %w", f, err)
		}
		fmt.Printf("Applied ApiToken %s/%s\n", tok.Namespace, tok.Name)
	}
	return nil
}

func printNextSteps(kubeconfig, queryAddr, issuerAddr string) {
	fmt.Printf(`
The operator is running on a local control plane.

  Web console: http://%[2]s/console/

In another terminal:

  export KUBECONFIG=%[1]s
  kubectl get apitokens                     # the samples, Active within seconds
  kubectl get secret ci-deployer -o jsonpath='{.data.token}' | base64 -d; echo
  kubectl annotate apitoken alice-laptop auth.apitoken.io/rotate="$(date +%%s)" --overwrite
  curl -s 'http://%[2]s/api/v1/tokens?sort=name' | jq
  # a personal token, hash-only: its value is shown once, only the fingerprint is stored
  curl -s -X POST http://%[2]s/api/v1/tokens -d '{"namespace":"default","principal":"me","ttl":"24h","scopes":["read:*"]}' | jq
  # exchange ci-deployer's token for a short-lived signed access token (a JWT)
  curl -s http://%[3]s/oauth2/token -u default/ci-deployer:"$(kubectl get secret ci-deployer -o jsonpath='{.data.token}' | base64 -d)" \
    -d grant_type=client_credentials | jq

Ctrl-C stops the operator, kube-apiserver and etcd.

`, kubeconfig, queryAddr, issuerAddr)
}
