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

package controller

import (
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// statusMemo remembers, per ApiToken, the status last written and the
// resourceVersions the object had before and after that write. A reconcile
// that still sees the one before in the cache (the watch event of the
// write has not arrived yet) takes the object as it is after the write:
// the written status and its resourceVersion, so that it neither writes
// the same status again nor fails the optimistic lock of its next status
// write. Any other change to the object gives it a new resourceVersion,
// and the memo no longer applies.
type statusMemo struct {
	mu sync.Mutex
	m  map[types.NamespacedName]memoEntry
}

type memoEntry struct {
	before, after string
	written       authv1alpha1.ApiTokenStatus
}

func (s *statusMemo) remember(key types.NamespacedName, before, after string, written authv1alpha1.ApiTokenStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[types.NamespacedName]memoEntry{}
	}
	s.m[key] = memoEntry{before: before, after: after, written: *written.DeepCopy()}
}

// catchUp replaces a stale cached status with the one this process wrote.
func (s *statusMemo) catchUp(tok *authv1alpha1.ApiToken) {
	key := types.NamespacedName{Namespace: tok.Namespace, Name: tok.Name}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[key]
	switch {
	case !ok:
	case e.before == tok.ResourceVersion:
		tok.Status = *e.written.DeepCopy()
		tok.ResourceVersion = e.after
	default:
		delete(s.m, key)
	}
}

// observed drops the memo of an ApiToken once the cache holds a newer
// version of it (the write arrived through the watch), so that memos do not
// outlive the short window they are for.
func (s *statusMemo) observed(obj any) {
	tok, ok := obj.(metav1.Object)
	if !ok {
		return
	}
	key := types.NamespacedName{Namespace: tok.GetNamespace(), Name: tok.GetName()}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[key]; ok && e.before != tok.GetResourceVersion() {
		delete(s.m, key)
	}
}

func (s *statusMemo) forget(key types.NamespacedName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
}
