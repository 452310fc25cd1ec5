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
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apiserver/pkg/authentication/user"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/console"
	"github.com/apitoken-io/apitoken-operator/internal/controller"
	"github.com/apitoken-io/apitoken-operator/internal/controller/notify"
	"github.com/apitoken-io/apitoken-operator/internal/controller/policystatus"
	"github.com/apitoken-io/apitoken-operator/internal/grant"
	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/managercache"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/outbound"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/signing"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
	"github.com/apitoken-io/apitoken-operator/internal/tombstone"
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
	// Query is the query API's listener (on every replica); its TLS
	// settings serve the forward-auth listener too.
	Query     httpserver.ServingOptions
	QueryAuth string
	// LastUsedInterval is how often lastUsedDate is written per token at most.
	LastUsedInterval time.Duration
	// ForwardAuthBindAddress serves forward authentication for ingresses; ""
	// or "0" disables it. It shares the query API's TLS settings.
	ForwardAuthBindAddress string
	// VerifyFailureLimit is how many failed verifications an end client may
	// make per minute before it is refused (429); 0 turns the limit off.
	VerifyFailureLimit int
	// TrustedProxies are the proxies whose X-Forwarded-For and X-Real-IP
	// name the end client at forward auth.
	TrustedProxies []netip.Prefix
	// SelfServiceMaxTTL caps the ttl of a personal token; 0 means
	// selfservice.DefaultMaxPersonalTTL.
	SelfServiceMaxTTL time.Duration
	// SelfServiceScopes are the scopes a personal token may carry.
	SelfServiceScopes []string
	// SelfServiceConfig, when its name is set, is the ConfigMap the
	// personal-token rules are read from on every personal-token write
	// (the one the personal-tokens admission policy takes as params),
	// instead of SelfServiceMaxTTL and SelfServiceScopes.
	SelfServiceConfig types.NamespacedName
	// SelfRotateMaxGrace caps the grace period a self-rotating token asks
	// for; 0 means writeapi.DefaultSelfRotateMaxGrace.
	SelfRotateMaxGrace time.Duration
	// SidebandNamespace turns the sideband token API on for one namespace.
	SidebandNamespace string
	// Issuer is the access-token issuer's listener (every replica) and
	// signing keys (kept by the leader); it shares the query API's TLS.
	Issuer IssuerOptions
	// Console serves the web console at /console/ on the query listener.
	Console ConsoleOptions
	// MarkKey is the Secret of the key that signs the operator's marks on
	// token Secrets; the name defaults to DefaultMarkKeySecret and the
	// namespace to "default" (cmd/main.go passes the operator's).
	MarkKey types.NamespacedName
	// RevokedRetention is how long a revoked token's fingerprint is
	// remembered cluster-wide, past its ApiToken's deletion
	// (--revoked-retention); 0 means tombstone.DefaultRetention. The
	// tombstones live in MarkKey's namespace.
	RevokedRetention time.Duration
	// Webhooks configure ApiTokenWebhook delivery.
	Webhooks WebhookOptions
}

// WebhookOptions configure ApiTokenWebhook delivery (leader only).
type WebhookOptions struct {
	// AllowedCIDRs are the private, loopback or link-local ranges
	// receivers may be in (--webhook-allowed-cidrs); public addresses are
	// always allowed.
	AllowedCIDRs []netip.Prefix
	// ConsoleURL is the console's public URL (--console-url): events link
	// to a token's page.
	ConsoleURL string
}

// ConsoleOptions configure the web console (--console*).
type ConsoleOptions struct {
	Enabled bool
	// ExpiringSoon is when an Active token's badge says "Expiring soon";
	// 0 means console.DefaultExpiringSoon.
	ExpiringSoon time.Duration
	// DefaultNamespace is offered first for personal tokens.
	DefaultNamespace string
}

// ManagerOptions are the manager options every entry point shares; callers
// add addresses and leader election settings.
func ManagerOptions() ctrl.Options {
	return ctrl.Options{
		Scheme:                        NewScheme(),
		Cache:                         managercache.Options(),
		LeaderElectionID:              LeaderElectionID,
		LeaderElectionReleaseOnCancel: true,
	}
}

// MetricsOptions are the metrics server's: /metrics writes the per-token
// gauges after the registry's families (metrics.FilterProvider), over
// HTTPS behind Kubernetes authentication and authorization when secure.
func MetricsOptions(addr string, secure bool, tlsOpts []func(*tls.Config)) metricsserver.Options {
	o := metricsserver.Options{BindAddress: addr, SecureServing: secure, TLSOpts: tlsOpts,
		FilterProvider: metrics.FilterProvider(nil)}
	if secure {
		o.FilterProvider = metrics.FilterProvider(filters.WithAuthenticationAndAuthorization)
	}
	return o
}

// Setup builds the shared state first (the read model and the token index,
// bound to the manager's informers), then hands complete objects to what
// uses them: the controller (leader only), the HTTP servers (every
// replica), the lastUsed tracker and the metrics. It returns the read model.
func Setup(ctx context.Context, mgr ctrl.Manager, opts Options) (*readmodel.Model, error) {
	markKey := opts.MarkKey
	if markKey.Name == "" {
		markKey.Name = DefaultMarkKeySecret
	}
	if markKey.Namespace == "" {
		markKey.Namespace = "default"
	}
	marker, err := loadMarker(ctx, mgr.GetAPIReader(), mgr.GetClient(), markKey)
	if err != nil {
		return nil, err
	}
	model := readmodel.NewModel()
	if err := model.Bind(ctx, mgr.GetCache()); err != nil {
		return nil, err
	}
	if err := addReadyCheck(mgr, "query-model", model.Synced, "the ApiToken cache has not synced yet"); err != nil {
		return nil, err
	}
	retention := opts.RevokedRetention
	if retention <= 0 {
		retention = tombstone.DefaultRetention
	}
	tombstones := &tombstone.Store{Reader: mgr.GetAPIReader(), Writer: mgr.GetClient(), Namespace: markKey.Namespace,
		Retention: retention, Clock: clock.RealClock{}}
	if err := mgr.Add(tombstones); err != nil {
		return nil, fmt.Errorf("adding the revoked-token tombstones: %w", err)
	}
	if err := (&controller.ApiTokenReconciler{
		Client:                  mgr.GetClient(),
		APIReader:               mgr.GetAPIReader(),
		Clock:                   clock.RealClock{},
		Recorder:                mgr.GetEventRecorder(EventSource),
		Generator:               token.Generator{},
		Marker:                  marker,
		MaxConcurrentReconciles: opts.MaxConcurrentReconciles,
		Holders:                 model.Holders,
		HoldersSynced:           model.Synced,
		Exists:                  func(namespace, name string) bool { return model.Lookup(namespace, name) != nil },
		Tombstones:              tombstones,
	}).SetupWithManager(ctx, mgr); err != nil {
		return nil, fmt.Errorf("setting up the ApiToken controller: %w", err)
	}
	policies := &policystatus.Reconciler{Client: mgr.GetClient()}
	if err := policies.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up the ApiTokenPolicy controller: %w", err)
	}
	webhooks := &notify.Reconciler{
		Client:     mgr.GetClient(),
		APIReader:  mgr.GetAPIReader(),
		Recorder:   mgr.GetEventRecorder(EventSource),
		Addresses:  outbound.Addresses{Allowed: opts.Webhooks.AllowedCIDRs},
		ConsoleURL: opts.Webhooks.ConsoleURL,
	}
	if err := webhooks.SetupWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up the ApiTokenWebhook controller: %w", err)
	}
	model.OnChange(webhooks.TokenChanged, policies.TokenChanged)
	collector := &metrics.Collector{Model: model, Leading: metrics.LeadingFunc(mgr.Elected())}
	if opts.Query.Enabled() || opts.Issuer.Enabled() {
		keys, err := setupHTTP(ctx, mgr, model, marker, opts)
		if err != nil {
			return nil, err
		}
		if keys != nil {
			collector.SigningKeyAge = func() (time.Duration, bool) { return keys.SigningKeyAge(time.Now()) }
		}
	}
	if err := metrics.Register(collector); err != nil {
		return nil, err
	}
	tokens := func() (int, bool) { return model.Len(), model.Synced() }
	if err := mgr.Add(newMemoryCheck(tokens, mgr.GetLogger().WithName("memory"))); err != nil {
		return nil, fmt.Errorf("adding the memory check: %w", err)
	}
	return model, nil
}

// setupHTTP builds the token index and the verifier, then the query server,
// the forward-auth listener and the issuer, each when asked for. It returns
// the signing keys when the issuer is on.
func setupHTTP(ctx context.Context, mgr ctrl.Manager, model *readmodel.Model, marker *tokensecret.Marker, opts Options) (*signing.Keys, error) {
	index := verify.NewIndex(marker)
	indexSynced, err := index.Bind(ctx, mgr.GetCache())
	if err != nil {
		return nil, err
	}
	if err := addReadyCheck(mgr, "verify-index", indexSynced, "the token index has not synced yet"); err != nil {
		return nil, err
	}
	tracker := &verify.Tracker{Client: mgr.GetClient(), Clock: clock.RealClock{}, Interval: opts.LastUsedInterval,
		Log: mgr.GetLogger().WithName("last-used")}
	if err := mgr.Add(tracker); err != nil {
		return nil, err
	}
	access, err := httpserver.NewAccess(opts.QueryAuth, mgr.GetConfig(), mgr.GetHTTPClient())
	if err != nil {
		return nil, err
	}
	log := mgr.GetLogger().WithName("http")
	access.Log = log
	access.NamespacesHeld = func() int { return len(model.Namespaces()) }
	deps := HTTPDeps{
		Model:    model,
		Verifier: &verify.Verifier{Index: index, Model: model, Clock: clock.RealClock{}, Tracker: tracker},
		Access:   access,
		Limiter:  guessing.NewLimiter(opts.VerifyFailureLimit, time.Minute, guessing.DefaultClients, clock.RealClock{}),
		// Only a proxy named here may say who the end client is.
		TrustedProxies:     opts.TrustedProxies,
		Synced:             func() bool { return model.Synced() && indexSynced() },
		Writer:             mgr.GetClient(),
		Reader:             mgr.GetAPIReader(),
		Recorder:           mgr.GetEventRecorder(EventSource),
		PersonalRules:      selfservice.FlagRules(opts.SelfServiceMaxTTL, opts.SelfServiceScopes),
		SelfRotateMaxGrace: opts.SelfRotateMaxGrace,
		SidebandNamespace:  opts.SidebandNamespace,
		Clock:              clock.RealClock{},
		Log:                log,
	}
	if opts.SelfServiceConfig.Name != "" {
		deps.PersonalRules = selfservice.ConfigMapRules{Reader: mgr.GetAPIReader(), Key: opts.SelfServiceConfig}
	}
	if opts.Issuer.Enabled() {
		if err := setupIssuer(ctx, mgr, &deps, opts); err != nil {
			return nil, err
		}
	}
	if opts.Query.Enabled() && opts.Console.Enabled {
		deps.Console = console.New(console.Options{
			Authenticator: access.Authenticator,
			Writable: func(ctx context.Context, u user.Info, extra ...string) (grant.Writable, error) {
				return grant.WritableNamespaces(ctx, access, model, u, extra...)
			},
			Details:      console.KubeDetails(mgr.GetAPIReader()),
			ExpiringSoon: opts.Console.ExpiringSoon, DefaultNamespace: opts.Console.DefaultNamespace,
			PersonalRules: deps.PersonalRules,
			Secure:        !opts.Query.Insecure, Clock: clock.RealClock{}, Log: mgr.GetLogger().WithName("console"),
		})
	}
	handlers, err := BuildHandlers(deps)
	if err != nil {
		return nil, err
	}
	if opts.Query.Enabled() {
		if err := addServer(mgr, "query", opts.Query, handlers.Query); err != nil {
			return nil, err
		}
	}
	fwd := opts.Query
	fwd.BindAddress = opts.ForwardAuthBindAddress
	if fwd.Enabled() {
		if err := addServer(mgr, "forward-auth", fwd, handlers.ForwardAuth); err != nil {
			return nil, err
		}
	}
	if handlers.Issuer != nil {
		srv := opts.Query
		srv.BindAddress = opts.Issuer.BindAddress
		if err := addServer(mgr, "issuer", srv, handlers.Issuer); err != nil {
			return nil, err
		}
	}
	return deps.Keys, nil
}

// addServer adds a listener (every replica) and its certificate watcher.
func addServer(mgr ctrl.Manager, name string, opts httpserver.ServingOptions, h http.Handler) error {
	srv, watcher, err := httpserver.NewServer(name, opts, h)
	if err != nil {
		return err
	}
	for _, r := range []manager.Runnable{watcher, srv} {
		if r != nil {
			if err := mgr.Add(r); err != nil {
				return fmt.Errorf("adding the %s server: %w", name, err)
			}
		}
	}
	return nil
}

// addReadyCheck fails /readyz with msg until synced says so.
func addReadyCheck(mgr ctrl.Manager, name string, synced func() bool, msg string) error {
	return mgr.AddReadyzCheck(name, func(*http.Request) error {
		if !synced() {
			return errors.New(msg)
		}
		return nil
	})
}
