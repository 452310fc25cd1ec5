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

// Package tokensecret is the format of the Secret the operator manages for an
// ApiToken: which data keys hold the current and the previous token, which
// label, annotation and owner reference mark the Secret as the operator's,
// and how the token's fingerprint, dates and revision are written into
// annotations. Read turns a Secret into a State and Apply writes a State into
// a Secret; Owned and ManagedBy say whose a Secret is; ReadFingerprints gives
// the verify index the digests a Secret holds. Nothing outside this package
// reads or writes those annotations by key, so the format can change in one
// place. It decides nothing: what the state should become is the policy's.
package tokensecret

import (
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// State is what a managed Secret says about the token it holds. The zero
// State is a Secret that holds nothing (or no Secret at all).
type State struct {
	// Current is the token in the ApiToken's key.
	Current token.Value
	// Previous is the token kept for a grace period after a rotation.
	Previous token.Value
	// Hash is the fingerprint written with Current, so that an edit of the
	// value shows (see Consistent).
	Hash string
	// IssuedAt is when Current was issued or imported; zero when the
	// annotation is missing or cannot be read.
	IssuedAt time.Time
	// Revision counts the tokens issued or imported into the Secret.
	Revision int64
	// PreviousExpiresAt is when Previous leaves the Secret.
	PreviousExpiresAt time.Time
	// RotateHandled is the last value of the ApiToken's rotate annotation
	// that was acted on, written with the rotated token.
	RotateHandled string
	// SourceVersion is the resourceVersion of the import source Current was
	// copied from; empty for a generated token.
	SourceVersion string
	// Revoked says the token was revoked and removed from the Secret.
	Revoked bool
	// RevokedAt is when; zero when the annotation cannot be read (the Secret
	// is still Revoked).
	RevokedAt time.Time
}

// Read extracts the token state of a Secret for tok (whose spec names the
// data key); a nil Secret has the zero State. An annotation that cannot be
// parsed reads as zero.
func Read(tok *authv1alpha1.ApiToken, s *corev1.Secret) State {
	if s == nil {
		return State{}
	}
	st := readAnnotations(s.Annotations)
	st.Current, st.Previous = DataValue(s, tok.SecretKey()), DataValue(s, tok.PreviousSecretKey())
	return st
}

// readAnnotations is the token state a Secret's annotations describe (all
// of it but the values), as Read and the mark read it.
func readAnnotations(a map[string]string) State {
	rev, _ := strconv.ParseInt(a[authv1alpha1.RevisionAnnotation], 10, 64)
	revokedAt, revoked := a[authv1alpha1.RevokedAtAnnotation]
	return State{
		Hash:              a[authv1alpha1.TokenHashAnnotation],
		IssuedAt:          parseTime(a[authv1alpha1.IssuedAtAnnotation]),
		Revision:          rev,
		PreviousExpiresAt: parseTime(a[authv1alpha1.PreviousExpiresAtAnnotation]),
		RotateHandled:     a[authv1alpha1.RotateHandledAnnotation],
		SourceVersion:     a[authv1alpha1.SourceVersionAnnotation],
		Revoked:           revoked,
		RevokedAt:         parseTime(revokedAt),
	}
}

// Consistent says whether the Secret holds a token that the operator wrote:
// the value is there and matches the hash annotation written with it.
func (s State) Consistent() bool {
	return !s.Current.IsZero() && s.Hash != "" && s.Current.Fingerprint() == s.Hash && !s.IssuedAt.IsZero()
}
