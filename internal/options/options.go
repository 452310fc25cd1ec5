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

// Package options holds the operator binary's flags: one type with
// defaults beside each field, AddFlags, Complete and Validate, as
// controller-runtime's manager.Options and cert-manager's controller
// options do. cmd/main.go only parses, validates and starts.
package options

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/apitoken-io/apitoken-operator/internal/console"
	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/outbound"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/tombstone"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
	"github.com/apitoken-io/apitoken-operator/internal/writeapi"
)

// OperatorOptions are the operator's flags. NewOperatorOptions sets the
// defaults named beside each field.
type OperatorOptions struct {
	// MetricsAddr (--metrics-bind-address, default "0": off) serves
	// /metrics; SecureMetrics (--metrics-secure, default true) serves it
	// over HTTPS behind Kubernetes authentication and authorization;
	// EnableHTTP2 (--enable-http2, default false) allows HTTP/2 there.
	MetricsAddr   string
	SecureMetrics bool
	EnableHTTP2   bool
	// ProbeAddr (--health-probe-bind-address, default ":8081") serves
	// /healthz and /readyz.
	ProbeAddr string

	// LeaderElect (--leader-elect, default false) runs the controller on
	// one replica at a time; the Lease lives in LeaderElectionNamespace
	// (--leader-election-namespace, default: the operator's namespace).
	LeaderElect             bool
	LeaderElectionNamespace string
	// LeaseDuration (default 15s), RenewDeadline (10s) and RetryPeriod
	// (2s) are client-go's leader election timings: each positive, the
	// renew deadline under the lease, the retry period under the renew
	// deadline.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration

	// MaxConcurrentReconciles (--max-concurrent-reconciles, default 8).
	MaxConcurrentReconciles int
	// KubeAPIQPS (default 500) and KubeAPIBurst (default 1000) are the
	// client-side rate limit towards the API server.
	KubeAPIQPS   float64
	KubeAPIBurst int

	// Query is the query listener (--query-bind-address default ":8082",
	// --query-cert-dir default "": self-signed, --query-insecure default
	// false); its TLS serves the forward-auth and issuer listeners too.
	Query httpserver.ServingOptions
	// QueryAuth (--query-auth, default kubernetes): kubernetes or none.
	QueryAuth string
	// ForwardAuthAddr (--forward-auth-bind-address, default "0": off).
	ForwardAuthAddr string
	// LastUsedInterval (--last-used-interval, default
	// verify.DefaultLastUsedInterval).
	LastUsedInterval time.Duration
	// VerifyFailureLimit (--verify-failure-limit, default
	// guessing.DefaultFailureLimit; 0: off) must not be negative.
	VerifyFailureLimit int
	// TrustedProxies (--trusted-proxies, default none): CIDRs or addresses.
	TrustedProxies []netip.Prefix

	// SelfServiceMaxTTL (default selfservice.DefaultMaxPersonalTTL) and
	// SelfServiceScopes (default none) are the personal-token rules, unless
	// SelfServiceConfig names the ConfigMap that holds them (not both).
	SelfServiceMaxTTL time.Duration
	SelfServiceScopes []string
	SelfServiceConfig string
	// SelfRotateMaxGrace (--self-rotate-max-grace, default
	// writeapi.DefaultSelfRotateMaxGrace).
	SelfRotateMaxGrace time.Duration
	// RevokedRetention (--revoked-retention, default
	// tombstone.DefaultRetention).
	RevokedRetention time.Duration
	// SidebandNamespace (--sideband-api-namespace, default "": off) must be
	// a namespace name.
	SidebandNamespace string

	// Issuer is the access-token issuer (--issuer-*, --signing-key-*).
	Issuer operator.IssuerOptions
	// Console is the web console (--console default true,
	// --console-expiring-soon default console.DefaultExpiringSoon,
	// --console-default-namespace default "").
	Console operator.ConsoleOptions
	// MarkKeySecret (--mark-key-secret, default
	// operator.DefaultMarkKeySecret) is in the operator's namespace.
	MarkKeySecret string
	// Webhooks (--webhook-allowed-cidrs, --console-url) configure
	// ApiTokenWebhook delivery.
	Webhooks operator.WebhookOptions
	// MemoryLimitRatio (--memory-limit-ratio, default
	// operator.DefaultMemoryLimitRatio) is the share of the container's
	// limit the Go runtime may use.
	MemoryLimitRatio float64

	// Namespace is the operator's namespace and InCluster whether it runs
	// in a pod (Complete sets them).
	Namespace string
	InCluster bool

	// The list flags as given, and the flags set on the command line
	// (Complete reads them).
	trustedProxies, selfServiceScopes, allowedAudiences, personalAudiences, webhookAllowedCIDRs string
	set                                                                                         []string
	completeErr                                                                                 error
}

// NewOperatorOptions returns the defaults.
func NewOperatorOptions() *OperatorOptions {
	return &OperatorOptions{
		MetricsAddr: "0", SecureMetrics: true, ProbeAddr: ":8081",
		LeaseDuration: 15 * time.Second, RenewDeadline: 10 * time.Second, RetryPeriod: 2 * time.Second,
		MaxConcurrentReconciles: 8, KubeAPIQPS: 500, KubeAPIBurst: 1000,
		Query:     httpserver.ServingOptions{BindAddress: ":8082"},
		QueryAuth: httpserver.AuthKubernetes, ForwardAuthAddr: "0",
		LastUsedInterval: verify.DefaultLastUsedInterval, VerifyFailureLimit: guessing.DefaultFailureLimit,
		SelfServiceMaxTTL: selfservice.DefaultMaxPersonalTTL, SelfRotateMaxGrace: writeapi.DefaultSelfRotateMaxGrace,
		RevokedRetention: tombstone.DefaultRetention,
		Issuer: operator.IssuerOptions{BindAddress: "0", Rotation: operator.DefaultSigningKeyRotation,
			Overlap: operator.DefaultSigningKeyOverlap, SecretName: operator.DefaultSigningKeySecret},
		Console:          operator.ConsoleOptions{Enabled: true, ExpiringSoon: console.DefaultExpiringSoon},
		MarkKeySecret:    operator.DefaultMarkKeySecret,
		MemoryLimitRatio: operator.DefaultMemoryLimitRatio,
	}
}

// AddFlags registers every flag on fs, each defaulting to o's value.
func (o *OperatorOptions) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.MetricsAddr, "metrics-bind-address", o.MetricsAddr, "The address the metrics endpoint binds to. "+
		"Use :8443 for HTTPS or :8080 for HTTP, or leave as 0 to disable the metrics service.")
	fs.StringVar(&o.ProbeAddr, "health-probe-bind-address", o.ProbeAddr, "The address the probe endpoint binds to.")
	fs.BoolVar(&o.LeaderElect, "leader-elect", o.LeaderElect,
		"Enable leader election for the controller. Enabling this ensures there is only one active controller manager.")
	fs.DurationVar(&o.LeaseDuration, "leader-election-lease-duration", o.LeaseDuration,
		"How long a replica waits, after the leader last renewed its Lease, before it takes over; a killed leader is replaced after about this long.")
	fs.DurationVar(&o.RenewDeadline, "leader-election-renew-deadline", o.RenewDeadline,
		"How long the leader keeps trying to renew its Lease before it gives up leading; shorter than --leader-election-lease-duration.")
	fs.DurationVar(&o.RetryPeriod, "leader-election-retry-period", o.RetryPeriod,
		"How often replicas try to acquire or renew the Lease; shorter than --leader-election-renew-deadline.")
	fs.StringVar(&o.LeaderElectionNamespace, "leader-election-namespace", o.LeaderElectionNamespace,
		"Namespace of the leader election Lease; defaults to the pod's namespace in a cluster and to the kubeconfig context's namespace outside.")
	fs.BoolVar(&o.SecureMetrics, "metrics-secure", o.SecureMetrics,
		"If set, the metrics endpoint is served securely via HTTPS, behind Kubernetes authentication and authorization. Use --metrics-secure=false for HTTP.")
	fs.BoolVar(&o.EnableHTTP2, "enable-http2", o.EnableHTTP2,
		"If set, HTTP/2 will be enabled for the metrics server (off by default: HTTP/2 Stream Cancellation and Rapid Reset CVEs).")
	fs.IntVar(&o.MaxConcurrentReconciles, "max-concurrent-reconciles", o.MaxConcurrentReconciles, "How many ApiTokens are reconciled at once.")
	fs.Float64Var(&o.KubeAPIQPS, "kube-api-qps", o.KubeAPIQPS, "Queries per second to the Kubernetes API server (client-side rate limit; the API server's priority and fairness is the real guard). Issuing a token takes 3 writes.")
	fs.IntVar(&o.KubeAPIBurst, "kube-api-burst", o.KubeAPIBurst, "Burst of queries to the Kubernetes API server (client-side rate limit).")
	fs.StringVar(&o.Query.BindAddress, "query-bind-address", o.Query.BindAddress, "The address the token query API binds to (on every replica); 0 disables it.")
	fs.StringVar(&o.Query.CertDir, "query-cert-dir", o.Query.CertDir, "Directory with tls.crt and tls.key for the query API; empty generates a self-signed certificate at start.")
	fs.BoolVar(&o.Query.Insecure, "query-insecure", o.Query.Insecure, "Serve the query API over plain HTTP (local development only).")
	fs.StringVar(&o.QueryAuth, "query-auth", o.QueryAuth, "Who may query: kubernetes (bearer token checked with TokenReview, namespaces with SubjectAccessReview) or none (local development only).")
	fs.DurationVar(&o.LastUsedInterval, "last-used-interval", o.LastUsedInterval,
		"How often a verified token's status.lastUsedDate is written, at most (coalesced; flushed on shutdown).")
	fs.StringVar(&o.ForwardAuthAddr, "forward-auth-bind-address", o.ForwardAuthAddr,
		"Serve forward authentication for ingresses (any path; the client's token in Authorization or X-Api-Token) on this address; 0 disables it. "+
			"It does not authenticate its caller: expose it to the ingress controller only.")
	fs.IntVar(&o.VerifyFailureLimit, "verify-failure-limit", o.VerifyFailureLimit,
		"Failed verifications an end client may make per minute (and at once) at the verify, TokenReview and forward-auth endpoints before it gets 429 "+
			"until its budget refills; 0 turns the limit off.")
	fs.StringVar(&o.trustedProxies, "trusted-proxies", o.trustedProxies,
		"Comma-separated CIDRs or addresses of the proxies (ingress controller, gateway) in front of forward auth whose X-Forwarded-For or X-Real-IP "+
			"names the end client; requests from other peers are counted by their own address.")
	fs.DurationVar(&o.SelfServiceMaxTTL, "self-service-max-ttl", o.SelfServiceMaxTTL,
		"The longest ttl of a personal token, created through the HTTP API by a caller who holds only create on apitokens/self.")
	fs.DurationVar(&o.SelfRotateMaxGrace, "self-rotate-max-grace", o.SelfRotateMaxGrace,
		"The longest grace period a token that rotates itself (POST /api/v1/tokens/self/rotate, scope apitoken:self-rotate) may ask for its previous value.")
	fs.DurationVar(&o.RevokedRetention, "revoked-retention", o.RevokedRetention,
		"How long a revoked token's fingerprint is remembered cluster-wide (in Secrets of the operator's namespace), so that the value is refused "+
			"under any ApiToken, even after its own was deleted.")
	fs.StringVar(&o.SidebandNamespace, "sideband-api-namespace", o.SidebandNamespace,
		"Serve PingIntelligence ASE's sideband token API (/v5/ase/sideband/token) on the query listener, managing the ApiTokens of this namespace; "+
			"empty: off.")
	fs.StringVar(&o.selfServiceScopes, "self-service-scopes", o.selfServiceScopes,
		"Comma-separated scopes a personal token may carry (a scope ending in * allows every scope it covers); empty: none. "+
			"Services authorize by scope, so a person may not grant themselves any.")
	fs.StringVar(&o.SelfServiceConfig, "self-service-config", o.SelfServiceConfig,
		"Name of a ConfigMap in the operator's namespace holding the personal-token rules (data.maxTTL, data.scopes as the two flags above), "+
			"read on every personal-token write; the personal-tokens admission policy takes the same ConfigMap as its params, so kubectl and the "+
			"HTTP API apply the same rules. Set it or --self-service-max-ttl and --self-service-scopes, not both.")
	fs.StringVar(&o.Issuer.BindAddress, "issuer-bind-address", o.Issuer.BindAddress,
		"Serve the access-token issuer (OpenID discovery, the JWK Set and the OAuth token endpoint) on this address, on every replica; 0 disables it. "+
			"It shares the query API's TLS (--query-cert-dir, --query-insecure).")
	fs.StringVar(&o.Issuer.URL, "issuer-url", o.Issuer.URL,
		"The issuer's URL: the iss claim of access tokens and the base of the published URLs. It must be the https URL clients reach.")
	fs.StringVar(&o.Issuer.DefaultAudience, "issuer-default-audience", o.Issuer.DefaultAudience,
		"The aud of an access token requested without an audience; empty: the issuer URL.")
	fs.StringVar(&o.allowedAudiences, "issuer-allowed-audiences", o.allowedAudiences,
		"Comma-separated audiences an ApiToken may list in spec.accessToken.audiences; others are not granted (the default audience always is). Empty: no cap. "+
			"Without spec.accessToken.audiences an ApiToken gets the default audience only.")
	fs.StringVar(&o.personalAudiences, "self-service-audiences", o.personalAudiences,
		"Comma-separated audiences of personal tokens' access tokens; empty: the default audience only. A person cannot widen them.")
	fs.DurationVar(&o.Issuer.Rotation, "signing-key-rotation", o.Issuer.Rotation, "How long each signing key signs before the next one takes over.")
	fs.DurationVar(&o.Issuer.Overlap, "signing-key-overlap", o.Issuer.Overlap,
		"How long a new signing key is published in the JWK Set before it signs, so that verifiers that cache the set know it in time.")
	fs.StringVar(&o.Issuer.Namespace, "signing-key-namespace", o.Issuer.Namespace, "Namespace of the signing key Secret; defaults to the operator's namespace.")
	fs.StringVar(&o.Issuer.SecretName, "signing-key-secret", o.Issuer.SecretName,
		"Name of the Secret that holds the signing keys, created and rotated by the leader.")
	fs.BoolVar(&o.Console.Enabled, "console", o.Console.Enabled,
		"Serve the web console at /console/ on the query listener (same TLS and authentication as the query API).")
	fs.DurationVar(&o.Console.ExpiringSoon, "console-expiring-soon", o.Console.ExpiringSoon,
		"How long before its expiry the console marks an Active token \"Expiring soon\".")
	fs.StringVar(&o.Console.DefaultNamespace, "console-default-namespace", o.Console.DefaultNamespace,
		"The namespace the console's create form offers first (for personal tokens); empty: the first the person may create in.")
	fs.StringVar(&o.webhookAllowedCIDRs, "webhook-allowed-cidrs", o.webhookAllowedCIDRs,
		"Comma-separated CIDRs of loopback, link-local or private addresses ApiTokenWebhook receivers may be at (public addresses always may); default none.")
	fs.StringVar(&o.Webhooks.ConsoleURL, "console-url", o.Webhooks.ConsoleURL,
		"The web console's public URL (e.g. https://tokens.example.com/console/): ApiTokenWebhook events link to a token's page.")
	fs.StringVar(&o.MarkKeySecret, "mark-key-secret", o.MarkKeySecret,
		"Name of the Secret, in the operator's namespace, holding the key of the operator's marks on the token Secrets it writes "+
			"(an HMAC that proves a Secret is the operator's; created with a random key when missing).")
	fs.Float64Var(&o.MemoryLimitRatio, "memory-limit-ratio", o.MemoryLimitRatio,
		"How much of the container's memory limit (MEMORY_LIMIT, in bytes: the chart sets it from resources.limits.memory) "+
			"the Go runtime may use before it collects garbage harder; the rest is room for what the kernel charges that the runtime "+
			"does not count, such as the binary's mapped code. GOMEMLIMIT, when set, decides instead.")
}

// Environment is where the operator runs.
type Environment struct {
	// Namespace is the operator's: the pod's in a cluster, else the
	// kubeconfig context's, else "default".
	Namespace string
	// InCluster says whether it runs in a pod.
	InCluster bool
}

// serviceAccountNamespace is where a pod finds its namespace.
const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// DetectEnvironment finds the operator's namespace and whether it runs in a
// pod.
func DetectEnvironment() Environment {
	if b, err := os.ReadFile(serviceAccountNamespace); err == nil {
		return Environment{Namespace: strings.TrimSpace(string(b)), InCluster: true}
	}
	ns, _, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		clientcmd.NewDefaultClientConfigLoadingRules(), &clientcmd.ConfigOverrides{}).Namespace()
	if err != nil || ns == "" {
		ns = "default"
	}
	return Environment{Namespace: ns}
}

// Complete derives what the flags imply, after fs has parsed them: the
// lists, the namespaces that default to the operator's (env), and which
// flags were set. Its parse errors are Validate's.
func (o *OperatorOptions) Complete(fs *flag.FlagSet, env Environment) {
	o.Namespace, o.InCluster = env.Namespace, env.InCluster
	o.set = nil
	fs.Visit(func(f *flag.Flag) { o.set = append(o.set, f.Name) })
	var errs []error
	var err error
	if o.TrustedProxies, err = httpserver.ParseTrustedProxies(o.trustedProxies); err != nil {
		errs = append(errs, err)
	}
	if o.Webhooks.AllowedCIDRs, err = outbound.ParseCIDRs(splitList(o.webhookAllowedCIDRs)); err != nil {
		errs = append(errs, fmt.Errorf("--webhook-allowed-cidrs: %w", err))
	}
	if o.SelfServiceScopes, err = selfservice.ParseScopeList(o.selfServiceScopes); err != nil {
		errs = append(errs, fmt.Errorf("--self-service-scopes: %w", err))
	}
	o.Issuer.AllowedAudiences, o.Issuer.PersonalAudiences = splitList(o.allowedAudiences), splitList(o.personalAudiences)
	if o.Issuer.Namespace == "" {
		o.Issuer.Namespace = o.Namespace
	}
	if o.LeaderElect && o.LeaderElectionNamespace == "" {
		// Out of a cluster too, so that --leader-elect works from a
		// developer's host.
		o.LeaderElectionNamespace = o.Namespace
	}
	o.completeErr = errors.Join(errs...)
}

// Validate names every flag that breaks a rule, and the rule.
func (o *OperatorOptions) Validate() error {
	errs := []error{o.completeErr, oneRuleSource(o.SelfServiceConfig, o.set),
		keyNamespaceAllowed(o.Namespace, o.InCluster), o.Issuer.Validate(o.Query.Insecure),
		leaderElectionTimings(o.LeaseDuration, o.RenewDeadline, o.RetryPeriod), httpserver.CheckAuthMode(o.QueryAuth)}
	if errs2 := validation.IsDNS1123Label(o.SidebandNamespace); o.SidebandNamespace != "" && len(errs2) > 0 {
		errs = append(errs, fmt.Errorf("--sideband-api-namespace %q: not a namespace name: %s", o.SidebandNamespace, strings.Join(errs2, "; ")))
	}
	if u, err := url.Parse(o.Webhooks.ConsoleURL); o.Webhooks.ConsoleURL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		errs = append(errs, fmt.Errorf("--console-url %q: not an http(s) URL", o.Webhooks.ConsoleURL))
	}
	if o.VerifyFailureLimit < 0 {
		errs = append(errs, errors.New("--verify-failure-limit: must be 0 (off) or more"))
	}
	if o.MaxConcurrentReconciles < 1 {
		errs = append(errs, fmt.Errorf("--max-concurrent-reconciles: is %d: must be at least 1", o.MaxConcurrentReconciles))
	}
	if o.KubeAPIQPS <= 0 || o.KubeAPIBurst < 1 {
		errs = append(errs, fmt.Errorf("--kube-api-qps (%g) and --kube-api-burst (%d): must be positive", o.KubeAPIQPS, o.KubeAPIBurst))
	}
	return errors.Join(errs...)
}

// ManagerOptions are the manager's options: the shared ones
// (operator.ManagerOptions), the metrics and probe addresses and leader
// election.
func (o *OperatorOptions) ManagerOptions() ctrl.Options {
	var tlsOpts []func(*tls.Config)
	if !o.EnableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	m := operator.ManagerOptions()
	m.Metrics = operator.MetricsOptions(o.MetricsAddr, o.SecureMetrics, tlsOpts)
	m.HealthProbeBindAddress = o.ProbeAddr
	m.LeaderElection = o.LeaderElect
	m.LeaderElectionNamespace = o.LeaderElectionNamespace
	lease, renew, retry := o.LeaseDuration, o.RenewDeadline, o.RetryPeriod
	m.LeaseDuration, m.RenewDeadline, m.RetryPeriod = &lease, &renew, &retry
	return m
}

// Operator is what operator.Setup adds, from the flags.
func (o *OperatorOptions) Operator() operator.Options {
	return operator.Options{
		MaxConcurrentReconciles: o.MaxConcurrentReconciles,
		Query:                   o.Query,
		QueryAuth:               o.QueryAuth,
		LastUsedInterval:        o.LastUsedInterval,
		ForwardAuthBindAddress:  o.ForwardAuthAddr,
		VerifyFailureLimit:      o.VerifyFailureLimit,
		TrustedProxies:          o.TrustedProxies,
		SelfServiceMaxTTL:       o.SelfServiceMaxTTL,
		SelfServiceScopes:       o.SelfServiceScopes,
		SelfServiceConfig:       types.NamespacedName{Namespace: o.Namespace, Name: o.SelfServiceConfig},
		SelfRotateMaxGrace:      o.SelfRotateMaxGrace,
		SidebandNamespace:       o.SidebandNamespace,
		Issuer:                  o.Issuer,
		Console:                 o.Console,
		MarkKey:                 types.NamespacedName{Namespace: o.Namespace, Name: o.MarkKeySecret},
		RevokedRetention:        o.RevokedRetention,
		Webhooks:                o.Webhooks,
	}
}

// keyNamespaceAllowed refuses, out of a cluster, to keep the mark key and
// the revoked-token tombstones in "default" (where the operator lands when
// the kubeconfig names no namespace): whoever may write Secrets there could
// plant the key. In a pod the namespace is the operator's own.
func keyNamespaceAllowed(namespace string, inCluster bool) error {
	if inCluster || namespace != "default" {
		return nil
	}
	return fmt.Errorf("out of a cluster the operator keeps its mark key and tombstones in the kubeconfig context's namespace, and that is %q: "+
		"set the context's namespace to the operator's own (kubectl config set-context --current --namespace=apitoken-system)", namespace)
}

// splitList reads a comma-separated flag value; empty items are dropped.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// oneRuleSource refuses --self-service-config beside the flags it replaces
// (set names the flags given on the command line): the personal-token rules
// come from one place.
func oneRuleSource(config string, set []string) error {
	if config == "" {
		return nil
	}
	if errs := validation.IsDNS1123Subdomain(config); len(errs) > 0 {
		return fmt.Errorf("--self-service-config %q: not a ConfigMap name: %s", config, strings.Join(errs, "; "))
	}
	var both []string
	for _, name := range set {
		if name == "self-service-max-ttl" || name == "self-service-scopes" {
			both = append(both, "--"+name)
		}
	}
	if len(both) > 0 {
		return fmt.Errorf("--self-service-config reads the personal-token rules from ConfigMap %q: %s would be ignored; set them in the ConfigMap (data.maxTTL, data.scopes)",
			config, strings.Join(both, " and "))
	}
	return nil
}

// leaderElectionTimings checks the Lease timings as client-go's leader
// election requires them: each positive, the renew deadline shorter than
// the lease, the retry period shorter than the renew deadline.
func leaderElectionTimings(lease, renew, retry time.Duration) error {
	switch {
	case lease <= 0 || renew <= 0 || retry <= 0:
		return fmt.Errorf("--leader-election-lease-duration (%s), --leader-election-renew-deadline (%s) and --leader-election-retry-period (%s) must each be positive",
			lease, renew, retry)
	case renew >= lease:
		return fmt.Errorf("--leader-election-renew-deadline (%s) must be shorter than --leader-election-lease-duration (%s)", renew, lease)
	case retry >= renew:
		return fmt.Errorf("--leader-election-retry-period (%s) must be shorter than --leader-election-renew-deadline (%s)", retry, renew)
	}
	return nil
}
