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

package readmodel

import (
	"context"
	"fmt"

	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// Bind keeps the model up to date from the cache's ApiToken informer (the one
// the controller watches, so no extra watch), and marks it synced once the
// informer has delivered every object it listed.
func (m *Model) Bind(ctx context.Context, c cache.Informers) error {
	inf, err := c.GetInformer(ctx, &authv1alpha1.ApiToken{})
	if err != nil {
		return fmt.Errorf("getting the ApiToken informer: %w", err)
	}
	reg, err := inf.AddEventHandler(toolscache.ResourceEventHandlerDetailedFuncs{
		AddFunc:    func(obj any, initial bool) { m.apply(obj, false); m.tell(nil, obj, initial) },
		UpdateFunc: func(old, obj any) { m.apply(obj, false); m.tell(old, obj, false) },
		DeleteFunc: func(obj any) { m.apply(obj, true); m.tell(obj, nil, false) },
	})
	if err != nil {
		return fmt.Errorf("watching ApiTokens for the read model: %w", err)
	}
	m.mu.Lock()
	m.synced = reg.HasSynced
	m.mu.Unlock()
	return nil
}

// ChangeFunc is told of an ApiToken added (old nil), updated or deleted
// (obj nil), once the model has it, on the informer's goroutine: never block.
type ChangeFunc func(old, obj *authv1alpha1.ApiToken, initialList bool)

// OnChange makes fs told of every change after this one, by the model's
// listener: each listener of an informer keeps a buffer as large as its
// largest backlog (the initial list's, about 20 bytes a token, for good).
func (m *Model) OnChange(fs ...ChangeFunc) {
	var all []ChangeFunc
	if p := m.onChange.Load(); p != nil {
		all = *p
	}
	all = append(all[:len(all):len(all)], fs...)
	m.onChange.Store(&all)
}

func (m *Model) tell(old, obj any, initial bool) {
	p := m.onChange.Load()
	if d, ok := old.(toolscache.DeletedFinalStateUnknown); ok {
		old = d.Obj
	}
	prev, _ := old.(*authv1alpha1.ApiToken)
	t, _ := obj.(*authv1alpha1.ApiToken)
	if p == nil || (prev == nil && t == nil) {
		return
	}
	for _, f := range *p {
		f(prev, t, initial)
	}
}

func (m *Model) apply(obj any, deleted bool) {
	if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
		obj, deleted = d.Obj, true
	}
	t, ok := obj.(*authv1alpha1.ApiToken)
	if !ok {
		return
	}
	if deleted {
		m.Delete(t.Namespace, t.Name)
		return
	}
	m.Upsert(RowFor(t))
}
