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

// Package operator wires the whole operator into a manager: the ApiToken
// controller, the query API and the metrics. cmd/main.go (in a cluster) and
// cmd/dev (the one-command local cluster) both use it, so they cannot drift.
package operator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/controller"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/query"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
)

// LeaderElectionID names the Lease replicas compete for.
const LeaderElectionID = "apitoken-operator.auth.apitoken.io"

// EventSource is the reporting controller of the operator's Events.
const EventSource = "apitoken-operator"

// NewScheme knows the built-in types and ApiTokens.
func NewScheme() *runtime.Scheme {
	s := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(s))
	utilruntime.Must(authv1alpha1.AddToScheme(s))
	return s
}

// Options configures what Setup adds.
type Options struct {
	MaxConcurrentReconciles int
	Query                   query.Options
	QueryAuth               string
	// LastUsedInterval is how often lastUsedDate is written per token at most.
	LastUsedInterval time.Duration
	// ForwardAuthBindAddress serves forward authentication for ingresses; ""
	// or "0" disables it. It shares the query API's TLS settings.
	ForwardAuthBindAddress string
}

// ManagerOptions are the manager options every entry point shares; callers
// add addresses and leader election settings.
func ManagerOptions() ctrl.Options {
	return ctrl.Options{
		Scheme:                        NewScheme(),
		Cache:                         controller.CacheOptions(),
		LeaderElectionID:              LeaderElectionID,
		LeaderElectionReleaseOnCancel: true,
	}
}

// Setup adds the controller (leader only), the query API (every replica)
// and the metrics to mgr.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) (*query.Model, error) {
	if err := (&controller.ApiTokenReconciler{
		Client:                  mgr.GetClient(),
		APIReader:               mgr.GetAPIReader(),
		Clock:                   clock.RealClock{},
		Recorder:                mgr.GetEventRecorder(EventSource),
		Generator:               token.Generator{},
		MaxConcurrentReconciles: opts.MaxConcurrentReconciles,
	}).SetupWithManager(ctx, mgr); err != nil {
		return nil, fmt.Errorf("setting up the ApiToken controller: %w", err)
	}
	var routes []query.Route
	verifier := &verify.Verifier{Clock: clock.RealClock{}}
	if opts.Query.BindAddress != "" && opts.Query.BindAddress != "0" {
		verifier.Index = verify.NewIndex()
		synced, err := verifier.Index.Bind(ctx, mgr.GetCache())
		if err != nil {
			return nil, err
		}
		if err := mgr.AddReadyzCheck("verify-index", func(*http.Request) error {
			if !synced() {
				return errors.New("the token index has not synced yet")
			}
			return nil
		}); err != nil {
			return nil, err
		}
		verifier.Tracker = &verify.Tracker{Client: mgr.GetClient(), Clock: clock.RealClock{}, Interval: opts.LastUsedInterval,
			Log: mgr.GetLogger().WithName("last-used")}
		if err := mgr.Add(verifier.Tracker); err != nil {
			return nil, err
		}
		routes = verify.Routes(verifier, mgr.GetLogger().WithName("verify"))
		if a := opts.ForwardAuthBindAddress; a != "" && a != "0" {
			fwd := opts.Query
			fwd.BindAddress = a
			srv, watcher, err := query.NewHTTPServer("forward-auth", fwd, verifier.ForwardAuthHandler())
			if err != nil {
				return nil, err
			}
			for _, r := range []manager.Runnable{srv, watcher} {
				if r != nil {
					if err := mgr.Add(r); err != nil {
						return nil, err
					}
				}
			}
		}
	}
	model, err := query.Setup(ctx, mgr, opts.Query, opts.QueryAuth, routes...)
	if err != nil {
		return nil, fmt.Errorf("setting up the query API: %w", err)
	}
	verifier.Model = model
	if err := metrics.Register(&metrics.Collector{Model: model, Leading: metrics.LeadingFunc(mgr.Elected())}); err != nil {
		return nil, err
	}
	return model, nil
}
