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

package query

import (
	"context"
	"fmt"

	ctrl "sigs.k8s.io/controller-runtime"
)

// Setup builds the read model from the manager's cache (metrics read it
// too) and, unless opts.BindAddress is "0", adds the query server (on every
// replica) and a readiness check that waits for the model to sync. auth is
// AuthKubernetes or AuthNone.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options, auth string, routes ...Route) (*Model, error) {
	model := NewModel()
	if err := model.Bind(ctx, mgr.GetCache()); err != nil {
		return nil, err
	}
	if opts.BindAddress == "0" || opts.BindAddress == "" {
		return model, nil
	}
	var access Access
	switch auth {
	case AuthKubernetes:
		a, err := NewKubernetesAccess(mgr.GetConfig(), mgr.GetHTTPClient())
		if err != nil {
			return nil, err
		}
		access = a
	case AuthNone:
		access = openAccess{}
	default:
		return nil, fmt.Errorf("--query-auth %q: use %s or %s", auth, AuthKubernetes, AuthNone)
	}
	srv, watcher, err := NewRunnable(opts, &Server{Model: model, Access: access, Log: mgr.GetLogger().WithName("query"), Routes: routes})
	if err != nil {
		return nil, err
	}
	if watcher != nil {
		if err := mgr.Add(watcher); err != nil {
			return nil, err
		}
	}
	if err := mgr.Add(srv); err != nil {
		return nil, fmt.Errorf("adding the query server: %w", err)
	}
	if err := mgr.AddReadyzCheck("query-model", model.ReadyCheck); err != nil {
		return nil, fmt.Errorf("adding the query readiness check: %w", err)
	}
	return model, nil
}
