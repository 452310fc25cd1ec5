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
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// SecretRecord is a sealed managed Secret (tokensecret.Seal: its values
// replaced by their digests) as the cache keeps it: the metadata but the
// annotations as they are, and the annotations, data and type compressed.
// Its GetAnnotations expands them, so anything that reads the record's
// metadata reads what the Secret says; the event handlers that read more
// use SecretFrom.
type SecretRecord struct{ core[secretCodec] }

// secretBody is what a Secret's record compresses. Its annotations, UID and
// owner references are there too: no predicate or handler reads them from
// the record on every event, and as fields of the record they cost a map,
// two UIDs' strings and a slice per Secret, about 200 bytes.
type secretBody struct {
	Metadata        *metav1.ObjectMeta      `json:"metadata"`
	UID             types.UID               `json:"uid,omitempty"`
	OwnerReferences []metav1.OwnerReference `json:"ownerReferences,omitempty"`
	Annotations     map[string]string       `json:"annotations,omitempty"`
	Data            map[string][]byte       `json:"data,omitempty"`
	Type            corev1.SecretType       `json:"type,omitempty"`
	Immutable       *bool                   `json:"immutable,omitempty"`
}

var secrets = newCodec(secretDictionary())

// CompactSecret makes the record of s, which shares s's metadata: s must
// not be modified afterwards.
func CompactSecret(s *corev1.Secret) (*SecretRecord, error) {
	c, err := newCore[secretCodec](&s.ObjectMeta, secretBody{Metadata: rareMetadata(&s.ObjectMeta), UID: s.UID,
		OwnerReferences: s.OwnerReferences, Annotations: s.Annotations, Data: s.Data, Type: s.Type, Immutable: s.Immutable}, 0)
	if err != nil {
		return nil, fmt.Errorf("compacting Secret %s/%s for the cache: %w", s.Namespace, s.Name, err)
	}
	c.annotations, c.uid, c.ownerReferences = nil, "", nil // in the body
	return &SecretRecord{c}, nil
}

// Secret is the Secret the record holds, a deep copy of its own.
func (r *SecretRecord) Secret() *corev1.Secret {
	s := r.view()
	s.ObjectMeta = *s.ObjectMeta.DeepCopy()
	return s
}

// GetObjectKind says a record is a Secret.
func (r *SecretRecord) GetObjectKind() schema.ObjectKind { return secretKind }

// DeepCopyObject is the expanded Secret: what the cache's Get and List hand
// out.
func (r *SecretRecord) DeepCopyObject() runtime.Object { return r.Secret() }

// GetAnnotations are the Secret's annotations, expanded (for reading).
func (r *SecretRecord) GetAnnotations() map[string]string { return r.view().Annotations }

// SetAnnotations replaces the annotations in the body.
func (r *SecretRecord) SetAnnotations(annotations map[string]string) {
	r.setInBody("annotations", annotations)
}

// GetUID is the Secret's UID, expanded.
func (r *SecretRecord) GetUID() types.UID { return r.view().UID }

// SetUID replaces the UID in the body.
func (r *SecretRecord) SetUID(uid types.UID) { r.setInBody("uid", uid) }

// GetOwnerReferences are the Secret's owner references, expanded (for
// reading).
func (r *SecretRecord) GetOwnerReferences() []metav1.OwnerReference { return r.view().OwnerReferences }

// SetOwnerReferences replaces the owner references in the body.
func (r *SecretRecord) SetOwnerReferences(refs []metav1.OwnerReference) {
	r.setInBody("ownerReferences", refs)
}

// view expands the record with its metadata shared: for reading only.
func (r *SecretRecord) view() *corev1.Secret {
	b := secretBody{}
	r.decode(&b)
	s := &corev1.Secret{TypeMeta: secretKind.typeMeta(), ObjectMeta: r.objectMeta(b.Metadata), Data: b.Data, Type: b.Type, Immutable: b.Immutable}
	s.Annotations, s.UID, s.OwnerReferences = b.Annotations, b.UID, b.OwnerReferences
	return s
}

// SecretFrom is the Secret an informer event carries, for reading only: a
// record expanded, or the Secret itself where the cache keeps it as it is
// (a Secret that is not a token's, a cache without the transform).
func SecretFrom(obj any) (*corev1.Secret, bool) {
	switch o := obj.(type) {
	case *SecretRecord:
		return o.view(), true
	case *corev1.Secret:
		return o, true
	}
	return nil, false
}
