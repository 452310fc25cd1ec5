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

// Package policy decides, without any I/O, what the controller must do about
// an ApiToken's value: issue, import, revoke, report a failure, or nothing. It
// takes what the controller gathered (the ApiToken, its Secret, the import
// source) and the time, and returns a verdict with a reason and a message, in
// the manner of cert-manager's trigger policy chain. It also holds the time
// math of expiry, renewal and grace periods.
package policy

import (
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// Input is everything a decision depends on.
type Input struct {
	Token *authv1alpha1.ApiToken
	// Secret is the target Secret, managed or not; nil when it does not exist.
	Secret *corev1.Secret
	// Source is the import source Secret; nil when it does not exist or the
	// token is generated.
	Source *corev1.Secret
	// SourceUnchanged says the import source still has the resourceVersion
	// the target Secret's value was copied from, so it was not read again:
	// the target's current value stands for the source's.
	SourceUnchanged bool
	// SourceVersion is the import source's resourceVersion, recorded on the
	// target Secret with a copied value.
	SourceVersion string
	Now           time.Time
}

// SecretState is what a managed Secret says about the token it holds.
type SecretState struct {
	Current           token.Value
	Previous          token.Value
	Hash              string
	IssuedAt          time.Time
	Revision          int64
	PreviousExpiresAt time.Time
	RotateHandled     string
	Revoked           bool
}

// ReadSecret extracts the token state of a Secret; a nil Secret has a zero state.
func ReadSecret(tok *authv1alpha1.ApiToken, s *corev1.Secret) SecretState {
	if s == nil {
		return SecretState{}
	}
	a := s.Annotations
	rev, _ := strconv.ParseInt(a[authv1alpha1.RevisionAnnotation], 10, 64)
	_, revoked := a[authv1alpha1.RevokedAtAnnotation]
	return SecretState{
		Current:           token.NewValue(s.Data[tok.SecretKey()]),
		Previous:          token.NewValue(s.Data[tok.PreviousSecretKey()]),
		Hash:              a[authv1alpha1.TokenHashAnnotation],
		IssuedAt:          parseTime(a[authv1alpha1.IssuedAtAnnotation]),
		Revision:          rev,
		PreviousExpiresAt: parseTime(a[authv1alpha1.PreviousExpiresAtAnnotation]),
		RotateHandled:     a[authv1alpha1.RotateHandledAnnotation],
		Revoked:           revoked,
	}
}

// Consistent says whether the Secret holds a token that the operator wrote:
// the value is there and matches the hash annotation written with it.
func (s SecretState) Consistent() bool {
	return !s.Current.IsZero() && s.Hash != "" && s.Current.Fingerprint() == s.Hash && !s.IssuedAt.IsZero()
}

// Owned says whether the Secret belongs to this ApiToken. A controller owner
// reference decides when there is one; otherwise (deletionPolicy Retain) the
// managed label and the owner annotation must both name it.
func Owned(tok *authv1alpha1.ApiToken, s *corev1.Secret) bool {
	if ref := metav1.GetControllerOf(s); ref != nil {
		return ref.UID == tok.UID
	}
	return s.Labels[authv1alpha1.ManagedByLabel] == authv1alpha1.ManagedByValue &&
		s.Annotations[authv1alpha1.OwnerAnnotation] == tok.Name
}

// FormatTime is how the operator writes times into annotations.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func parseTime(v string) time.Time {
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}
	}
	return t
}
