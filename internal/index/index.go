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

// Package index holds the cache indexes of ApiTokens: their keys, the
// functions that compute them, and Setup, which registers them with a
// manager's field indexer (tests give the same functions to a fake client).
package index

import (
	"context"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// SecretRefsKey indexes ApiTokens by the names of the Secrets they refer to
// in their namespace that are not their own name: a target Secret named in
// spec.secret.name and, for an import, the source. A change to any of those
// Secrets maps back to the ApiTokens through it. The Secret named after an
// ApiToken (the default target) maps to it by name, with no index entry:
// most tokens cost this index nothing.
const SecretRefsKey = "apitoken.secretRefs"

// SecretRefs is the index function for SecretRefsKey.
func SecretRefs(obj client.Object) []string {
	tok, ok := obj.(*authv1alpha1.ApiToken)
	if !ok {
		return nil
	}
	var refs []string
	if name := tok.SecretName(); name != tok.Name {
		refs = append(refs, name)
	}
	if imp := tok.Import(); imp != nil && imp.SecretRef.Name != tok.SecretName() && imp.SecretRef.Name != tok.Name {
		refs = append(refs, imp.SecretRef.Name)
	}
	return refs
}

// Setup registers every index with the indexer. (Who holds a fingerprint
// is the read model's digest index, readmodel.Model.Holders: a field index
// keeps each value twice, as strings, per ApiToken.)
func Setup(ctx context.Context, indexer client.FieldIndexer) error {
	if err := indexer.IndexField(ctx, &authv1alpha1.ApiToken{}, SecretRefsKey, SecretRefs); err != nil {
		return fmt.Errorf("indexing ApiTokens by %s: %w", SecretRefsKey, err)
	}
	return nil
}
