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

// Package managercache is what the manager's cache holds and how: the
// options every replica's cache is built with (ApiTokens, and Secrets by
// the managed label) and the transforms that keep what it holds typed,
// sealed and bounded. The controller, the read model, the verify index and
// the HTTP side all read that one cache.
package managercache

import (
	"strings"
	"unique"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// Options is how the manager caches: ApiTokens and the managed Secrets
// (by label) as the typed objects they are, each through a transform that
// only removes or replaces fields: managed fields and kubectl's
// last-applied copy go everywhere, token values become their digests
// (sealSecrets), annotations the operator does not read go from ApiTokens
// (boundAnnotations), and strings that many objects repeat are shared.
func Options() cache.Options {
	return cache.Options{
		DefaultTransform: stripForCache,
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Secret{}: {
				Label:     labels.SelectorFromSet(labels.Set{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue}),
				Transform: sealSecrets,
			},
		},
	}
}

// sealSecrets is the managed Secrets' cache transform: each token value is
// replaced by its digest (tokensecret.Seal), so that no replica holds a
// token value in its cache, and a labelled Secret no ApiToken owns keeps
// its metadata only.
func sealSecrets(obj any) (any, error) {
	if s, ok := obj.(*corev1.Secret); ok {
		stripMetadata(s)
		tokensecret.Seal(s)
		shareMetadata(s)
	}
	return obj, nil
}

// stripForCache is every other cached object's transform.
func stripForCache(obj any) (any, error) {
	if o, ok := obj.(metav1.Object); ok {
		stripMetadata(o)
	}
	if t, ok := obj.(*authv1alpha1.ApiToken); ok {
		boundAnnotations(t)
		shareMetadata(t)
		shareStatus(&t.Status)
	}
	return obj, nil
}

// lastApplied is kubectl apply's copy of the whole object: nothing reads it
// from the cache, and it doubles an ApiToken's size there.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

func stripMetadata(o metav1.Object) {
	o.SetManagedFields(nil)
	delete(o.GetAnnotations(), lastApplied)
}

// maxCachedAnnotation bounds an annotation value the cache keeps whole.
const maxCachedAnnotation = 1024

// boundAnnotations keeps of an ApiToken's annotations only the operator's
// own (auth.apitoken.io/: created-by, rotate), and a longer value than
// maxCachedAnnotation as its digest, so that what anyone who may write an
// ApiToken puts in its metadata costs every replica a bounded amount. A
// digest compares as the value did: a rotate request is still told apart
// from the one handled.
func boundAnnotations(t *authv1alpha1.ApiToken) {
	for k, v := range t.Annotations {
		switch {
		case !strings.HasPrefix(k, authv1alpha1.GroupVersion.Group+"/"):
			delete(t.Annotations, k)
		case len(v) > maxCachedAnnotation:
			t.Annotations[k] = token.Fingerprint([]byte(v))
		}
	}
}

// share is the one copy of s that every cached object holding an equal
// string points to (Go's unique package; a string no object holds any more
// is let go). For the strings many objects repeat: namespaces, metadata
// keys, owner kinds, condition types and reasons (not messages: most name
// their token's own Secret).
func share(s string) string { return unique.Make(s).Value() }

// managedLabels is the labels map of every managed Secret, shared: nothing
// modifies a cached object (the cache hands out deep copies, and the event
// handlers only read).
var managedLabels = map[string]string{authv1alpha1.ManagedByLabel: authv1alpha1.ManagedByValue}

// shareMetadata shares the repeated strings of an object's metadata: its
// namespace, label and annotation keys, owner references' apiVersion and
// kind, and a managed Secret's labels map.
func shareMetadata(o metav1.Object) {
	o.SetNamespace(share(o.GetNamespace()))
	if l := o.GetLabels(); len(l) == 1 && l[authv1alpha1.ManagedByLabel] == authv1alpha1.ManagedByValue {
		o.SetLabels(managedLabels)
	} else {
		o.SetLabels(shareKeys(l))
	}
	o.SetAnnotations(shareKeys(o.GetAnnotations()))
	refs := o.GetOwnerReferences()
	for i := range refs {
		refs[i].APIVersion, refs[i].Kind = share(refs[i].APIVersion), share(refs[i].Kind)
	}
}

// shareKeys is m with its keys shared (values are mostly each object's own).
func shareKeys(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[share(k)] = v
	}
	return out
}

// shareStatus shares the strings of an ApiToken's status that read the same
// for many tokens.
func shareStatus(s *authv1alpha1.ApiTokenStatus) {
	s.TokenStatus = authv1alpha1.TokenStatus(share(string(s.TokenStatus)))
	for i := range s.Conditions {
		c := &s.Conditions[i]
		c.Type, c.Reason = share(c.Type), share(c.Reason)
		c.Status = metav1.ConditionStatus(share(string(c.Status)))
	}
	for i := range s.NotificationRecords() {
		w := &s.Notifications.Webhooks[i]
		w.Name = share(w.Name)
		for j := range w.Settled {
			w.Settled[j] = share(w.Settled[j])
		}
	}
}
