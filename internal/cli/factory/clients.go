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

package factory

import (
	"context"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
)

// ApiTokensResource is the resource as RBAC and kubectl name it.
const ApiTokensResource = "apitokens.auth.apitoken.io"

// Scheme knows ApiTokens and the core types, for the client and the printers.
var Scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = authv1alpha1.AddToScheme(s)
	return s
}()

// Clients talk to the Kubernetes API with the kubeconfig's credentials.
type Clients struct {
	client.Client
	Core kubernetes.Interface
	// Namespace is -n, else the kubeconfig context's.
	Namespace string
	// ExplicitNamespace says -n was given (or the context names one).
	ExplicitNamespace bool
	REST              *rest.Config
}

// Whoami is the user the API server authenticates the kubeconfig as (after
// --as), as `kubectl auth whoami` asks it.
func (c *Clients) Whoami(ctx context.Context) (string, error) {
	r, err := c.Core.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return "", clierrors.Describe(err, "create", "selfsubjectreviews.authentication.k8s.io", "")
	}
	return r.Status.UserInfo.Username, nil
}

// ApiToken reads the ApiToken name in the current namespace.
func (c *Clients) ApiToken(ctx context.Context, name string) (*authv1alpha1.ApiToken, error) {
	tok := &authv1alpha1.ApiToken{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: name}, tok); err != nil {
		return nil, clierrors.Describe(err, "get", ApiTokensResource, c.Namespace)
	}
	return tok, nil
}
