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

package tokencache

import (
	"encoding/json"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// fixedMessages are the condition messages the controller writes in every
// token of a kind (policy.FixedMessages, which this package cannot import:
// the policy's tests build read models; TestDictionaryHoldsTheFixedMessages
// keeps the two in step).
var fixedMessages = []string{
	"waiting for the token to be written",
	"the hash-only token verifies: only its fingerprint is stored, no Secret holds it",
	"waiting for the fingerprint to be accepted",
	"spec.revoked is true: the hash-only token no longer verifies; set spec.source.hashed.tokenHash to a new token's fingerprint and spec.revoked to false to use a new one",
}

// apiTokenDictionary is the JSON of a few typical ApiTokens' bodies, made
// from the types (a new field is in it). The commonest shapes come last,
// where deflate reaches them with the shortest distances.
func apiTokenDictionary() []byte {
	at := metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	d := func(v time.Duration) *metav1.Duration { return &metav1.Duration{Duration: v} }
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	ready := func(reason, message string) []metav1.Condition {
		return []metav1.Condition{{Type: authv1alpha1.ConditionReady, Status: metav1.ConditionTrue, ObservedGeneration: 1,
			LastTransitionTime: at, Reason: reason, Message: message}}
	}
	full := body{
		Spec: &authv1alpha1.ApiTokenSpec{
			Type: authv1alpha1.TokenTypeApiClient, Principal: "system:serviceaccount:default:ci", DisplayName: "CI deploy token",
			Description: "used by the deploy pipeline", TTL: d(30 * 24 * time.Hour),
			Source: &authv1alpha1.TokenSource{Import: &authv1alpha1.ImportSource{
				SecretRef: authv1alpha1.SecretKeyRef{Name: "source", Key: authv1alpha1.DefaultSecretKey}, Pattern: "^[a-z0-9]+$"}},
			Secret: authv1alpha1.SecretTarget{Name: "target", Key: authv1alpha1.DefaultSecretKey,
				Labels: map[string]string{"app.kubernetes.io/name": "app"}, Annotations: map[string]string{"team": "platform"}},
			Rotation:    &authv1alpha1.Rotation{RenewBefore: d(7 * 24 * time.Hour), GracePeriod: d(time.Hour)},
			Scopes:      []string{"read", "write"},
			AccessToken: &authv1alpha1.AccessTokenSpec{TTL: d(15 * time.Minute), Audiences: []string{"https://api.example.com"}},
			Revoked:     true, DeletionPolicy: authv1alpha1.DeletionPolicyRetain,
		},
		Status: &authv1alpha1.ApiTokenStatus{
			TokenStatus: authv1alpha1.TokenStatusRevoked, CreationDate: &at, ExpirationDate: &at, RenewalTime: &at,
			PreviousTokenExpirationDate: &at, LastUsedDate: &at, TokenLastChars: "abcd", TokenHash: digest, PreviousTokenHash: digest,
			SecretName: "target", Revision: 2, ObservedGeneration: 2,
			Conditions: ready(authv1alpha1.ReasonRevoked, `spec.revoked is true: Secret "target" no longer holds the token; set it to false to issue a new one`),
		},
	}
	generated := body{
		Spec: &authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "alice", TTL: d(90 * 24 * time.Hour),
			Source: &authv1alpha1.TokenSource{Generate: &authv1alpha1.GenerateSource{Length: authv1alpha1.DefaultLength, Charset: authv1alpha1.DefaultCharset}}},
		Status: &authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, CreationDate: &at, ExpirationDate: &at,
			TokenLastChars: "abcd", TokenHash: digest, SecretName: "name", Revision: 1, ObservedGeneration: 1,
			Conditions: ready(authv1alpha1.ReasonIssued, `Secret "name" key "token" holds a valid issued token`)},
	}
	hashed := body{
		Spec: &authv1alpha1.ApiTokenSpec{Type: authv1alpha1.TokenTypeUser, Principal: "alice", TTL: d(90 * 24 * time.Hour),
			Source: &authv1alpha1.TokenSource{Hashed: &authv1alpha1.HashedSource{TokenHash: digest, TokenLastChars: "abcd"}}},
		Status: &authv1alpha1.ApiTokenStatus{TokenStatus: authv1alpha1.TokenStatusActive, CreationDate: &at, ExpirationDate: &at,
			TokenLastChars: "abcd", TokenHash: digest, Revision: 1, ObservedGeneration: 1,
			Conditions: ready(authv1alpha1.ReasonImported, fixedMessages[1])},
	}
	var b strings.Builder
	b.WriteString(strings.Join(fixedMessages, " "))
	for _, sample := range []body{full, generated, hashed} {
		sample.Metadata = &metav1.ObjectMeta{CreationTimestamp: at}
		raw, err := json.Marshal(sample)
		if err != nil {
			panic(err) // literals of the package's own types: cannot fail
		}
		b.Write(raw)
	}
	return []byte(b.String())
}

// secretDictionary is the body of a sealed managed Secret as the
// controller writes it (tokensecret.Apply, tokensecret.Seal): during a
// grace period, and then the commonest, with one token.
func secretDictionary() []byte {
	marker, err := tokensecret.NewMarker(make([]byte, tokensecret.MarkKeyBytes))
	if err != nil {
		panic(err) // a key of the right size: cannot fail
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tok := &authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "name", UID: "0b7f6c0e-5b6e-4d1a-9f0e-3f2a1c9d8e7b"}}
	current, previous := token.NewValue([]byte("current")), token.NewValue([]byte("previous"))
	var b strings.Builder
	for _, st := range []tokensecret.State{
		{Current: current, Previous: previous, Hash: current.Fingerprint(), IssuedAt: at, Revision: 2, PreviousExpiresAt: at, RotateHandled: "1"},
		{Current: current, Hash: current.Fingerprint(), IssuedAt: at, Revision: 1},
	} {
		s := tokensecret.Apply(tok, nil, st, marker)
		tokensecret.Seal(s)
		raw, err := json.Marshal(secretBody{Metadata: &metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(at)}, UID: tok.UID,
			OwnerReferences: s.OwnerReferences, Annotations: s.Annotations, Data: s.Data, Type: s.Type, Immutable: s.Immutable})
		if err != nil {
			panic(err) // a Secret the package made: cannot fail
		}
		b.Write(raw)
	}
	return []byte(b.String())
}
