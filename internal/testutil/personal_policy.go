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

package testutil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// InstallPersonalTokensPolicy applies the personal-tokens admission policy,
// its binding and the self-service ConfigMap the binding takes as params,
// from the repository's config/ (root is the path to the repository) and as
// kubectl apply -k config/default names them. It returns the ConfigMap.
func InstallPersonalTokensPolicy(ctx context.Context, c client.Client, root string) (*corev1.ConfigMap, error) {
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
	rules := &corev1.ConfigMap{}
	for file, obj := range map[string]any{
		"admission/personal_tokens_policy.yaml":  policy,
		"admission/personal_tokens_binding.yaml": binding,
		"manager/self_service.yaml":              rules,
	} {
		b, err := os.ReadFile(filepath.Join(root, "config", file))
		if err != nil {
			return nil, err
		}
		if err := yaml.UnmarshalStrict(b, obj); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	ref := binding.Spec.ParamRef
	if ref == nil {
		return nil, fmt.Errorf("the personal-tokens binding has no paramRef")
	}
	rules.Namespace, rules.Name = ref.Namespace, ref.Name
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ref.Namespace}}
	if err := c.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return nil, err
	}
	for _, obj := range []client.Object{rules, policy, binding} {
		if err := c.Create(ctx, obj); err != nil {
			return nil, err
		}
	}
	return rules, nil
}
