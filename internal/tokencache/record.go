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

// Package tokencache is the form in which the manager's cache keeps
// ApiTokens and sealed managed Secrets: their metadata as it is, for the
// informers, the predicates and the indexes to read, and the rest as a
// compressed record, expanded only when something asks for the object. A
// decoded ApiToken is a 640-byte struct with strings, times and conditions
// of its own, about 1 KB in all, and a sealed Secret's annotations and data
// are two maps of their own; a record is under half of that
// (BenchmarkRecord). The cache hands out expanded copies (DeepCopyObject),
// so a reader of the cache sees the object it always saw.
package tokencache

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Record is an ApiToken as the cache keeps it. It is a client.Object, so the
// informer keys it, and predicates and field indexes read its metadata,
// without expanding it. Nothing modifies a record: the cache's readers get
// expanded copies, and the event handlers read (From).
type Record struct{ core[apiTokenCodec] }

// body is what an ApiToken's record compresses: the rest of its metadata,
// its spec and its status.
type body struct {
	Metadata *metav1.ObjectMeta           `json:"metadata"`
	Spec     *authv1alpha1.ApiTokenSpec   `json:"spec"`
	Status   *authv1alpha1.ApiTokenStatus `json:"status"`
}

var apiTokens = newCodec(apiTokenDictionary())

// Compact makes the record of t. The record shares t's metadata (its
// strings and maps), so t must not be modified afterwards; the cache
// transform hands over the object it decoded.
func Compact(t *authv1alpha1.ApiToken) (*Record, error) {
	c, err := newCore[apiTokenCodec](&t.ObjectMeta, body{Metadata: rareMetadata(&t.ObjectMeta), Spec: &t.Spec, Status: &t.Status}, factsOf(t))
	if err != nil {
		return nil, fmt.Errorf("compacting ApiToken %s/%s for the cache: %w", t.Namespace, t.Name, err)
	}
	return &Record{c}, nil
}

// ApiToken is the ApiToken the record holds, a deep copy of its own.
func (r *Record) ApiToken() *authv1alpha1.ApiToken {
	t := r.view()
	t.ObjectMeta = *t.ObjectMeta.DeepCopy()
	return t
}

// GetObjectKind says a record is an ApiToken: records do not keep an
// apiVersion and kind each (the expanded ApiToken has them).
func (r *Record) GetObjectKind() schema.ObjectKind { return apiTokenKind }

// DeepCopyObject is the expanded ApiToken: what the cache's Get and List
// hand out (they copy every object they return, and assign the copy to an
// *ApiToken).
func (r *Record) DeepCopyObject() runtime.Object { return r.ApiToken() }

// view expands the record with its metadata shared: for reading only.
func (r *Record) view() *authv1alpha1.ApiToken {
	t := &authv1alpha1.ApiToken{TypeMeta: apiTokenKind.typeMeta()}
	b := body{Spec: &t.Spec, Status: &t.Status}
	r.decode(&b)
	t.ObjectMeta = r.objectMeta(b.Metadata)
	return t
}

// facts is what a record says of its ApiToken without being expanded, one
// bit each.
type facts byte

const (
	factHashed facts = 1 << iota
	factOtherSecrets
)

func factsOf(t *authv1alpha1.ApiToken) facts {
	var f facts
	if t.Hashed() != nil {
		f |= factHashed
	}
	if t.Spec.Secret.Name != "" || t.Import() != nil {
		f |= factOtherSecrets
	}
	return f
}

// Facts are what the handlers that index a few kinds of ApiToken read to
// pass the others by, without expanding a record: each event of a record
// they expand costs about 14 µs, and at start there is one per ApiToken.
type Facts struct {
	// Hashed is spec.source.hashed being set.
	Hashed bool
	// NoOtherSecrets says the ApiToken names no Secret of its own:
	// spec.secret.name is unset (its target is named after it) and it
	// imports none. False says nothing: it may name one.
	NoOtherSecrets bool
}

// FactsOf are the facts of the ApiToken an informer event carries: a
// record's without expanding it, an ApiToken's as they are; false for
// anything else.
func FactsOf(obj any) (Facts, bool) {
	var f facts
	switch o := obj.(type) {
	case *Record:
		f = facts(o.body[0])
	case *authv1alpha1.ApiToken:
		f = factsOf(o)
	default:
		return Facts{}, false
	}
	return Facts{Hashed: f&factHashed != 0, NoOtherSecrets: f&factOtherSecrets == 0}, true
}

// From is the ApiToken an informer event carries, for reading only: a
// record expanded with its metadata shared with the cache, or the ApiToken
// itself where the cache keeps ApiTokens as they are (a fake client's, a
// cache without the transform).
func From(obj any) (*authv1alpha1.ApiToken, bool) {
	switch o := obj.(type) {
	case *Record:
		return o.view(), true
	case *authv1alpha1.ApiToken:
		return o, true
	}
	return nil, false
}
