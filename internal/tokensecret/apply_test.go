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

package tokensecret_test

import (
	"maps"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

const (
	ns     = "team-a"
	valueA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	valueB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

var issuedAt = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func v(s string) token.Value { return token.NewValue([]byte(s)) }

// active is the state of a Secret holding value, issued at issuedAt.
func active(value string, revision int64) tokensecret.State {
	return tokensecret.State{Current: v(value), Hash: v(value).Fingerprint(), IssuedAt: issuedAt, Revision: revision}
}

func TestReadApplyRoundTrip(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").Obj()
	rotated := active(valueB, 2)
	rotated.Previous, rotated.PreviousExpiresAt, rotated.RotateHandled = v(valueA), issuedAt.Add(time.Hour), "2026-11-23"
	imported := active(valueA, 3)
	imported.SourceVersion = "4711"

	cases := map[string]tokensecret.State{
		"nothing":                     {},
		"issued":                      active(valueA, 1),
		"rotated, previous in grace":  rotated,
		"imported from a source":      imported,
		"revoked":                     {Revoked: true, RevokedAt: issuedAt, Revision: 4, RotateHandled: "x"},
		"issued at a non-UTC instant": {Current: v(valueA), Hash: v(valueA).Fingerprint(), IssuedAt: issuedAt.In(time.FixedZone("CET", 3600)), Revision: 1},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			s := tokensecret.Apply(tok, nil, want, testutil.Marker)
			if got := tokensecret.Read(tok, s); utc(got) != utc(want) {
				t.Fatalf("Read(Apply(state)) = %+v, want %+v", got, want)
			}
			if again := tokensecret.Apply(tok, s, tokensecret.Read(tok, s), testutil.Marker); !equality.Semantic.DeepEqual(again, s) {
				t.Fatalf("Apply(s, Read(s)) changed the Secret:\n%+v\n%+v", again, s)
			}
			if !tokensecret.Owned(tok, s, testutil.Marker) {
				t.Fatal("the Secret Apply wrote is not owned by its ApiToken")
			}
		})
	}
}

func TestApplyWireFormat(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").SecretLabel("example.com/backup", "yes").Obj()
	rotated := active(valueB, 2)
	rotated.Previous, rotated.PreviousExpiresAt, rotated.RotateHandled, rotated.SourceVersion = v(valueA), issuedAt.Add(10*time.Minute), "r1", "17"
	s := tokensecret.Apply(tok, nil, rotated, testutil.Marker)

	want := map[string]string{
		authv1alpha1.OwnerAnnotation:             "ci",
		authv1alpha1.TokenHashAnnotation:         token.Fingerprint([]byte(valueB)),
		authv1alpha1.IssuedAtAnnotation:          "2026-11-23T12:00:00Z",
		authv1alpha1.RevisionAnnotation:          "2",
		authv1alpha1.PreviousExpiresAtAnnotation: "2026-11-23T12:10:00Z",
		authv1alpha1.RotateHandledAnnotation:     "r1",
		authv1alpha1.SourceVersionAnnotation:     "17",
	}
	if !testutil.Marker.Valid(s) {
		t.Fatal("the Secret Apply wrote does not carry a valid mark")
	}
	if got := withoutMark(s.Annotations); !equality.Semantic.DeepEqual(got, want) {
		t.Fatalf("annotations = %v, want %v", got, want)
	}
	if string(s.Data["token"]) != valueB || string(s.Data["token.previous"]) != valueA || len(s.Data) != 2 {
		t.Fatalf("data keys: %v", keys(s.Data))
	}
	if s.Labels[authv1alpha1.ManagedByLabel] != authv1alpha1.ManagedByValue || s.Labels["example.com/backup"] != "yes" {
		t.Fatalf("labels = %v", s.Labels)
	}
	if s.Type != corev1.SecretTypeOpaque || s.Name != "ci" || s.Namespace != ns {
		t.Fatalf("type %q name %s/%s", s.Type, s.Namespace, s.Name)
	}
	ref := metav1.GetControllerOf(s)
	if ref == nil || ref.UID != tok.UID || ref.Kind != "ApiToken" || ref.BlockOwnerDeletion == nil || !*ref.BlockOwnerDeletion {
		t.Fatalf("owner reference = %+v, want a blocking controller reference to the ApiToken", ref)
	}

	revoked := tokensecret.Apply(tok, s, tokensecret.State{Revoked: true, RevokedAt: issuedAt, Revision: 2, RotateHandled: "r1"}, testutil.Marker)
	wantRevoked := map[string]string{
		authv1alpha1.OwnerAnnotation:         "ci",
		authv1alpha1.RevisionAnnotation:      "2",
		authv1alpha1.RotateHandledAnnotation: "r1",
		authv1alpha1.RevokedAtAnnotation:     "2026-11-23T12:00:00Z",
	}
	if !testutil.Marker.Valid(revoked) {
		t.Fatal("a revoked Secret's mark is not valid")
	}
	if !equality.Semantic.DeepEqual(withoutMark(revoked.Annotations), wantRevoked) || len(revoked.Data) != 0 {
		t.Fatalf("revoked: annotations %v, data keys %v", revoked.Annotations, keys(revoked.Data))
	}
}

func TestApplyKeepsWhatItDoesNotChange(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").Obj()
	other := metav1.OwnerReference{APIVersion: "v1", Kind: "ConfigMap", Name: "x", UID: "cm-uid"}
	written := tokensecret.Apply(tok, nil, active(valueA, 1), testutil.Marker)

	cases := map[string]struct {
		tok   *authv1alpha1.ApiToken
		cur   *corev1.Secret
		want  func(cur *corev1.Secret) tokensecret.State
		check func(t *testing.T, s *corev1.Secret)
	}{
		"an unreadable revision stays while the revision does not change": {
			tok: tok, cur: withAnnotation(written, authv1alpha1.RevisionAnnotation, "one"),
			want: func(cur *corev1.Secret) tokensecret.State { return tokensecret.Read(tok, cur) },
			check: func(t *testing.T, s *corev1.Secret) {
				is(t, "revision", s.Annotations[authv1alpha1.RevisionAnnotation], "one")
			},
		},
		"an unreadable revision is replaced by a new one": {
			tok: tok, cur: withAnnotation(written, authv1alpha1.RevisionAnnotation, "one"),
			want: func(*corev1.Secret) tokensecret.State { return active(valueB, 1) },
			check: func(t *testing.T, s *corev1.Secret) {
				is(t, "revision", s.Annotations[authv1alpha1.RevisionAnnotation], "1")
			},
		},
		"someone else's annotations, labels, keys and owner references stay": {
			tok: tok, cur: func() *corev1.Secret {
				s := withAnnotation(written, "example.com/note", "keep")
				s.Labels["example.com/team"] = "a"
				s.Data["other"] = []byte("x")
				s.OwnerReferences = append(s.OwnerReferences, other)
				return s
			}(),
			want: func(*corev1.Secret) tokensecret.State { return active(valueB, 2) },
			check: func(t *testing.T, s *corev1.Secret) {
				is(t, "foreign annotation", s.Annotations["example.com/note"], "keep")
				is(t, "foreign label", s.Labels["example.com/team"], "a")
				is(t, "foreign data key", string(s.Data["other"]), "x")
				if len(s.OwnerReferences) != 2 || s.OwnerReferences[0] != other {
					t.Fatalf("owner references = %+v", s.OwnerReferences)
				}
			},
		},
		"Retain removes the owner reference, keeps the label and annotation": {
			tok: testutil.MakeApiToken(ns, "ci").DeletionPolicy(authv1alpha1.DeletionPolicyRetain).Obj(), cur: written,
			want: func(cur *corev1.Secret) tokensecret.State { return tokensecret.Read(tok, cur) },
			check: func(t *testing.T, s *corev1.Secret) {
				if len(s.OwnerReferences) != 0 {
					t.Fatalf("owner references under Retain: %+v", s.OwnerReferences)
				}
				is(t, "owner annotation", s.Annotations[authv1alpha1.OwnerAnnotation], "ci")
				is(t, "managed label", s.Labels[authv1alpha1.ManagedByLabel], authv1alpha1.ManagedByValue)
			},
		},
		"stripped marks are restored": {
			tok: tok, cur: func() *corev1.Secret {
				s := written.DeepCopy()
				s.Labels = nil
				delete(s.Annotations, authv1alpha1.OwnerAnnotation)
				return s
			}(),
			want: func(cur *corev1.Secret) tokensecret.State { return tokensecret.Read(tok, cur) },
			check: func(t *testing.T, s *corev1.Secret) {
				is(t, "owner annotation", s.Annotations[authv1alpha1.OwnerAnnotation], "ci")
				is(t, "managed label", s.Labels[authv1alpha1.ManagedByLabel], authv1alpha1.ManagedByValue)
				is(t, "data.token", string(s.Data["token"]), valueA)
			},
		},
		"spec.secret.annotations cannot override the token state": {
			tok: func() *authv1alpha1.ApiToken {
				t := tok.DeepCopy()
				t.Spec.Secret.Annotations = map[string]string{authv1alpha1.TokenHashAnnotation: "sha256:0", "example.com/x": "y"}
				return t
			}(),
			cur:  written,
			want: func(cur *corev1.Secret) tokensecret.State { return tokensecret.Read(tok, cur) },
			check: func(t *testing.T, s *corev1.Secret) {
				is(t, "hash", s.Annotations[authv1alpha1.TokenHashAnnotation], token.Fingerprint([]byte(valueA)))
				is(t, "spec annotation", s.Annotations["example.com/x"], "y")
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			before := tc.cur.DeepCopy()
			tc.check(t, tokensecret.Apply(tc.tok, tc.cur, tc.want(tc.cur), testutil.Marker))
			if !equality.Semantic.DeepEqual(before, tc.cur) {
				t.Fatal("Apply modified its input")
			}
		})
	}
}

func TestRead(t *testing.T) {
	tok := testutil.MakeApiToken(ns, "ci").Obj()
	written := tokensecret.Apply(tok, nil, active(valueA, 3), testutil.Marker)

	cases := map[string]struct {
		s              *corev1.Secret
		wantConsistent bool
		check          func(t *testing.T, st tokensecret.State)
	}{
		"no Secret":  {},
		"as written": {s: written, wantConsistent: true},
		"value edited": {s: func() *corev1.Secret {
			s := written.DeepCopy()
			s.Data["token"] = []byte(valueB)
			return s
		}()},
		"value removed": {s: func() *corev1.Secret {
			s := written.DeepCopy()
			delete(s.Data, "token")
			return s
		}()},
		"hash missing":              {s: withAnnotation(written, authv1alpha1.TokenHashAnnotation, "")},
		"issued-at is not RFC 3339": {s: withAnnotation(written, authv1alpha1.IssuedAtAnnotation, "yesterday")},
		"revision is not a number":  {s: withAnnotation(written, authv1alpha1.RevisionAnnotation, "three"), wantConsistent: true, check: func(t *testing.T, st tokensecret.State) { is(t, "revision", st.Revision, 0) }},
		"previous-expires-at unreadable": {s: withAnnotation(written, authv1alpha1.PreviousExpiresAtAnnotation, "soon"), wantConsistent: true, check: func(t *testing.T, st tokensecret.State) {
			if !st.PreviousExpiresAt.IsZero() {
				t.Fatalf("previousExpiresAt = %v", st.PreviousExpiresAt)
			}
		}},
		"revoked-at unreadable is still revoked": {s: withAnnotation(written, authv1alpha1.RevokedAtAnnotation, "once"), wantConsistent: true, check: func(t *testing.T, st tokensecret.State) {
			if !st.Revoked || !st.RevokedAt.IsZero() {
				t.Fatalf("revoked %v at %v", st.Revoked, st.RevokedAt)
			}
		}},
		"another key of the spec": {s: func() *corev1.Secret {
			s := written.DeepCopy()
			s.Data = map[string][]byte{"api-key": []byte(valueA)}
			return s
		}()},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			st := tokensecret.Read(tok, tc.s)
			if st.Consistent() != tc.wantConsistent {
				t.Fatalf("Consistent = %v, want %v (state %+v)", st.Consistent(), tc.wantConsistent, st)
			}
			if tc.check != nil {
				tc.check(t, st)
			}
		})
	}
}

// utc makes states comparable with ==: the same instants in the same location.
func utc(st tokensecret.State) tokensecret.State {
	st.IssuedAt, st.PreviousExpiresAt, st.RevokedAt = st.IssuedAt.UTC(), st.PreviousExpiresAt.UTC(), st.RevokedAt.UTC()
	return st
}

func withAnnotation(s *corev1.Secret, k, v string) *corev1.Secret {
	s = s.DeepCopy()
	s.Annotations[k] = v
	return s
}

func keys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// is fails the test when got is not want.
func is[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func withoutMark(a map[string]string) map[string]string {
	out := maps.Clone(a)
	delete(out, authv1alpha1.MarkAnnotation)
	return out
}
