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

package admission

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

const personalNS = "tokens"

// TestPersonalTokens proves the personal-tokens policy and the
// apitoken-personal-tokens ClusterRole exactly as shipped: their holders
// manage their own hash-only personal tokens through the Kubernetes API and
// nothing else, while editors keep every right.
func TestPersonalTokens(t *testing.T) {
	env, admin, scheme := startEnv(t)
	ctx := t.Context()
	// The policy, its binding and the self-service ConfigMap, named as
	// kustomize names them.
	rules, err := testutil.InstallPersonalTokensPolicy(ctx, admin, filepath.Join("..", ".."))
	must(t, err)
	rulesKey := types.NamespacedName{Namespace: rules.Namespace, Name: rules.Name}
	for _, file := range []string{"personal_tokens_role.yaml", "apitoken_editor_role.yaml"} {
		role := &rbacv1.ClusterRole{}
		b, err := os.ReadFile(filepath.Join("..", "..", "config", "rbac", file))
		must(t, err)
		must(t, yaml.Unmarshal(b, role))
		must(t, admin.Create(ctx, role))
	}
	must(t, admin.Create(ctx, namespace(personalNS)))

	// alice and bob hold the personal role; erin holds it and the editor
	// role; carol has a Role of her own with every verb on apitokens.
	alice := boundClient(t, env, admin, scheme, "alice", "apitoken-personal-tokens")
	bob := boundClient(t, env, admin, scheme, "bob", "apitoken-personal-tokens")
	erin := boundClient(t, env, admin, scheme, "erin", "apitoken-personal-tokens", "apitoken-editor-role")
	carol := userClientIn(t, env, admin, scheme, personalNS, "carol")

	NewWithT(t).Eventually(func() error {
		return alice.Create(ctx, personal("probe", "bob", "1h"), client.DryRunAll)
	}).WithTimeout(policyTimeout).WithPolling(200*time.Millisecond).Should(HaveOccurred(),
		"the personal-tokens policy did not take effect")

	t.Run("a holder creates, revokes, regenerates and deletes their own token", func(t *testing.T) {
		tok := personal("laptop", "alice", "720h")
		must(t, alice.Create(ctx, tok))
		tok.Spec.Description = "my laptop"
		tok.Spec.Revoked = true
		must(t, alice.Update(ctx, tok))

		wantDenied(t, alice.Delete(ctx, tok), `ApiToken "laptop" is revoked, and a revoked personal token stays, holding its fingerprint`)
		// No operator runs here: record the revocation as it would, which
		// the CRD wants before spec.revoked may go back to false.
		tok.Status.TokenStatus = authv1alpha1.TokenStatusRevoked
		must(t, admin.Status().Update(ctx, tok))
		tok.Spec.Revoked = false
		wantDenied(t, alice.Update(ctx, tok), "spec.revoked: a revoked personal token comes back only with a new value")
		tok.Spec.Source.Hashed.TokenHash = fingerprint("a new value")
		must(t, alice.Update(ctx, tok))
		must(t, alice.Delete(ctx, tok))
	})

	refusals := []struct {
		name string
		edit func(*authv1alpha1.ApiToken)
		want string
	}{
		{"for someone else", func(t *authv1alpha1.ApiToken) { t.Spec.Principal = "bob" },
			`spec.type, spec.principal, metadata.annotations[auth.apitoken.io/created-by]: alice may hold only personal tokens: type User, principal "alice"`},
		{"of another type", func(t *authv1alpha1.ApiToken) { t.Spec.Type = authv1alpha1.TokenTypeApiClient },
			`needs create on apitokens/any in namespace "tokens"`},
		{"without the created-by mark", func(t *authv1alpha1.ApiToken) { t.Annotations = nil },
			`annotation auth.apitoken.io/created-by "alice"`},
		{"held in a Secret", func(t *authv1alpha1.ApiToken) { t.Spec.Source = nil },
			"spec.source.hashed: a personal token is hash-only"},
		{"without a ttl", func(t *authv1alpha1.ApiToken) { t.Spec.TTL = nil },
			"spec.ttl: a personal token needs a ttl of at most 8760h"},
		{"living too long", func(t *authv1alpha1.ApiToken) { t.Spec.TTL = &metav1.Duration{Duration: 8761 * time.Hour} },
			"spec.ttl: a personal token needs a ttl of at most 8760h, not 8761h0m0s"},
		{"with a scope", func(t *authv1alpha1.ApiToken) { t.Spec.Scopes = []string{"read_api"} },
			"spec.scopes: a personal token may carry only the scopes data.scopes of ConfigMap apitoken-operator-system/apitoken-operator-self-service allows (none)"},
		{"with 17 annotations", func(t *authv1alpha1.ApiToken) {
			for i := range 16 {
				t.Annotations[fmt.Sprintf("example.com/note-%d", i)] = "x"
			}
		}, "metadata: a personal token carries at most 16 labels and 16 annotations"},
		{"with an annotation over 4 KiB", func(t *authv1alpha1.ApiToken) {
			t.Annotations["example.com/blob"] = strings.Repeat("x", 4097)
		}, "each annotation at most 4096 bytes"},
	}
	for _, r := range refusals {
		t.Run("a holder may not create a token "+r.name, func(t *testing.T) {
			tok := personal("refused", "alice", "24h")
			r.edit(tok)
			wantDenied(t, alice.Create(ctx, tok), r.want)
			// An editor beside the personal role, and a custom Role
			// without the marker, are not limited.
			tok.Name = "erin-" + strings.ToLower(strings.ReplaceAll(r.name, " ", "-"))
			must(t, erin.Create(ctx, tok))
			tok = tok.DeepCopy()
			tok.Name, tok.ResourceVersion = "carol-"+strings.ToLower(strings.ReplaceAll(r.name, " ", "-")), ""
			must(t, carol.Create(ctx, tok))
		})
	}

	t.Run("a holder may not turn their token into another kind", func(t *testing.T) {
		tok := personal("turned", "alice", "24h")
		must(t, alice.Create(ctx, tok))
		tok.Spec.Principal = "bob"
		wantDenied(t, alice.Update(ctx, tok), `principal "alice"`)
	})

	t.Run("a holder may not change or delete someone else's token", func(t *testing.T) {
		tok := personal("bobs", "bob", "24h")
		must(t, bob.Create(ctx, tok))
		mine := &authv1alpha1.ApiToken{}
		must(t, alice.Get(ctx, client.ObjectKeyFromObject(tok), mine))
		mine.Spec.Revoked = true
		want := `alice may change and delete only their own personal tokens (type User, principal and annotation auth.apitoken.io/created-by "alice"), and ApiToken "bobs" in namespace "tokens" is not one`
		wantDenied(t, alice.Update(ctx, mine), want)
		wantDenied(t, alice.Delete(ctx, mine), want)
		wantDenied(t, alice.Delete(ctx, mine), "need delete on apitokens with create on apitokens/any")
		// An editor may.
		must(t, erin.Delete(ctx, mine))
	})

	t.Run("kubectl and the HTTP API apply the rules of one ConfigMap", func(t *testing.T) {
		// The operator's reading of the ConfigMap (--self-service-config)
		// and the policy's must agree on every case, before and after a
		// change to it.
		operator := selfservice.ConfigMapRules{Reader: admin, Key: rulesKey}
		cases := []struct {
			ttl    string
			scopes []string
		}{
			{"720h", nil}, {"721h", nil}, {"8760h", nil}, {"8761h", nil},
			{"1h", []string{"reports:read"}}, {"1h", []string{"profile:email"}}, {"1h", []string{"reports:write"}},
			{"1h", []string{"profile:email", "reports:read"}}, {"1h", []string{"apitoken:self-rotate"}},
		}
		agree := func(g Gomega) {
			r, err := operator.Rules(ctx)
			g.Expect(err).NotTo(HaveOccurred())
			for i, c := range cases {
				tok := personal(fmt.Sprintf("same-rules-%d", i), "alice", c.ttl)
				tok.Spec.Scopes = c.scopes
				m := selfservice.Metadata{Namespace: personalNS, Type: authv1alpha1.TokenTypeUser, Principal: "alice",
					TTL: tok.Spec.TTL.Duration, Scopes: c.scopes}
				httpErr := m.Personal("alice", r)
				kubectlErr := alice.Create(ctx, tok, client.DryRunAll)
				g.Expect(kubectlErr == nil).To(Equal(httpErr == nil),
					"ttl %s, scopes %q: kubectl says %v, the HTTP API says %v", c.ttl, c.scopes, kubectlErr, httpErr)
			}
		}
		NewWithT(t).Eventually(agree).WithTimeout(policyTimeout).Should(Succeed())

		rules.Data = map[string]string{"maxTTL": "720h", "scopes": "reports:read, profile:*"}
		must(t, admin.Update(ctx, rules))
		// The policy sees the change through the API server's informer: wait
		// for its first sign, then compare every case.
		NewWithT(t).Eventually(func() error {
			return alice.Create(ctx, personal("probe-721h", "alice", "721h"), client.DryRunAll)
		}).WithTimeout(policyTimeout).WithPolling(200 * time.Millisecond).Should(HaveOccurred())
		NewWithT(t).Eventually(agree).WithTimeout(policyTimeout).Should(Succeed())

		// Without the ConfigMap neither accepts a personal token.
		must(t, admin.Delete(ctx, rules))
		_, err = operator.Rules(ctx)
		if err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Fatalf("the operator read rules from a deleted ConfigMap: %v", err)
		}
		NewWithT(t).Eventually(func() error {
			return alice.Create(ctx, personal("no-rules", "alice", "1h"), client.DryRunAll)
		}).WithTimeout(policyTimeout).WithPolling(200 * time.Millisecond).Should(HaveOccurred())
	})
}

// boundClient returns a client authenticated as name, bound in personalNS
// to the ClusterRoles named.
func boundClient(t *testing.T, env *envtest.Environment, admin client.Client, scheme *runtime.Scheme, name string, roles ...string) client.Client {
	t.Helper()
	for _, role := range roles {
		must(t, admin.Create(t.Context(), &rbacv1.RoleBinding{ObjectMeta: metav1.ObjectMeta{Name: name + "-" + role, Namespace: personalNS},
			RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role},
			Subjects: []rbacv1.Subject{{Kind: rbacv1.UserKind, APIGroup: rbacv1.GroupName, Name: name}}}))
	}
	return authenticatedAs(t, env, scheme, name)
}

// personal is a personal token of user as kubectl apitoken create sends it.
func personal(name, user, ttl string) *authv1alpha1.ApiToken {
	d, err := time.ParseDuration(ttl)
	if err != nil {
		panic(err)
	}
	return &authv1alpha1.ApiToken{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: personalNS,
			Annotations: map[string]string{"auth.apitoken.io/created-by": user}},
		Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: user, TTL: &metav1.Duration{Duration: d},
			Source: &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: fingerprint(name), TokenLastChars: "abcde"}}},
	}
}

func fingerprint(value string) string {
	sum := sha256.Sum256([]byte(value))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// wantDenied checks that err is an admission refusal that says want.
func wantDenied(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("the API server accepted the request; want a refusal saying %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not say %q", err, want)
	}
}
