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
	reg, err := inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { m.apply(obj, false) },
		UpdateFunc: func(_, obj any) { m.apply(obj, false) },
		DeleteFunc: func(obj any) { m.apply(obj, true) },
	})
	if err != nil {
		return fmt.Errorf("watching ApiTokens for the read model: %w", err)
	}
	m.mu.Lock()
	m.synced = reg.HasSynced
	m.mu.Unlock()
	return nil
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
