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

package cli

import (
	"context"
	"fmt"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// scheme knows ApiTokens and the core types, for the client and the printers.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = authv1alpha1.AddToScheme(s)
	return s
}()

// clients talk to the Kubernetes API with the kubeconfig's credentials.
type clients struct {
	client.Client
	core      kubernetes.Interface
	namespace string
	// explicitNamespace says -n was given (or the context names one).
	explicitNamespace bool
	rest              *rest.Config
}

// kube builds the clients on first use, so that --help, version and
// completion scripts work without a kubeconfig.
func (o *options) kube() (*clients, error) {
	if o.clients != nil {
		return o.clients, nil
	}
	cfg, err := o.config.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	cfg.UserAgent = "kubectl-apitoken/" + Version()
	// kubectl's own client rate: waits read the token four times a second.
	cfg.QPS, cfg.Burst = 50, 300
	ns, explicit, err := o.config.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return nil, fmt.Errorf("reading the namespace from the kubeconfig: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		return nil, fmt.Errorf("connecting to the Kubernetes API: %w", err)
	}
	core, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the Kubernetes API: %w", err)
	}
	o.clients = &clients{Client: c, core: core, namespace: ns, explicitNamespace: explicit, rest: cfg}
	return o.clients, nil
}

// whoami is the user the API server authenticates the kubeconfig as (after
// --as), as `kubectl auth whoami` asks it.
func (c *clients) whoami(ctx context.Context) (string, error) {
	r, err := c.core.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return "", describe(err, "create", "selfsubjectreviews.authentication.k8s.io", "")
	}
	return r.Status.UserInfo.Username, nil
}

// get reads the ApiToken name in the current namespace.
func (c *clients) get(ctx context.Context, name string) (*authv1alpha1.ApiToken, error) {
	tok := &authv1alpha1.ApiToken{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: c.namespace, Name: name}, tok); err != nil {
		return nil, describe(err, "get", apiTokens, c.namespace)
	}
	return tok, nil
}

// token connects and reads the ApiToken name in the current namespace.
func (o *options) token(ctx context.Context, name string) (*clients, *authv1alpha1.ApiToken, error) {
	kc, err := o.kube()
	if err != nil {
		return nil, nil, err
	}
	tok, err := kc.get(ctx, name)
	return kc, tok, err
}

// apiTokens is the resource as RBAC and kubectl name it.
const apiTokens = "apitokens.auth.apitoken.io"
