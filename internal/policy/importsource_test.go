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

package policy

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

func TestRefuseSource(t *testing.T) {
	imp := testutil.MakeApiToken(ns, "ci").Import("src", "", "").Obj()
	anyValue := testutil.MakeApiToken(ns, "ci").Import("src", "", ".+").Obj()
	upstream := testutil.MakeApiToken(ns, "upstream").Obj()
	// Each source holds a value the import rule accepts: only what the Secret is refuses it.
	upstreamSecret := func() *corev1.Secret {
		s := managed(upstream, value, now, 1)
		s.Name = "src"
		return s
	}
	serviceAccount := testutil.MakeSecret(ns, "src").Annotation(corev1.ServiceAccountNameKey, "builder").Data("token", value).Obj()
	serviceAccount.Type = corev1.SecretTypeServiceAccountToken

	cases := map[string]struct {
		in           Input
		wantRefused  bool
		wantMsg      []string
		wantWithdraw bool
	}{
		"another ApiToken's Secret": {
			in: Input{Token: imp, Source: upstreamSecret()}, wantRefused: true,
			wantMsg: []string{`import source Secret "src" is managed by apitoken-operator for ApiToken "upstream"`, "cannot import another ApiToken's token", `Secret "ci" holds none`, "point spec.source.import.secretRef at a Secret you created"},
		},
		"only the managed label left": {
			in:          Input{Token: imp, Source: testutil.MakeSecret(ns, "src").Label(authv1alpha1.ManagedByLabel, authv1alpha1.ManagedByValue).Data("token", value).Obj()},
			wantRefused: true, wantMsg: []string{`import source Secret "src" is managed by apitoken-operator:`},
		},
		"only a controller reference to an ApiToken": {
			in:          Input{Token: imp, Source: testutil.MakeSecret(ns, "src").ControlledBy(upstream).Data("token", value).Obj()},
			wantRefused: true, wantMsg: []string{`for ApiToken "upstream"`},
		},
		"only the owner annotation": {
			in: Input{Token: imp, Source: func() *corev1.Secret {
				s := testutil.MakeSecret(ns, "src").Data("token", value).Obj()
				s.Annotations = tokensecret.Marks(upstreamSecret().ObjectMeta).Annotations
				return s
			}()},
			wantRefused: true, wantMsg: []string{`for ApiToken "upstream"`},
		},
		"its own former Secret": {
			in:          Input{Token: imp, Source: func() *corev1.Secret { s := managed(imp, value, now, 1); s.Name = "src"; return s }()},
			wantRefused: true, wantMsg: []string{`for ApiToken "ci"`},
		},
		"a ServiceAccount token": {
			in: Input{Token: anyValue, Source: serviceAccount}, wantRefused: true,
			wantMsg: []string{`import source Secret "src" is of type kubernetes.io/service-account-token`, "ServiceAccount tokens cannot be imported", "TokenRequest"},
		},
		"a copy made before the rule: refused and withdrawn": {
			in:          Input{Token: imp, Secret: managed(imp, value, now, 1), Source: upstreamSecret()},
			wantRefused: true, wantWithdraw: true, wantMsg: []string{"managed by apitoken-operator"},
		},
		"a Secret that only names a ServiceAccount": {
			in: Input{Token: imp, Source: testutil.MakeSecret(ns, "src").Annotation(corev1.ServiceAccountNameKey, "builder").Data("token", value).Obj()},
		},
		"a Secret owned by something else": {
			in: Input{Token: imp, Source: func() *corev1.Secret {
				s := testutil.MakeSecret(ns, "src").Data("token", value).Obj()
				s.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: "c", UID: "u", Controller: ptr.To(true)}}
				return s
			}()},
		},
		"a user's Secret": {in: Input{Token: imp, Source: testutil.MakeSecret(ns, "src").Data("token", value).Obj()}},
		"revoked: the refusal does not matter": {
			in: Input{Token: testutil.MakeApiToken(ns, "ci").Import("src", "", "").Revoked(true).Obj(), Source: upstreamSecret()},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := input(tc.in)
			got := Decide(in)
			refused := got.Action == ActionFail && got.Reason == authv1alpha1.ReasonInvalidImport
			if refused != tc.wantRefused {
				t.Fatalf("Decide = {%s %s %q}, refused: %v, want %v", got.Action, got.Reason, got.Message, refused, tc.wantRefused)
			}
			for _, m := range tc.wantMsg {
				if !strings.Contains(got.Message, m) {
					t.Errorf("message %q does not contain %q", got.Message, m)
				}
			}
			if strings.Contains(got.Message, value) {
				t.Fatalf("message %q contains the value", got.Message)
			}
			if !refused {
				return
			}
			if !got.WithdrawToken {
				t.Fatal("a refusal does not withdraw the token")
			}
			if got.TouchesSecret(in) != tc.wantWithdraw {
				t.Fatalf("TouchesSecret = %v, want %v", got.TouchesSecret(in), tc.wantWithdraw)
			}
			next := NextState(in, got, got.Value)
			if !next.Current.IsZero() || !next.Previous.IsZero() || next.Hash != "" {
				t.Fatalf("the refused source's value stays in the Secret: %+v", next)
			}
			st := Status(in.Token, Outcome{Decision: got, State: next}, now)
			if st.TokenStatus != authv1alpha1.TokenStatusFailed || st.TokenHash != "" || st.TokenLastChars != "" {
				t.Fatalf("status %s, tokenHash %q, tokenLastChars %q", st.TokenStatus, st.TokenHash, st.TokenLastChars)
			}
		})
	}
}

func TestSourceUnchanged(t *testing.T) {
	copied := holding(value, now, 1)
	copied.SourceVersion = "42"
	meta := func(build func(*testutil.SecretWrapper) *testutil.SecretWrapper) metav1.ObjectMeta {
		s := build(testutil.MakeSecret(ns, "src").Annotation("example.com/other", "dropped")).Obj()
		s.ResourceVersion = "42"
		return s.ObjectMeta
	}
	plain := func(w *testutil.SecretWrapper) *testutil.SecretWrapper { return w }

	cases := map[string]struct {
		st   tokensecret.State
		meta metav1.ObjectMeta
		want bool
	}{
		"copied at this version": {st: copied, meta: meta(plain), want: true},
		"the source changed": {st: copied, meta: func() metav1.ObjectMeta {
			m := meta(plain)
			m.ResourceVersion = "43"
			return m
		}()},
		"the target was edited": {st: func() tokensecret.State { st := copied; st.Hash = "sha256:other"; return st }(), meta: meta(plain)},
		"nothing copied yet":    {meta: meta(plain)},
		"managed label": {st: copied, meta: meta(func(w *testutil.SecretWrapper) *testutil.SecretWrapper {
			return w.Label(authv1alpha1.ManagedByLabel, authv1alpha1.ManagedByValue)
		})},
		"controller reference to an ApiToken": {st: copied, meta: meta(func(w *testutil.SecretWrapper) *testutil.SecretWrapper {
			return w.ControlledBy(testutil.MakeApiToken(ns, "upstream").Obj())
		})},
		"may be a ServiceAccount token (its type is not in the metadata)": {st: copied, meta: meta(func(w *testutil.SecretWrapper) *testutil.SecretWrapper {
			return w.Annotation(corev1.ServiceAccountNameKey, "builder")
		})},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := SourceUnchanged(tc.st, &metav1.PartialObjectMetadata{ObjectMeta: tc.meta}); got != tc.want {
				t.Fatalf("SourceUnchanged = %v, want %v", got, tc.want)
			}
			// The metadata cache keeps only SourceMetadata: the answer must not change.
			kept := SourceMetadata(tc.meta)
			if got := SourceUnchanged(tc.st, &metav1.PartialObjectMetadata{ObjectMeta: kept}); got != tc.want {
				t.Fatalf("SourceUnchanged on SourceMetadata = %v, want %v", got, tc.want)
			}
			if _, ok := kept.Annotations["example.com/other"]; ok || kept.Name != "src" || kept.ResourceVersion != tc.meta.ResourceVersion {
				t.Fatalf("SourceMetadata kept %+v", kept)
			}
		})
	}
}

// The refusal holds for a source that gather did not read again: a copy made
// before the rule existed has the source's version, but a managed or
// ServiceAccount source is never left unread.
func TestRefusalSurvivesAnUnchangedSource(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").Import("src", "", ".+").Obj()
	target := written(tok, func() tokensecret.State {
		st := holding(value, now.Add(-time.Hour), 1)
		st.SourceVersion = "7"
		return st
	}())
	for name, source := range map[string]*corev1.Secret{
		"managed": func() *corev1.Secret {
			s := managed(testutil.MakeApiToken(ns, "upstream").Obj(), value, now, 1)
			s.Name, s.ResourceVersion = "src", "7"
			return s
		}(),
		"ServiceAccount token": func() *corev1.Secret {
			s := testutil.MakeSecret(ns, "src").Annotation(corev1.ServiceAccountNameKey, "builder").Data("token", value).Obj()
			s.Type, s.ResourceVersion = corev1.SecretTypeServiceAccountToken, "7"
			return s
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			in := NewInput(tok, target, testutil.Marker, now)
			if SourceUnchanged(in.State, &metav1.PartialObjectMetadata{ObjectMeta: SourceMetadata(source.ObjectMeta)}) {
				t.Fatal("the source would not be read again")
			}
			in.Source, in.SourceVersion = source, source.ResourceVersion
			if d := Decide(in); d.Reason != authv1alpha1.ReasonInvalidImport || !d.TouchesSecret(in) {
				t.Fatalf("Decide = %+v, want a refusal that withdraws the copy", d)
			}
		})
	}
}
