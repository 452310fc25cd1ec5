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

package policy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// refuseSource applies the rules on which Secrets may be an import source at
// all, whatever their value: not one the operator manages (an ApiToken would
// then hold another ApiToken's token, or its own, and the verify index would
// find one value under two names), and not a ServiceAccount token (a
// credential of the cluster, with its own lifetime and revocation). A
// refusal also withdraws whatever token the target Secret holds, which may be
// a copy made before these rules existed.
func refuseSource(in Input, imp *authv1alpha1.ImportSource) (Decision, bool) {
	s := in.Source
	if s == nil {
		return Decision{}, false
	}
	name, target := imp.SecretRef.Name, in.Token.SecretName()
	var msg string
	if owner, managed := tokensecret.ManagedBy(s); managed {
		by := "apitoken-operator"
		if owner != "" {
			by = fmt.Sprintf("apitoken-operator for ApiToken %q", owner)
		}
		msg = fmt.Sprintf("import source Secret %q is managed by %s: an ApiToken cannot import another ApiToken's token, so Secret %q holds none; "+
			"point spec.source.import.secretRef at a Secret you created", name, by, target)
	} else if s.Type == corev1.SecretTypeServiceAccountToken {
		msg = fmt.Sprintf("import source Secret %q is of type %s: ServiceAccount tokens cannot be imported, so Secret %q holds none; "+
			"request a token for the ServiceAccount with the TokenRequest API (kubectl create token), or point spec.source.import.secretRef at a Secret you created",
			name, corev1.SecretTypeServiceAccountToken, target)
	} else {
		return Decision{}, false
	}
	d := fail(authv1alpha1.ReasonInvalidImport, msg)
	d.WithdrawToken = true
	return d, true
}

// SourceUnchanged says whether the import source need not be read again: the
// target holds a token copied from it at its current resourceVersion
// (source is its metadata), and nothing in that metadata could make
// refuseSource refuse it. A ServiceAccount token always carries the
// ServiceAccount's name, and its type is not in the metadata: such a Secret
// is read.
func SourceUnchanged(st tokensecret.State, source metav1.Object) bool {
	_, managed := tokensecret.ManagedBy(source)
	_, serviceAccount := source.GetAnnotations()[corev1.ServiceAccountNameKey]
	return st.Consistent() && st.SourceVersion == source.GetResourceVersion() && !managed && !serviceAccount
}

// SourceMetadata is the part of a Secret's metadata that SourceUnchanged
// looks at: a cache of import sources' metadata keeps only this.
func SourceMetadata(m metav1.ObjectMeta) metav1.ObjectMeta {
	out := tokensecret.Marks(m)
	out.Name, out.Namespace, out.UID, out.ResourceVersion = m.Name, m.Namespace, m.UID, m.ResourceVersion
	if v, ok := m.Annotations[corev1.ServiceAccountNameKey]; ok {
		if out.Annotations == nil {
			out.Annotations = map[string]string{}
		}
		out.Annotations[corev1.ServiceAccountNameKey] = v
	}
	return out
}
