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

package tokencache

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// kind is the apiVersion and kind of every record of a type: 32 bytes a
// record does not keep (100,000 tokens: 4.8 MB with their Secrets).
type kind schema.GroupVersionKind

var (
	apiTokenKind = kind(authv1alpha1.GroupVersion.WithKind("ApiToken"))
	secretKind   = kind(corev1.SchemeGroupVersion.WithKind("Secret"))
)

// GroupVersionKind is the records' type.
func (k kind) GroupVersionKind() schema.GroupVersionKind { return schema.GroupVersionKind(k) }

// SetGroupVersionKind does nothing: a record's type is its Go type. (The
// cache sets the kind of the copies it hands out, never of what it keeps.)
func (kind) SetGroupVersionKind(schema.GroupVersionKind) {}

func (k kind) typeMeta() metav1.TypeMeta {
	apiVersion, kindName := schema.GroupVersionKind(k).ToAPIVersionAndKind()
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kindName}
}
