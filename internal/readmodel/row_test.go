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

package readmodel

import (
	"cmp"
	"strings"
	"testing"
	"time"
	"unsafe"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// The model holds a Row per ApiToken: past 240 bytes it takes the next
// size class, 16 bytes more per token.
func TestRowFitsItsSizeClass(t *testing.T) {
	if size := unsafe.Sizeof(Row{}); size > 240 {
		t.Fatalf("a Row is %d bytes; keep it within 240 (see its doc comment)", size)
	}
}

// A Row's strings share one string: each reads back whole, whatever the
// others hold, and the haystack is their lower-cased search fields.
func TestRowTextsReadBack(t *testing.T) {
	huge := strings.Repeat("Z", 70_000)
	cases := map[string]Texts{
		"none":      {},
		"all":       {DisplayName: "Deploy Key", Description: "For CI", Principal: "Alice@Example.com", LastChars: "a1b2c", SecretName: "deploy", CreatedBy: "alice"},
		"some":      {Principal: "bot", SecretName: "s"},
		"non-ASCII": {DisplayName: "ÄPI Schlüssel", Principal: "Zoë"},
		// Only createdBy, an annotation, can be longer than the API
		// server lets the others be: it is cut, at no user's name.
		"huge createdBy": {DisplayName: "D", Principal: "P", LastChars: "zzzzz", SecretName: "s", CreatedBy: huge},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			r := Row{Name: "My-Token"}
			r.SetTexts(want)
			got := Texts{DisplayName: r.DisplayName(), Description: r.Description(), Principal: r.Principal(),
				LastChars: r.LastChars(), SecretName: r.SecretName(), CreatedBy: r.CreatedBy()}
			if want.CreatedBy == huge {
				if len(got.CreatedBy) < 60_000 || strings.Trim(got.CreatedBy, "Z") != "" {
					t.Fatalf("createdBy: %d bytes, want most of it", len(got.CreatedBy))
				}
				want.CreatedBy = got.CreatedBy
			}
			if got != want {
				t.Fatalf("read back %.80v, want %.80v", got, want)
			}
			hay := strings.Join([]string{"my-token", strings.ToLower(want.DisplayName), strings.ToLower(want.Principal),
				strings.ToLower(want.Description)}, "\x00")
			if r.Haystack() != hay {
				t.Fatalf("haystack %q, want %q", r.Haystack(), hay)
			}
			if wantName := cmp.Or(want.DisplayName, "My-Token"); r.TokenName() != wantName ||
				r.LowerTokenName() != strings.ToLower(wantName) {
				t.Fatalf("token name %q (%q), want %q", r.TokenName(), r.LowerTokenName(), wantName)
			}
		})
	}
}

func TestRowForEnumsAndDigests(t *testing.T) {
	current, previous := token.NewValue([]byte("current-value")), token.NewValue([]byte("previous-value"))
	cases := map[string]struct {
		status       authv1alpha1.TokenStatus
		typ          authv1alpha1.TokenType
		previousHash string
		wantStatus   authv1alpha1.TokenStatus
		wantType     authv1alpha1.TokenType
		wantPrevious bool
	}{
		"no status yet is Pending": {typ: authv1alpha1.TokenTypeTeam, wantStatus: authv1alpha1.TokenStatusPending, wantType: authv1alpha1.TokenTypeTeam},
		"every enum value reads back": {status: authv1alpha1.TokenStatusRevoked, typ: authv1alpha1.TokenTypeApiClient,
			wantStatus: authv1alpha1.TokenStatusRevoked, wantType: authv1alpha1.TokenTypeApiClient},
		"a value outside the enums reads empty": {status: "Sleeping", typ: "Robot"},
		"a rotation's previous digest": {status: authv1alpha1.TokenStatusActive, typ: authv1alpha1.TokenTypeUser, previousHash: previous.Fingerprint(),
			wantStatus: authv1alpha1.TokenStatusActive, wantType: authv1alpha1.TokenTypeUser, wantPrevious: true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tok := newToken()
			tok.Spec.Type = tc.typ
			tok.Status.TokenStatus = tc.status
			tok.Status.TokenHash = current.Fingerprint()
			tok.Status.PreviousTokenHash = tc.previousHash
			r := RowFor(tok)
			if r.Status() != tc.wantStatus || r.Type() != tc.wantType {
				t.Errorf("status %q, type %q; want %q, %q", r.Status(), r.Type(), tc.wantStatus, tc.wantType)
			}
			want, _ := tokensecret.ParseDigest(current.Fingerprint())
			if r.CurrentDigest != want {
				t.Errorf("current digest %x, want %x", r.CurrentDigest, want)
			}
			var wantPrevious tokensecret.Digest
			if tc.wantPrevious {
				wantPrevious, _ = tokensecret.ParseDigest(previous.Fingerprint())
			}
			if r.PreviousDigest() != wantPrevious {
				t.Errorf("previous digest %x, want %x", r.PreviousDigest(), wantPrevious)
			}
		})
	}
	var zero Row
	if zero.Type() != "" || zero.Status() != "" || zero.PreviousDigest() != (tokensecret.Digest{}) {
		t.Errorf("a zero Row says type %q, status %q, previous %x; want none", zero.Type(), zero.Status(), zero.PreviousDigest())
	}
}

// Fields longer than the API server allows (a cut says where each ends in
// 16 bits) are cut short in the search, whichever field it is, and the
// others still read back.
func TestRowForLimits(t *testing.T) {
	huge := strings.Repeat("P", 70_000)
	for _, field := range []string{"name", "displayName", "principal"} {
		t.Run(field, func(t *testing.T) {
			tok := newToken()
			tok.Name, tok.Spec.DisplayName, tok.Spec.Principal, tok.Spec.Description = "ci", "Disp", "bot", "Desc"
			switch field {
			case "name":
				tok.Name = huge
			case "displayName":
				tok.Spec.DisplayName = huge
			case "principal":
				tok.Spec.Principal = huge
			}
			r := RowFor(tok)
			got := map[string]string{"name": r.LowerName(), "displayName": r.lowerDisplayName(), "principal": r.LowerPrincipal()}
			want := map[string]string{"name": "ci", "displayName": "disp", "principal": "bot"}
			order := map[string]int{"name": 0, "displayName": 1, "principal": 2}
			for f, w := range want {
				switch {
				case f == field && (len(got[f]) < 60_000 || strings.Trim(got[f], "p") != ""):
					t.Errorf("%s: %d bytes of %q..., want most of it, lower-cased", f, len(got[f]), got[f][:min(len(got[f]), 8)])
				case order[f] < order[field] && got[f] != w:
					t.Errorf("%s before the long field: %.20q, want %q", f, got[f], w)
				case order[f] > order[field] && got[f] != w && got[f] != "":
					t.Errorf("%s after the long field: %.20q, want %q or nothing", f, got[f], w)
				}
			}
			if r.LowerDescription() != "desc" {
				t.Errorf("description %.20q, want desc", r.LowerDescription())
			}
		})
	}
	tok := newToken()
	tok.Spec.AccessToken = &authv1alpha1.AccessTokenSpec{}
	if want := int32(authv1alpha1.DefaultAccessTokenTTL / time.Second); RowFor(tok).AccessTTLSeconds != want {
		t.Errorf("access ttl %d s, want %d", RowFor(tok).AccessTTLSeconds, want)
	}
}

func newToken() *authv1alpha1.ApiToken {
	return &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "ci", UID: "u1"},
		Spec: authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeApiClient, Principal: "ci-bot"}}
}
