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

// Package installer tests make build-installer: dist/install.yaml applies
// cleanly to a real API server and installs the CRD, RBAC, the Deployment
// with the image asked for, and the Services.
package installer

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

const img = "registry.example.com/platform/apitoken-operator:v1.2.3"

func TestInstallYAMLApplies(t *testing.T) {
	if os.Getenv("KUSTOMIZE") == "" || os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUSTOMIZE or KUBEBUILDER_ASSETS is not set: run make test")
	}
	dist := t.TempDir()
	out, err := exec.Command("make", "-s", "-C", "../..", "build-installer", "IMG="+img, "DIST="+dist, "KUSTOMIZE="+os.Getenv("KUSTOMIZE")).CombinedOutput()
	if err != nil {
		t.Fatalf("make build-installer: %v\n%s", err, out)
	}
	manifest, err := os.ReadFile(filepath.Join(dist, "install.yaml"))
	if err != nil {
		t.Fatal(err)
	}

	env := &envtest.Environment{}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = apiextensionsv1.AddToScheme(scheme)
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()

	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(manifest), 4096)
	applied := 0
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("install.yaml does not parse: %v", err)
		}
		if len(u.Object) == 0 {
			continue
		}
		if err := c.Create(ctx, u); err != nil {
			t.Fatalf("applying %s %s: %v", u.GetKind(), u.GetName(), err)
		}
		applied++
	}
	if applied < 15 {
		t.Fatalf("install.yaml holds %d objects, want the namespace, CRD, RBAC, Deployment and Services", applied)
	}

	const ns, prefix = "apitoken-operator-system", "apitoken-operator-"
	deadline := time.Now().Add(time.Minute)
	for {
		crd := &apiextensionsv1.CustomResourceDefinition{}
		err := c.Get(ctx, client.ObjectKey{Name: "apitokens.auth.apitoken.io"}, crd)
		if err == nil && established(crd) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CRD not established: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	d := &appsv1.Deployment{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: ns, Name: prefix + "controller-manager"}, d); err != nil {
		t.Fatal(err)
	}
	if got := d.Spec.Template.Spec.Containers[0].Image; got != img {
		t.Errorf("image = %s, want %s", got, img)
	}
	for _, key := range []struct {
		obj      client.Object
		ns, name string
	}{
		{&corev1.Service{}, ns, prefix + "controller-manager-metrics-service"}, {&corev1.Service{}, ns, prefix + "query-service"},
		{&corev1.ServiceAccount{}, ns, prefix + "controller-manager"}, {&rbacv1.ClusterRole{}, "", prefix + "manager-role"},
		{&rbacv1.ClusterRole{}, "", "apitoken-query-reader"}, {&rbacv1.Role{}, ns, prefix + "leader-election-role"},
		{&admissionregistrationv1.ValidatingAdmissionPolicy{}, "", prefix + "import-consent"},
		{&admissionregistrationv1.ValidatingAdmissionPolicy{}, "", prefix + "personal-tokens"},
		{&admissionregistrationv1.ValidatingAdmissionPolicyBinding{}, "", prefix + "personal-tokens"},
		{&rbacv1.ClusterRole{}, "", "apitoken-personal-tokens"},
		{&corev1.ConfigMap{}, ns, prefix + "self-service"},
	} {
		if err := c.Get(ctx, client.ObjectKey{Namespace: key.ns, Name: key.name}, key.obj); err != nil {
			t.Errorf("%s: %v", fmt.Sprintf("%T %s/%s", key.obj, key.ns, key.name), err)
		}
	}
	// The binding must name the policy after kustomize's namePrefix.
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
	if err := c.Get(ctx, client.ObjectKey{Name: prefix + "import-consent"}, binding); err != nil {
		t.Error(err)
	} else if binding.Spec.PolicyName != prefix+"import-consent" {
		t.Errorf("the import-consent binding names policy %q, want %q", binding.Spec.PolicyName, prefix+"import-consent")
	}
	// The personal-tokens binding must find the ConfigMap the operator
	// reads (--self-service-config), whose names kustomize cannot rewrite.
	if err := c.Get(ctx, client.ObjectKey{Name: prefix + "personal-tokens"}, binding); err != nil {
		t.Error(err)
	} else if ref := binding.Spec.ParamRef; ref == nil || ref.Name != prefix+"self-service" || ref.Namespace != ns {
		t.Errorf("the personal-tokens binding's paramRef is %+v, want ConfigMap %s/%sself-service", ref, ns, prefix)
	}
	if !slices.Contains(d.Spec.Template.Spec.Containers[0].Args, "--self-service-config="+prefix+"self-service") {
		t.Errorf("the manager's args %v do not name the self-service ConfigMap", d.Spec.Template.Spec.Containers[0].Args)
	}
}

func established(crd *apiextensionsv1.CustomResourceDefinition) bool {
	for _, c := range crd.Status.Conditions {
		if c.Type == apiextensionsv1.Established && c.Status == apiextensionsv1.ConditionTrue {
			return true
		}
	}
	return false
}
