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

// Package factory is what every command of the plugin is built from, as
// cmctl's factory is: the streams, the clock and the entropy source (tests
// inject them), the kubeconfig flags, and the clients built from them on
// first use.
package factory

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Factory holds what the commands read and write besides the cluster, and
// how they reach the cluster.
type Factory struct {
	genericiooptions.IOStreams
	// Clock is the time relative dates are computed from.
	Clock clock.PassiveClock
	// Rand draws token values; nil means crypto/rand.
	Rand io.Reader

	userAgent string
	config    *genericclioptions.ConfigFlags
	// clients is built on first use, from config.
	clients *Clients
}

// New is a Factory whose clients identify themselves as userAgent.
func New(streams genericiooptions.IOStreams, clk clock.PassiveClock, rand io.Reader, userAgent string) *Factory {
	return &Factory{IOStreams: streams, Clock: clk, Rand: rand, userAgent: userAgent, config: genericclioptions.NewConfigFlags(true)}
}

// AddFlags adds kubectl's flags for cluster access (--kubeconfig,
// --namespace, --as, ...) and -v.
func (f *Factory) AddFlags(fs *pflag.FlagSet) {
	f.config.AddFlags(fs)
	addKlogFlags(fs)
}

// Clients builds the clients on first use, so that --help, version and
// completion scripts work without a kubeconfig.
func (f *Factory) Clients() (*Clients, error) {
	if f.clients != nil {
		return f.clients, nil
	}
	cfg, err := f.config.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	cfg.UserAgent = f.userAgent
	// kubectl's own client rate: waits read the token four times a second.
	cfg.QPS, cfg.Burst = 50, 300
	ns, explicit, err := f.config.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, fmt.Errorf("reading the namespace from the kubeconfig: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: Scheme})
	if err != nil {
		return nil, fmt.Errorf("connecting to the Kubernetes API: %w", err)
	}
	core, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the Kubernetes API: %w", err)
	}
	f.clients = &Clients{Client: c, Core: core, Namespace: ns, ExplicitNamespace: explicit, REST: cfg}
	return f.clients, nil
}

// Token connects and reads the ApiToken name in the current namespace.
func (f *Factory) Token(ctx context.Context, name string) (*Clients, *authv1alpha1.ApiToken, error) {
	kc, err := f.Clients()
	if err != nil {
		return nil, nil, err
	}
	tok, err := kc.ApiToken(ctx, name)
	return kc, tok, err
}
