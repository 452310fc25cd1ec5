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

// Command manager runs the apitoken-operator: the ApiToken controller (on the
// leader), the query, verify and forward-auth HTTP servers (on every
// replica), metrics and health probes.
package main

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	_ "k8s.io/client-go/plugin/pkg/client/auth"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/apitoken-io/apitoken-operator/internal/console"
	"github.com/apitoken-io/apitoken-operator/internal/guessing"
	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/logging"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/tombstone"
	"github.com/apitoken-io/apitoken-operator/internal/verify"
	"github.com/apitoken-io/apitoken-operator/internal/writeapi"
)

var setupLog = ctrl.Log.WithName("setup")

func main() {
	var (
		metricsAddr, probeAddr     string
		secureMetrics, enableHTTP2 bool
		enableLeaderElection       bool
		leaseDuration              time.Duration
		renewDeadline              time.Duration
		retryPeriod                time.Duration
		leaderElectionNamespace    string
		maxConcurrentReconciles    int
		kubeAPIQPS                 float64
		kubeAPIBurst               int
		queryOpts                  httpserver.ServingOptions
		queryAuth                  string
		lastUsedInterval           time.Duration
		forwardAuthAddr            string
		verifyFailureLimit         int
		trustedProxies             string
		selfServiceMaxTTL          time.Duration
		selfRotateMaxGrace         time.Duration
		revokedRetention           time.Duration
		sidebandNamespace          string
		selfServiceScopes          string
		selfServiceConfig          string
		issuer                     operator.IssuerOptions
		memoryLimitRatio           float64
	)
	flag.StringVar(&metricsAddr, "metrics-bind-address", "0", "The address the metrics endpoint binds to. "+
		"Use :8443 for HTTPS or :8080 for HTTP, or leave as 0 to disable the metrics service.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "The address the probe endpoint binds to.")
	flag.BoolVar(&enableLeaderElection, "leader-elect", false,
		"Enable leader election for the controller. Enabling this ensures there is only one active controller manager.")
	flag.DurationVar(&leaseDuration, "leader-election-lease-duration", 15*time.Second,
		"How long a replica waits, after the leader last renewed its Lease, before it takes over; a killed leader is replaced after about this long.")
	flag.DurationVar(&renewDeadline, "leader-election-renew-deadline", 10*time.Second,
		"How long the leader keeps trying to renew its Lease before it gives up leading; shorter than --leader-election-lease-duration.")
	flag.DurationVar(&retryPeriod, "leader-election-retry-period", 2*time.Second,
		"How often replicas try to acquire or renew the Lease; shorter than --leader-election-renew-deadline.")
	flag.StringVar(&leaderElectionNamespace, "leader-election-namespace", "",
		"Namespace of the leader election Lease; defaults to the pod's namespace in a cluster and to the kubeconfig context's namespace outside.")
	flag.BoolVar(&secureMetrics, "metrics-secure", true,
		"If set, the metrics endpoint is served securely via HTTPS, behind Kubernetes authentication and authorization. Use --metrics-secure=false for HTTP.")
	flag.BoolVar(&enableHTTP2, "enable-http2", false,
		"If set, HTTP/2 will be enabled for the metrics server (off by default: HTTP/2 Stream Cancellation and Rapid Reset CVEs).")
	flag.IntVar(&maxConcurrentReconciles, "max-concurrent-reconciles", 8, "How many ApiTokens are reconciled at once.")
	flag.Float64Var(&kubeAPIQPS, "kube-api-qps", 500, "Queries per second to the Kubernetes API server (client-side rate limit; the API server's priority and fairness is the real guard). Issuing a token takes 3 writes.")
	flag.IntVar(&kubeAPIBurst, "kube-api-burst", 1000, "Burst of queries to the Kubernetes API server (client-side rate limit).")
	flag.StringVar(&queryOpts.BindAddress, "query-bind-address", ":8082", "The address the token query API binds to (on every replica); 0 disables it.")
	flag.StringVar(&queryOpts.CertDir, "query-cert-dir", "", "Directory with tls.crt and tls.key for the query API; empty generates a self-signed certificate at start.")
	flag.BoolVar(&queryOpts.Insecure, "query-insecure", false, "Serve the query API over plain HTTP (local development only).")
	flag.StringVar(&queryAuth, "query-auth", httpserver.AuthKubernetes, "Who may query: kubernetes (bearer token checked with TokenReview, namespaces with SubjectAccessReview) or none (local development only).")
	flag.DurationVar(&lastUsedInterval, "last-used-interval", verify.DefaultLastUsedInterval,
		"How often a verified token's status.lastUsedDate is written, at most (coalesced; flushed on shutdown).")
	flag.StringVar(&forwardAuthAddr, "forward-auth-bind-address", "0",
		"Serve forward authentication for ingresses (any path; the client's token in Authorization or X-Api-Token) on this address; 0 disables it. "+
			"It does not authenticate its caller: expose it to the ingress controller only.")
	flag.IntVar(&verifyFailureLimit, "verify-failure-limit", guessing.DefaultFailureLimit,
		"Failed verifications an end client may make per minute (and at once) at the verify, TokenReview and forward-auth endpoints before it gets 429 "+
			"until its budget refills; 0 turns the limit off.")
	flag.StringVar(&trustedProxies, "trusted-proxies", "",
		"Comma-separated CIDRs or addresses of the proxies (ingress controller, gateway) in front of forward auth whose X-Forwarded-For or X-Real-IP "+
			"names the end client; requests from other peers are counted by their own address.")
	flag.DurationVar(&selfServiceMaxTTL, "self-service-max-ttl", selfservice.DefaultMaxPersonalTTL,
		"The longest ttl of a personal token, created through the HTTP API by a caller who holds only create on apitokens/self.")
	flag.DurationVar(&selfRotateMaxGrace, "self-rotate-max-grace", writeapi.DefaultSelfRotateMaxGrace,
		"The longest grace period a token that rotates itself (POST /api/v1/tokens/self/rotate, scope apitoken:self-rotate) may ask for its previous value.")
	flag.DurationVar(&revokedRetention, "revoked-retention", tombstone.DefaultRetention,
		"How long a revoked token's fingerprint is remembered cluster-wide (in Secrets of the operator's namespace), so that the value is refused "+
			"under any ApiToken, even after its own was deleted.")
	flag.StringVar(&sidebandNamespace, "sideband-api-namespace", "",
		"Serve PingIntelligence ASE's sideband token API (/v5/ase/sideband/token) on the query listener, managing the ApiTokens of this namespace; "+
			"empty: off.")
	flag.StringVar(&selfServiceScopes, "self-service-scopes", "",
		"Comma-separated scopes a personal token may carry (a scope ending in * allows every scope it covers); empty: none. "+
			"Services authorize by scope, so a person may not grant themselves any.")
	flag.StringVar(&selfServiceConfig, "self-service-config", "",
		"Name of a ConfigMap in the operator's namespace holding the personal-token rules (data.maxTTL, data.scopes as the two flags above), "+
			"read on every personal-token write; the personal-tokens admission policy takes the same ConfigMap as its params, so kubectl and the "+
			"HTTP API apply the same rules. Set it or --self-service-max-ttl and --self-service-scopes, not both.")
	flag.StringVar(&issuer.BindAddress, "issuer-bind-address", "0",
		"Serve the access-token issuer (OpenID discovery, the JWK Set and the OAuth token endpoint) on this address, on every replica; 0 disables it. "+
			"It shares the query API's TLS (--query-cert-dir, --query-insecure).")
	flag.StringVar(&issuer.URL, "issuer-url", "",
		"The issuer's URL: the iss claim of access tokens and the base of the published URLs. It must be the https URL clients reach.")
	flag.StringVar(&issuer.DefaultAudience, "issuer-default-audience", "",
		"The aud of an access token requested without an audience; empty: the issuer URL.")
	var allowedAudiences, personalAudiences string
	flag.StringVar(&allowedAudiences, "issuer-allowed-audiences", "",
		"Comma-separated audiences an ApiToken may list in spec.accessToken.audiences; others are not granted (the default audience always is). Empty: no cap. "+
			"Without spec.accessToken.audiences an ApiToken gets the default audience only.")
	flag.StringVar(&personalAudiences, "self-service-audiences", "",
		"Comma-separated audiences of personal tokens' access tokens; empty: the default audience only. A person cannot widen them.")
	flag.DurationVar(&issuer.Rotation, "signing-key-rotation", operator.DefaultSigningKeyRotation, "How long each signing key signs before the next one takes over.")
	flag.DurationVar(&issuer.Overlap, "signing-key-overlap", operator.DefaultSigningKeyOverlap,
		"How long a new signing key is published in the JWK Set before it signs, so that verifiers that cache the set know it in time.")
	flag.StringVar(&issuer.Namespace, "signing-key-namespace", "", "Namespace of the signing key Secret; defaults to the operator's namespace.")
	flag.StringVar(&issuer.SecretName, "signing-key-secret", operator.DefaultSigningKeySecret,
		"Name of the Secret that holds the signing keys, created and rotated by the leader.")
	var consoleOpts operator.ConsoleOptions
	flag.BoolVar(&consoleOpts.Enabled, "console", true,
		"Serve the web console at /console/ on the query listener (same TLS and authentication as the query API).")
	flag.DurationVar(&consoleOpts.ExpiringSoon, "console-expiring-soon", console.DefaultExpiringSoon,
		"How long before its expiry the console marks an Active token \"Expiring soon\".")
	flag.StringVar(&consoleOpts.DefaultNamespace, "console-default-namespace", "",
		"The namespace the console's create form offers first (for personal tokens); empty: the first the person may create in.")
	var markKey types.NamespacedName
	flag.StringVar(&markKey.Name, "mark-key-secret", operator.DefaultMarkKeySecret,
		"Name of the Secret, in the operator's namespace, holding the key of the operator's marks on the token Secrets it writes "+
			"(an HMAC that proves a Secret is the operator's; created with a random key when missing).")
	flag.Float64Var(&memoryLimitRatio, "memory-limit-ratio", operator.DefaultMemoryLimitRatio,
		"How much of the container's memory limit (MEMORY_LIMIT, in bytes: the chart sets it from resources.limits.memory) "+
			"the Go runtime may use before it collects garbage harder; the rest is room for what the kernel charges that the runtime "+
			"does not count, such as the binary's mapped code. GOMEMLIMIT, when set, decides instead.")
	opts := zap.Options{Development: false}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	// Clamped: client-go logs request bodies, Secrets included, at -v 8 and up.
	logger := logging.Clamp(zap.New(zap.UseFlagOptions(&opts)))
	ctrl.SetLogger(logger)
	klog.SetLogger(logger)

	softLimit, err := operator.SoftMemoryLimit(os.Getenv, memoryLimitRatio)
	if err != nil {
		setupLog.Error(err, "Invalid memory limit")
		os.Exit(1)
	}
	if softLimit > 0 {
		debug.SetMemoryLimit(softLimit)
		setupLog.Info("Go runtime memory limit set", "limitMiB", softLimit>>20, "ratio", memoryLimitRatio)
	}

	var tlsOpts []func(*tls.Config)
	if !enableHTTP2 {
		tlsOpts = append(tlsOpts, func(c *tls.Config) { c.NextProtos = []string{"http/1.1"} })
	}
	metricsOpts := operator.MetricsOptions(metricsAddr, secureMetrics, tlsOpts)

	proxies, err := httpserver.ParseTrustedProxies(trustedProxies)
	if err != nil {
		setupLog.Error(err, "Invalid flag")
		os.Exit(1)
	}
	if err := oneRuleSource(selfServiceConfig, setFlags()); err != nil {
		setupLog.Error(err, "Invalid flag")
		os.Exit(1)
	}
	personalScopes, err := selfservice.ParseScopeList(selfServiceScopes)
	if err != nil {
		setupLog.Error(fmt.Errorf("--self-service-scopes: %w", err), "Invalid flag")
		os.Exit(1)
	}
	if issuer.Namespace == "" {
		issuer.Namespace = operatorNamespace()
	}
	issuer.AllowedAudiences, issuer.PersonalAudiences = splitList(allowedAudiences), splitList(personalAudiences)
	markKey.Namespace = operatorNamespace()
	if err := keyNamespaceAllowed(markKey.Namespace, inCluster()); err != nil {
		setupLog.Error(err, "Refusing to start")
		os.Exit(1)
	}
	if err := issuer.Validate(queryOpts.Insecure); err != nil {
		setupLog.Error(err, "Invalid flag")
		os.Exit(1)
	}
	if errs := validation.IsDNS1123Label(sidebandNamespace); sidebandNamespace != "" && len(errs) > 0 {
		setupLog.Error(fmt.Errorf("--sideband-api-namespace %q: not a namespace name: %s", sidebandNamespace, strings.Join(errs, "; ")), "Invalid flag")
		os.Exit(1)
	}
	if verifyFailureLimit < 0 {
		setupLog.Error(errors.New("--verify-failure-limit: must be 0 (off) or more"), "Invalid flag")
		os.Exit(1)
	}

	cfg := ctrl.GetConfigOrDie()
	cfg.QPS, cfg.Burst = float32(kubeAPIQPS), kubeAPIBurst
	mgrOpts := operator.ManagerOptions()
	mgrOpts.Metrics = metricsOpts
	mgrOpts.HealthProbeBindAddress = probeAddr
	if err := leaderElectionTimings(leaseDuration, renewDeadline, retryPeriod); err != nil {
		setupLog.Error(err, "Invalid flag")
		os.Exit(1)
	}
	mgrOpts.LeaderElection = enableLeaderElection
	mgrOpts.LeaseDuration, mgrOpts.RenewDeadline, mgrOpts.RetryPeriod = &leaseDuration, &renewDeadline, &retryPeriod
	mgrOpts.LeaderElectionNamespace = leaderNamespace(enableLeaderElection, leaderElectionNamespace)
	mgr, err := ctrl.NewManager(cfg, mgrOpts)
	if err != nil {
		setupLog.Error(err, "Failed to create the manager")
		os.Exit(1)
	}

	ctx := ctrl.SetupSignalHandler()
	if _, err := operator.Setup(ctx, mgr, operator.Options{
		MaxConcurrentReconciles: maxConcurrentReconciles,
		Query:                   queryOpts,
		QueryAuth:               queryAuth,
		LastUsedInterval:        lastUsedInterval,
		ForwardAuthBindAddress:  forwardAuthAddr,
		VerifyFailureLimit:      verifyFailureLimit,
		TrustedProxies:          proxies,
		SelfServiceMaxTTL:       selfServiceMaxTTL,
		SelfRotateMaxGrace:      selfRotateMaxGrace,
		SidebandNamespace:       sidebandNamespace,
		SelfServiceScopes:       personalScopes,
		SelfServiceConfig:       types.NamespacedName{Namespace: operatorNamespace(), Name: selfServiceConfig},
		Issuer:                  issuer,
		MarkKey:                 markKey,
		RevokedRetention:        revokedRetention,
		Console:                 consoleOpts,
	}); err != nil {
		setupLog.Error(err, "Failed to set up the operator")
		os.Exit(1)
	}

	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		setupLog.Error(err, "Failed to set up the health check")
		os.Exit(1)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		setupLog.Error(err, "Failed to set up the ready check")
		os.Exit(1)
	}

	setupLog.Info("Starting manager")
	if err := mgr.Start(ctx); err != nil {
		setupLog.Error(err, "Manager stopped with an error")
		os.Exit(1)
	}
}

// leaderNamespace is where the leader election Lease lives: the flag, else
// the operator's namespace (from a developer's host, the kubeconfig
// context's), so that --leader-elect works out of cluster too.
func leaderNamespace(enabled bool, flagValue string) string {
	if !enabled || flagValue != "" {
		return flagValue
	}
	return operatorNamespace()
}

// serviceAccountNamespace is where a pod finds its namespace.
const serviceAccountNamespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// inCluster says whether the binary runs in a pod.
func inCluster() bool {
	_, err := os.Stat(serviceAccountNamespace)
	return err == nil
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

// operatorNamespace is the pod's namespace in a cluster, else the current
// kubeconfig context's namespace, else "default".
func operatorNamespace() string {
	if b, err := os.ReadFile(serviceAccountNamespace); err == nil {
		return strings.TrimSpace(string(b))
	}
	ns, _, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		clientcmd.NewDefaultClientConfigLoadingRules(), &clientcmd.ConfigOverrides{}).Namespace()
	if err != nil || ns == "" {
		return "default"
	}
	return ns
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

// setFlags names the flags given on the command line.
func setFlags() []string {
	var set []string
	flag.Visit(func(f *flag.Flag) { set = append(set, f.Name) })
	return set
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
