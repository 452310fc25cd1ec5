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

// Package admission proves the admission policies shipped in config/admission
// against a real API server: the API server itself, asked as the requesting
// user, refuses an ApiToken that imports a Secret its author may not read.
package admission

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

const ns = "team-a"

// The API server loads a new policy asynchronously: specs wait this long for
// it to take effect.
const policyTimeout = 30 * time.Second

func TestImportConsent(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: run make test")
	}
	env, admin, scheme := startEnv(t)
	ctx := t.Context()

	// The policy and binding exactly as shipped.
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{}
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
	readYAML(t, "import_consent_policy.yaml", policy)
	readYAML(t, "import_consent_binding.yaml", binding)
	must(t, admin.Create(ctx, policy))
	must(t, admin.Create(ctx, binding))

	must(t, admin.Create(ctx, namespace(ns)))
	for _, name := range []string{"db", "mine"} {
		must(t, admin.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			StringData: map[string]string{"password": "0123456789abcdefghijklmnopqrstuv"}}))
	}
	// mallory may create, read and edit ApiTokens, and read Secret "mine"
	// only; alice may read Secret "db" as well.
	mallory := userClient(t, env, admin, scheme, "mallory", "mine")
	alice := userClient(t, env, admin, scheme, "alice", "mine", "db")

	importing := func(name, secret string) *authv1alpha1.ApiToken {
		return &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
			Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "mallory",
				Source: &authv1alpha1.TokenSource{Import: &authv1alpha1.ImportSource{
					SecretRef: authv1alpha1.SecretKeyRef{Name: secret, Key: "password"}, Pattern: ".*"}}}}
	}

	t.Run("a user who may not read the Secret cannot import it", func(t *testing.T) {
		// Dry runs go through admission too: wait for the policy with them.
		NewWithT(t).Eventually(func() error {
			return mallory.Create(ctx, importing("steal", "db"), client.DryRunAll)
		}).WithTimeout(policyTimeout).WithPolling(200*time.Millisecond).Should(HaveOccurred(),
			"the import-consent policy did not take effect")
		wantRefusal(t, mallory.Create(ctx, importing("steal", "db")), "mallory")
	})
	t.Run("a user who may read the Secret can import it", func(t *testing.T) {
		must(t, alice.Create(ctx, importing("db-token", "db")))
	})
	t.Run("a user may import a Secret they may read", func(t *testing.T) {
		must(t, mallory.Create(ctx, importing("own", "mine")))
	})
	t.Run("an update that swaps the reference is checked like a create", func(t *testing.T) {
		tok := &authv1alpha1.ApiToken{}
		must(t, mallory.Get(ctx, client.ObjectKey{Namespace: ns, Name: "own"}, tok))
		tok.Spec.Source.Import.SecretRef.Name = "db"
		wantRefusal(t, mallory.Update(ctx, tok), "mallory")
		must(t, alice.Update(ctx, tok))
	})
	// Finding 2 of issue #23: editing the key or the pattern of an import
	// made the status an oracle for a Secret its editor may not read.
	for field, edit := range map[string]func(*authv1alpha1.ApiToken){
		"secretRef.key": func(t *authv1alpha1.ApiToken) { t.Spec.Source.Import.SecretRef.Key = "other" },
		"pattern":       func(t *authv1alpha1.ApiToken) { t.Spec.Source.Import.Pattern = "^a.*" },
	} {
		t.Run("an update of "+field+" is checked like a create", func(t *testing.T) {
			tok := &authv1alpha1.ApiToken{}
			must(t, mallory.Get(ctx, client.ObjectKey{Namespace: ns, Name: "db-token"}, tok))
			edit(tok)
			wantRefusal(t, mallory.Update(ctx, tok), "mallory")
			must(t, alice.Update(ctx, tok))
		})
	}
	// Finding 10: labels a replication controller acts on could copy the
	// token's Secret to where its editor can read it.
	t.Run("an update of spec.secret.labels or annotations needs get on the target Secret", func(t *testing.T) {
		must(t, alice.Create(ctx, &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: ns},
			Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "alice"}}))
		for name, edit := range map[string]func(*authv1alpha1.ApiToken){
			"labels": func(t *authv1alpha1.ApiToken) { t.Spec.Secret.Labels = map[string]string{"replicate-to": "mallory-ns"} },
			"annotations": func(t *authv1alpha1.ApiToken) {
				t.Spec.Secret.Annotations = map[string]string{"reflector/allowed": "true"}
			},
		} {
			tok := &authv1alpha1.ApiToken{}
			must(t, mallory.Get(ctx, client.ObjectKey{Namespace: ns, Name: "db"}, tok))
			edit(tok)
			err := mallory.Update(ctx, tok)
			if err == nil || !strings.Contains(err.Error(), "spec.secret.labels, spec.secret.annotations: mallory may not get Secret \"db\"") {
				t.Fatalf("%s: error %v; want the secret-metadata consent refusal", name, err)
			}
			must(t, alice.Update(ctx, tok))
		}
		// Someone who may read the target Secret may change them.
		tok := &authv1alpha1.ApiToken{}
		must(t, mallory.Get(ctx, client.ObjectKey{Namespace: ns, Name: "own"}, tok))
		tok.Spec.Secret.Name, tok.Spec.Secret.Labels = "mine", map[string]string{"backup": "daily"}
		must(t, mallory.Update(ctx, tok))
	})
	t.Run("an update that keeps the reference is not checked again", func(t *testing.T) {
		// alice imported db; mallory, who may edit ApiTokens but not read
		// db, changes only the description.
		tok := &authv1alpha1.ApiToken{}
		must(t, mallory.Get(ctx, client.ObjectKey{Namespace: ns, Name: "db-token"}, tok))
		tok.Spec.Description = "edited by mallory"
		must(t, mallory.Update(ctx, tok))
	})
	t.Run("generated tokens are not concerned", func(t *testing.T) {
		tok := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Name: "generated", Namespace: ns},
			Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "mallory"}}
		must(t, mallory.Create(ctx, tok))
	})
}

// wantRefusal checks that err is the policy's refusal, naming the Secret,
// the user and the permission.
func wantRefusal(t *testing.T, err error, user string) {
	t.Helper()
	if err == nil {
		t.Fatal("the API server accepted the ApiToken; want a refusal by the import-consent policy")
	}
	if !apierrors.IsForbidden(err) && !apierrors.IsInvalid(err) {
		t.Fatalf("error %v; want Forbidden from the admission policy", err)
	}
	for _, want := range []string{"spec.source.import.secretRef.name", user + " may not get Secret \"db\"", `namespace "team-a"`, "get secrets"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// userClient returns a client authenticated as name (a client certificate),
// with a Role that allows everything on ApiTokens in ns and get on the
// Secrets named.
func userClient(t *testing.T, env *envtest.Environment, admin client.Client, scheme *runtime.Scheme, name string, secrets ...string) client.Client {
	return userClientIn(t, env, admin, scheme, ns, name, secrets...)
}

// userClientIn is userClient in namespace.
func userClientIn(t *testing.T, env *envtest.Environment, admin client.Client, scheme *runtime.Scheme, in, name string, secrets ...string) client.Client {
	t.Helper()
	ctx := t.Context()
	role := &rbacv1.Role{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: in}, Rules: []rbacv1.PolicyRule{
		{APIGroups: []string{authv1alpha1.GroupVersion.Group}, Resources: []string{"apitokens"}, Verbs: []string{"*"}},
		{APIGroups: []string{""}, Resources: []string{"secrets"}, Verbs: []string{"get"}, ResourceNames: secrets},
	}}
	must(t, admin.Create(ctx, role))
	must(t, admin.Create(ctx, &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: in},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}}}))
	return authenticatedAs(t, env, scheme, name)
}

// authenticatedAs returns a client authenticated as name (a client
// certificate).
func authenticatedAs(t *testing.T, env *envtest.Environment, scheme *runtime.Scheme, name string) client.Client {
	t.Helper()
	u, err := env.ControlPlane.AddUser(envtest.User{Name: name}, nil)
	must(t, err)
	c, err := client.New(u.Config(), client.Options{Scheme: scheme})
	must(t, err)
	return c
}

// startEnv starts an API server with the CRDs and returns an admin client.
func startEnv(t *testing.T) (*envtest.Environment, client.Client, *runtime.Scheme) {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: run make test")
	}
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	scheme := runtime.NewScheme()
	must(t, clientgoscheme.AddToScheme(scheme))
	must(t, authv1alpha1.AddToScheme(scheme))
	admin, err := client.New(cfg, client.Options{Scheme: scheme})
	must(t, err)
	return env, admin, scheme
}

func namespace(name string) *corev1.Namespace {
	return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
}

func readYAML(t *testing.T, file string, into any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "config", "admission", file))
	must(t, err)
	must(t, yaml.UnmarshalStrict(b, into))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
