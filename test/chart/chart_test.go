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

// Package chart tests the Helm chart: it stays in sync with the generated
// CRD and RBAC, lints, renders with default and non-default values (checked
// against values.schema.json), and installs into and uninstalls from a real
// API server. make test builds helm into bin/ and sets HELM.
package chart

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"
)

const (
	chartDir   = "../../charts/apitoken-operator"
	nondefault = "testdata/nondefault-values.yaml"
)

func helmBin(t *testing.T) string {
	t.Helper()
	h := os.Getenv("HELM")
	if h == "" {
		t.Skip("HELM is not set: run make test, which builds helm into bin/")
	}
	return h
}

func helm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(helmBin(t), args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	err := cmd.Run()
	return out.String(), err
}

func TestChartFilesMatchGenerated(t *testing.T) {
	for chartFile, generated := range map[string]string{
		"files/crds/auth.apitoken.io_apitokens.yaml":        "../../config/crd/bases/auth.apitoken.io_apitokens.yaml",
		"files/crds/auth.apitoken.io_apitokenpolicies.yaml": "../../config/crd/bases/auth.apitoken.io_apitokenpolicies.yaml",
		"files/rbac/role.yaml":                              "../../config/rbac/role.yaml",
		"files/admission/import_consent_policy.yaml":        "../../config/admission/import_consent_policy.yaml",
		"files/admission/personal_tokens_policy.yaml":       "../../config/admission/personal_tokens_policy.yaml",
	} {
		a, err := os.ReadFile(filepath.Join(chartDir, chartFile))
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(generated)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("charts/apitoken-operator/%s differs from %s: run make manifests", chartFile, strings.TrimPrefix(generated, "../../"))
		}
	}
}

func TestLint(t *testing.T) {
	for _, extra := range [][]string{nil, {"-f", nondefault}} {
		if out, err := helm(t, append([]string{"lint", "--strict", chartDir}, extra...)...); err != nil {
			t.Fatalf("helm lint %v: %v\n%s", extra, err, out)
		}
	}
}

// render runs helm template and returns the documents by kind/name.
func render(t *testing.T, args ...string) map[string]*unstructured.Unstructured {
	t.Helper()
	out, err := helm(t, append([]string{"template", "rel", chartDir, "-n", "ops"}, args...)...)
	if err != nil {
		t.Fatalf("helm template %v: %v\n%s", args, err, out)
	}
	docs := map[string]*unstructured.Unstructured{}
	for _, doc := range strings.Split(out, "\n---") {
		u := &unstructured.Unstructured{}
		if err := yaml.Unmarshal([]byte(doc), &u.Object); err != nil {
			t.Fatalf("rendered YAML does not parse: %v\n%s", err, doc)
		}
		if len(u.Object) == 0 {
			continue
		}
		docs[u.GetKind()+"/"+u.GetName()] = u
	}
	return docs
}

func deployment(t *testing.T, docs map[string]*unstructured.Unstructured) *appsv1.Deployment {
	t.Helper()
	u, ok := docs["Deployment/rel-apitoken-operator"]
	if !ok {
		t.Fatalf("no Deployment rendered; have %v", keys(docs))
	}
	d := &appsv1.Deployment{}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestTemplateDefaults(t *testing.T) {
	docs := render(t)
	for _, want := range []string{"CustomResourceDefinition/apitokens.auth.apitoken.io", "ServiceAccount/rel-apitoken-operator",
		"ClusterRole/rel-apitoken-operator-manager", "ClusterRoleBinding/rel-apitoken-operator-manager", "Role/rel-apitoken-operator-leader-election",
		"Service/rel-apitoken-operator-metrics", "Service/rel-apitoken-operator-query", "ClusterRole/apitoken-query-reader",
		"ValidatingAdmissionPolicy/rel-apitoken-operator-import-consent", "ValidatingAdmissionPolicyBinding/rel-apitoken-operator-import-consent",
		"ValidatingAdmissionPolicy/rel-apitoken-operator-personal-tokens", "ValidatingAdmissionPolicyBinding/rel-apitoken-operator-personal-tokens",
		"ClusterRole/apitoken-personal-tokens", "CustomResourceDefinition/apitokenpolicies.auth.apitoken.io"} {
		if _, ok := docs[want]; !ok {
			t.Errorf("%s not rendered", want)
		}
	}
	for _, absent := range []string{"ServiceMonitor/rel-apitoken-operator", "PrometheusRule/rel-apitoken-operator", "NetworkPolicy/rel-apitoken-operator"} {
		if _, ok := docs[absent]; ok {
			t.Errorf("%s rendered although off by default", absent)
		}
	}
	if docs["CustomResourceDefinition/apitokens.auth.apitoken.io"].GetAnnotations()["helm.sh/resource-policy"] != "keep" {
		t.Error("the CRD is not kept on uninstall by default")
	}
	d := deployment(t, docs)
	c := d.Spec.Template.Spec.Containers[0]
	for _, arg := range []string{"--leader-elect=true", "--metrics-bind-address=:8443", "--query-bind-address=:8082", "--query-auth=kubernetes", "--verify-failure-limit=20"} {
		if !slices.Contains(c.Args, arg) {
			t.Errorf("args %v lack %s", c.Args, arg)
		}
	}
	sc := c.SecurityContext
	if sc == nil || !*sc.ReadOnlyRootFilesystem || *sc.AllowPrivilegeEscalation || !*sc.RunAsNonRoot || !slices.Contains(sc.Capabilities.Drop, "ALL") ||
		d.Spec.Template.Spec.SecurityContext.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("security context is not restricted: %+v", sc)
	}
	if c.Image != "ghcr.io/apitoken-io/apitoken-operator:0.1.0" {
		t.Errorf("image = %s, want the appVersion tag", c.Image)
	}
}

func TestTemplateNonDefault(t *testing.T) {
	docs := render(t, "-f", nondefault)
	d := deployment(t, docs)
	if *d.Spec.Replicas != 3 {
		t.Errorf("replicas = %d", *d.Spec.Replicas)
	}
	c := d.Spec.Template.Spec.Containers[0]
	for _, arg := range []string{"--metrics-bind-address=:9443", "--query-bind-address=:9082", "--query-cert-dir=/etc/apitoken-operator/query-tls",
		"--max-concurrent-reconciles=16", "--kube-api-qps=200", "--kube-api-burst=400", "--zap-log-level=debug",
		"--forward-auth-bind-address=:9083", "--last-used-interval=30s", "--self-rotate-max-grace=2h", "--revoked-retention=720h", "--sideband-api-namespace=ase-tokens", "--trusted-proxies=10.0.0.0/8,fd00::/8", "--verify-failure-limit=50",
		"--self-service-config=rel-apitoken-operator-self-service",
		"--leader-election-lease-duration=6s", "--leader-election-renew-deadline=4s", "--leader-election-retry-period=1s",
		"--console=true", "--console-expiring-soon=72h", "--console-default-namespace=tokens",
		"--issuer-bind-address=:9084", "--issuer-url=https://tokens.example.com", "--issuer-default-audience=internal-apis",
		"--signing-key-rotation=168h", "--signing-key-overlap=12h", "--signing-key-namespace=ops", "--signing-key-secret=rel-apitoken-operator-signing-keys"} {
		if !slices.Contains(c.Args, arg) {
			t.Errorf("args %v lack %s", c.Args, arg)
		}
	}
	if c.Image != "registry.example.com/platform/apitoken-operator:v9.9.9" || len(d.Spec.Template.Spec.Volumes) != 1 {
		t.Errorf("image %s, volumes %v", c.Image, d.Spec.Template.Spec.Volumes)
	}
	for _, want := range []string{"ServiceMonitor/rel-apitoken-operator", "PrometheusRule/rel-apitoken-operator", "NetworkPolicy/rel-apitoken-operator",
		"Service/rel-apitoken-operator-forward-auth", "Service/rel-apitoken-operator-issuer", "ClusterRole/apitoken-verifier", "ClusterRole/apitoken-self-service"} {
		if _, ok := docs[want]; !ok {
			t.Errorf("%s not rendered", want)
		}
	}
	rule, _ := yaml.Marshal(docs["PrometheusRule/rel-apitoken-operator"].Object)
	for _, alert := range []string{"ApiTokenExpiresSoon", "ApiTokenFailed", "ApiTokenUnused", "14 * 86400", "for: 30m", "60 * 86400",
		"ApiTokenWebhookFailing", "ApiTokenOperatorMemoryNearLimit", `go_gc_heap_live_bytes{namespace="ops", service="rel-apitoken-operator-metrics"}`} {
		if !strings.Contains(string(rule), alert) {
			t.Errorf("PrometheusRule lacks %q", alert)
		}
	}
	if _, ok := docs["CustomResourceDefinition/apitokens.auth.apitoken.io"].GetAnnotations()["helm.sh/resource-policy"]; ok {
		t.Error("crds.keep=false still keeps the CRD")
	}
}

// renderedPolicy is the admission policy name as the chart renders it by
// default (checking its binding names it) and config/admission's file.
func renderedPolicy(t *testing.T, name, file string) (rendered, shipped *unstructured.Unstructured) {
	t.Helper()
	docs := render(t)
	policy, binding := docs["ValidatingAdmissionPolicy/rel-apitoken-operator-"+name], docs["ValidatingAdmissionPolicyBinding/rel-apitoken-operator-"+name]
	if policy == nil || binding == nil {
		t.Fatalf("the %s policy or its binding is not rendered by default", name)
	}
	if bound, _, _ := unstructured.NestedString(binding.Object, "spec", "policyName"); bound != policy.GetName() {
		t.Errorf("the binding names policy %q, want %q", bound, policy.GetName())
	}
	b, err := os.ReadFile("../../config/admission/" + file)
	if err != nil {
		t.Fatal(err)
	}
	shipped = &unstructured.Unstructured{}
	if err := yaml.Unmarshal(b, &shipped.Object); err != nil {
		t.Fatal(err)
	}
	return policy, shipped
}

func TestImportConsentPolicy(t *testing.T) {
	policy, shipped := renderedPolicy(t, "import-consent", "import_consent_policy.yaml")
	if !equality.Semantic.DeepEqual(policy.Object["spec"], shipped.Object["spec"]) {
		t.Error("the chart's import-consent policy differs from config/admission/import_consent_policy.yaml")
	}

	docs := render(t, "--set", "admissionPolicy.importConsent=false")
	if _, ok := docs["ValidatingAdmissionPolicy/rel-apitoken-operator-import-consent"]; ok {
		t.Error("admissionPolicy.importConsent=false still renders the policy")
	}
}

// The chart's personal-tokens policy is config/admission's, unchanged; its
// params are the self-service ConfigMap rendered from selfService, which the
// operator reads too (--self-service-config), so kubectl and the HTTP API
// apply the same limits.
func TestPersonalTokensPolicy(t *testing.T) {
	policy, shipped := renderedPolicy(t, "personal-tokens", "personal_tokens_policy.yaml")
	if !equality.Semantic.DeepEqual(policy.Object["spec"], shipped.Object["spec"]) {
		t.Error("the chart's personal-tokens policy differs from config/admission/personal_tokens_policy.yaml")
	}

	docs := render(t, "--set", "selfService.maxTTL=720h", "--set", "selfService.scopes={read_api,deploy:*}")
	binding := docs["ValidatingAdmissionPolicyBinding/rel-apitoken-operator-personal-tokens"]
	ref, _, _ := unstructured.NestedStringMap(binding.Object, "spec", "paramRef")
	want := map[string]string{"name": "rel-apitoken-operator-self-service", "namespace": "ops", "parameterNotFoundAction": "Deny"}
	if !maps.Equal(ref, want) {
		t.Errorf("the binding's paramRef is %v, want %v", ref, want)
	}
	cm := docs["ConfigMap/rel-apitoken-operator-self-service"]
	if cm == nil {
		t.Fatal("the self-service ConfigMap is not rendered")
	}
	data, _, _ := unstructured.NestedStringMap(cm.Object, "data")
	if want := map[string]string{"maxTTL": "720h", "scopes": "read_api,deploy:*"}; !maps.Equal(data, want) {
		t.Errorf("the self-service ConfigMap holds %v, want %v", data, want)
	}
	args := deployment(t, docs).Spec.Template.Spec.Containers[0].Args
	if !slices.Contains(args, "--self-service-config=rel-apitoken-operator-self-service") || slices.ContainsFunc(args, func(a string) bool {
		return strings.HasPrefix(a, "--self-service-max-ttl") || strings.HasPrefix(a, "--self-service-scopes")
	}) {
		t.Errorf("args %v: want the rules from the ConfigMap alone", args)
	}

	docs = render(t, "--set", "admissionPolicy.personalTokens=false")
	if _, ok := docs["ValidatingAdmissionPolicy/rel-apitoken-operator-personal-tokens"]; ok {
		t.Error("admissionPolicy.personalTokens=false still renders the policy")
	}
}

// The chart's token-policy admission policies are config/admission's,
// unchanged, one per enforcement, each bound with its action to every
// ApiTokenPolicy.
func TestTokenPolicies(t *testing.T) {
	for enforcement, file := range map[string]string{"deny": "token_policy.yaml", "warn": "token_policy_warn.yaml"} {
		policy, shipped := renderedPolicy(t, "token-policies-"+enforcement, file)
		if !equality.Semantic.DeepEqual(policy.Object["spec"], shipped.Object["spec"]) {
			t.Errorf("the chart's %s token-policy policy differs from config/admission/%s", enforcement, file)
		}
		binding := render(t)["ValidatingAdmissionPolicyBinding/rel-apitoken-operator-token-policies-"+enforcement]
		actions, _, _ := unstructured.NestedStringSlice(binding.Object, "spec", "validationActions")
		if want := map[string]string{"deny": "Deny", "warn": "Warn"}[enforcement]; !slices.Equal(actions, []string{want}) {
			t.Errorf("the %s binding's actions are %v, want [%s]", enforcement, actions, want)
		}
		missing, _, _ := unstructured.NestedString(binding.Object, "spec", "paramRef", "parameterNotFoundAction")
		if missing != "Allow" {
			t.Errorf("the %s binding's parameterNotFoundAction is %q, want Allow: no ApiTokenPolicy, nothing to check", enforcement, missing)
		}
	}
	docs := render(t, "--set", "admissionPolicy.tokenPolicies=false")
	if _, ok := docs["ValidatingAdmissionPolicy/rel-apitoken-operator-token-policies-deny"]; ok {
		t.Error("admissionPolicy.tokenPolicies=false still renders the policies")
	}
}

// The Go runtime's memory limit follows the container's (90% of it, the
// binary's --memory-limit-ratio), so that the garbage collector works
// harder near the limit instead of the operator being OOM-killed; without
// a memory limit there is none.
func TestMemoryLimit(t *testing.T) {
	env := deployment(t, render(t)).Spec.Template.Spec.Containers[0].Env
	if len(env) != 1 || env[0].Name != "MEMORY_LIMIT" || env[0].ValueFrom == nil || env[0].ValueFrom.ResourceFieldRef == nil ||
		env[0].ValueFrom.ResourceFieldRef.Resource != "limits.memory" {
		t.Errorf("env = %+v, want MEMORY_LIMIT from limits.memory (the binary sets the runtime's limit from it)", env)
	}
	if env := deployment(t, render(t, "--set", "resources.limits=null")).Spec.Template.Spec.Containers[0].Env; len(env) != 0 {
		t.Errorf("without a memory limit env = %+v, want none", env)
	}
}

func TestSchemaRejectsBadValues(t *testing.T) {
	for set, field := range map[string]string{
		"replicaCount=two":                  "replicaCount",
		"query.auth=open":                   "auth",
		"image.pullPolicy=Sometimes":        "pullPolicy",
		"controller.logLevel=9":             "logLevel",
		"unknownKey=1":                      "unknownKey",
		"issuer.url=http://plain":           "url",
		"issuer.enabled=true":               "issuer.url is required",
		"leaderElection.leaseDuration=soon": "leaseDuration",
	} {
		out, err := helm(t, "template", "rel", chartDir, "--set", set)
		if err == nil || !strings.Contains(out, field) {
			t.Errorf("--set %s: error %v, output %q; want a schema error naming %s", set, err, firstLines(out), field)
		}
	}
}

func TestInstallAndUninstall(t *testing.T) {
	helmBin(t)
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: run make test")
	}
	env := &envtest.Environment{}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	user, err := env.ControlPlane.AddUser(envtest.User{Name: "helm", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	_ = apiextensionsv1.AddToScheme(scheme)
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	crd := client.ObjectKey{Name: "apitokens.auth.apitoken.io"}

	// First with non-default values (crds.keep false), then with the defaults.
	for _, tc := range []struct {
		name, ns string
		args     []string
		replicas int32
		keepCRD  bool
	}{
		{name: "custom", ns: "platform", args: []string{"-f", nondefault, "--set", "metrics.serviceMonitor.enabled=false,prometheusRule.enabled=false"}, replicas: 3, keepCRD: false},
		{name: "apitoken-operator", ns: "apitoken-system", replicas: 1, keepCRD: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"install", tc.name, chartDir, "-n", tc.ns, "--create-namespace", "--kubeconfig", kubeconfig}, tc.args...)
			if out, err := helm(t, args...); err != nil {
				t.Fatalf("helm install: %v\n%s", err, out)
			}
			eventually(t, func() error {
				got := &apiextensionsv1.CustomResourceDefinition{}
				if err := c.Get(ctx, crd, got); err != nil {
					return err
				}
				for _, cond := range got.Status.Conditions {
					if cond.Type == apiextensionsv1.Established && cond.Status == apiextensionsv1.ConditionTrue {
						return nil
					}
				}
				return fmt.Errorf("CRD not established")
			})
			full := tc.name
			if !strings.Contains(tc.name, "apitoken-operator") {
				full = tc.name + "-apitoken-operator"
			}
			d := &appsv1.Deployment{}
			if err := c.Get(ctx, client.ObjectKey{Namespace: tc.ns, Name: full}, d); err != nil {
				t.Fatal(err)
			}
			if *d.Spec.Replicas != tc.replicas || d.Spec.Template.Spec.ServiceAccountName != full {
				t.Errorf("Deployment replicas %d, ServiceAccount %s", *d.Spec.Replicas, d.Spec.Template.Spec.ServiceAccountName)
			}
			for _, key := range []struct {
				obj client.Object
				ns  string
				n   string
			}{
				{&corev1.Service{}, tc.ns, full + "-metrics"}, {&corev1.Service{}, tc.ns, full + "-query"},
				{&corev1.ServiceAccount{}, tc.ns, full}, {&rbacv1.Role{}, tc.ns, full + "-leader-election"},
				{&rbacv1.ClusterRoleBinding{}, "", full + "-manager"}, {&rbacv1.ClusterRole{}, "", "apitoken-query-reader"},
			} {
				if err := c.Get(ctx, client.ObjectKey{Namespace: key.ns, Name: key.n}, key.obj); err != nil {
					t.Errorf("%T %s/%s: %v", key.obj, key.ns, key.n, err)
				}
			}
			role := &rbacv1.ClusterRole{}
			if err := c.Get(ctx, client.ObjectKey{Name: full + "-manager"}, role); err != nil {
				t.Fatal(err)
			}
			if want := generatedRules(t); !rulesEqual(role.Rules, want) {
				t.Errorf("installed manager rules %v differ from config/rbac/role.yaml %v", role.Rules, want)
			}

			if out, err := helm(t, "uninstall", tc.name, "-n", tc.ns, "--kubeconfig", kubeconfig, "--wait"); err != nil {
				t.Fatalf("helm uninstall: %v\n%s", err, out)
			}
			eventually(t, func() error {
				err := c.Get(ctx, client.ObjectKey{Namespace: tc.ns, Name: full}, &appsv1.Deployment{})
				if !apierrors.IsNotFound(err) {
					return fmt.Errorf("Deployment still there: %v", err)
				}
				if err := c.Get(ctx, client.ObjectKey{Name: full + "-manager"}, &rbacv1.ClusterRole{}); !apierrors.IsNotFound(err) {
					return fmt.Errorf("ClusterRole still there: %v", err)
				}
				return nil
			})
			eventually(t, func() error {
				err := c.Get(ctx, crd, &apiextensionsv1.CustomResourceDefinition{})
				switch {
				case tc.keepCRD && err != nil:
					return fmt.Errorf("the CRD was not kept: %v", err)
				case !tc.keepCRD && !apierrors.IsNotFound(err):
					return fmt.Errorf("the CRD is still there with crds.keep=false: %v", err)
				}
				return nil
			})
		})
	}
}

func generatedRules(t *testing.T) []rbacv1.PolicyRule {
	t.Helper()
	b, err := os.ReadFile("../../config/rbac/role.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := &rbacv1.ClusterRole{}
	if err := yaml.Unmarshal(b, r); err != nil {
		t.Fatal(err)
	}
	return r.Rules
}

func rulesEqual(a, b []rbacv1.PolicyRule) bool {
	ja, _ := yaml.Marshal(a)
	jb, _ := yaml.Marshal(b)
	return bytes.Equal(ja, jb)
}

func eventually(t *testing.T, f func() error) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func firstLines(s string) string {
	lines := strings.SplitN(s, "\n", 4)
	return strings.Join(lines[:min(3, len(lines))], " | ")
}
