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
	"encoding/json"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// core is what both kinds of record are: the metadata that is read on every
// event as fields of its own (the informer's key, the predicates'
// generation and annotations, the label selectors, the event handlers'
// resourceVersion and owner), and a body, deflated by its kind's codec,
// that holds the rest of the object under the keys of its own JSON, the
// rest of its metadata (creation and deletion times, generateName,
// selfLink) under "metadata". Together they are a metav1.Object: the getters of what is in
// the body expand it. Nothing modifies a record, but its setters work (those
// of what is in the body compress it again), as an Object's must.
//
// 160 bytes, where an ObjectMeta alone is 232 (TestCoreFitsItsSizeClass).
type core[C codecOf] struct {
	name, namespace, resourceVersion string
	uid                              types.UID
	generation                       int64
	labels, annotations              map[string]string
	ownerReferences                  []metav1.OwnerReference
	finalizers                       []string

	// body is a facts byte (Facts, an ApiToken's) and then the deflated
	// rest.
	body []byte
}

// codecOf names the codec of a kind of record (apiTokens, secrets): a type
// of no size, so that a record need not keep a pointer to it.
type codecOf interface{ codec() *codec }

type (
	apiTokenCodec struct{}
	secretCodec   struct{}
)

func (apiTokenCodec) codec() *codec { return apiTokens }
func (secretCodec) codec() *codec   { return secrets }

func (c *core[C]) codec() *codec {
	var kind C
	return kind.codec()
}

// rareMetadata is the part of om a record keeps in its body.
func rareMetadata(om *metav1.ObjectMeta) *metav1.ObjectMeta {
	return &metav1.ObjectMeta{GenerateName: om.GenerateName, SelfLink: om.SelfLink, CreationTimestamp: om.CreationTimestamp, //nolint:staticcheck // kept as it came: a record is its object
		DeletionTimestamp: om.DeletionTimestamp, DeletionGracePeriodSeconds: om.DeletionGracePeriodSeconds, ManagedFields: om.ManagedFields}
}

// newCore keeps om's fields of its own (sharing their strings, maps and
// slices) and encodes body, which must hold rareMetadata(om) under
// "metadata".
func newCore[C codecOf](om *metav1.ObjectMeta, body any, f facts) (core[C], error) {
	var kind C
	b, err := kind.codec().encode(byte(f), body)
	if err != nil {
		return core[C]{}, err
	}
	return core[C]{name: om.Name, namespace: om.Namespace, resourceVersion: om.ResourceVersion, uid: om.UID, generation: om.Generation,
		labels: om.Labels, annotations: om.Annotations, ownerReferences: om.OwnerReferences, finalizers: om.Finalizers,
		body: b}, nil
}

// objectMeta is the whole metadata: rare, the body's, with the fields of
// the record's own (shared: for reading, or for a deep copy).
func (c *core[C]) objectMeta(rare *metav1.ObjectMeta) metav1.ObjectMeta {
	om := metav1.ObjectMeta{}
	if rare != nil {
		om = *rare
	}
	om.Name, om.Namespace, om.ResourceVersion, om.UID, om.Generation = c.name, c.namespace, c.resourceVersion, c.uid, c.generation
	om.Labels, om.Annotations, om.OwnerReferences, om.Finalizers = c.labels, c.annotations, c.ownerReferences, c.finalizers
	return om
}

// decode expands the body into v; only what newCore encoded is ever
// expanded, so a failure is a bug.
func (c *core[C]) decode(v any) {
	if err := c.codec().decode(c.body[1:], v); err != nil {
		panic(fmt.Sprintf("tokencache: the record of %s/%s does not expand: %v", c.namespace, c.name, err))
	}
}

// rare is the metadata the body holds.
func (c *core[C]) rare() *metav1.ObjectMeta {
	var b struct {
		Metadata *metav1.ObjectMeta `json:"metadata"`
	}
	c.decode(&b)
	if b.Metadata == nil {
		return &metav1.ObjectMeta{}
	}
	return b.Metadata
}

// setInBody replaces key of the body's JSON with v.
func (c *core[C]) setInBody(key string, v any) {
	var fields map[string]json.RawMessage
	c.decode(&fields)
	raw, err := json.Marshal(v)
	if err == nil {
		fields[key] = raw
		c.body, err = c.codec().encode(c.body[0], fields)
	}
	if err != nil {
		panic(fmt.Sprintf("tokencache: setting %s in the record of %s/%s: %v", key, c.namespace, c.name, err))
	}
}

func (c *core[C]) setRare(change func(*metav1.ObjectMeta)) {
	rare := c.rare()
	change(rare)
	c.setInBody("metadata", rare)
}

func (c *core[C]) GetNamespace() string                            { return c.namespace }
func (c *core[C]) SetNamespace(namespace string)                   { c.namespace = namespace }
func (c *core[C]) GetName() string                                 { return c.name }
func (c *core[C]) SetName(name string)                             { c.name = name }
func (c *core[C]) GetUID() types.UID                               { return c.uid }
func (c *core[C]) SetUID(uid types.UID)                            { c.uid = uid }
func (c *core[C]) GetResourceVersion() string                      { return c.resourceVersion }
func (c *core[C]) SetResourceVersion(version string)               { c.resourceVersion = version }
func (c *core[C]) GetGeneration() int64                            { return c.generation }
func (c *core[C]) SetGeneration(generation int64)                  { c.generation = generation }
func (c *core[C]) GetLabels() map[string]string                    { return c.labels }
func (c *core[C]) SetLabels(labels map[string]string)              { c.labels = labels }
func (c *core[C]) GetAnnotations() map[string]string               { return c.annotations }
func (c *core[C]) SetAnnotations(annotations map[string]string)    { c.annotations = annotations }
func (c *core[C]) GetFinalizers() []string                         { return c.finalizers }
func (c *core[C]) SetFinalizers(finalizers []string)               { c.finalizers = finalizers }
func (c *core[C]) GetOwnerReferences() []metav1.OwnerReference     { return c.ownerReferences }
func (c *core[C]) SetOwnerReferences(refs []metav1.OwnerReference) { c.ownerReferences = refs }

func (c *core[C]) GetGenerateName() string { return c.rare().GenerateName }
func (c *core[C]) SetGenerateName(name string) {
	c.setRare(func(m *metav1.ObjectMeta) { m.GenerateName = name })
}

//nolint:staticcheck // metav1.Object has a selfLink
func (c *core[C]) GetSelfLink() string { return c.rare().SelfLink }
func (c *core[C]) SetSelfLink(selfLink string) {
	c.setRare(func(m *metav1.ObjectMeta) { m.SelfLink = selfLink }) //nolint:staticcheck // metav1.Object has it
}
func (c *core[C]) GetCreationTimestamp() metav1.Time { return c.rare().CreationTimestamp }
func (c *core[C]) SetCreationTimestamp(t metav1.Time) {
	c.setRare(func(m *metav1.ObjectMeta) { m.CreationTimestamp = t })
}
func (c *core[C]) GetDeletionTimestamp() *metav1.Time { return c.rare().DeletionTimestamp }
func (c *core[C]) SetDeletionTimestamp(t *metav1.Time) {
	c.setRare(func(m *metav1.ObjectMeta) { m.DeletionTimestamp = t })
}
func (c *core[C]) GetDeletionGracePeriodSeconds() *int64 { return c.rare().DeletionGracePeriodSeconds }
func (c *core[C]) SetDeletionGracePeriodSeconds(s *int64) {
	c.setRare(func(m *metav1.ObjectMeta) { m.DeletionGracePeriodSeconds = s })
}
func (c *core[C]) GetManagedFields() []metav1.ManagedFieldsEntry { return c.rare().ManagedFields }
func (c *core[C]) SetManagedFields(f []metav1.ManagedFieldsEntry) {
	c.setRare(func(m *metav1.ObjectMeta) { m.ManagedFields = f })
}
