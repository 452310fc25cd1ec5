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

// Package policy holds every pure rule of the operator: from what the
// controller gathered (the ApiToken, its Secret, the import source) and the
// time, it decides what to do about an ApiToken's value (issue, import,
// revoke, report a failure, or nothing) in the manner of cert-manager's
// trigger policy chain; it says what the Secret must hold after acting, what
// the status reports ("why is my token Expired?") and when to look again.
// It does no I/O and reads no clock: the time is given.
package policy

import (
	"time"

	corev1 "k8s.io/api/core/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// Input is everything a decision depends on.
type Input struct {
	Token *authv1alpha1.ApiToken
	// Secret is the target Secret, managed or not; nil when it does not exist.
	Secret *corev1.Secret
	// Owned says whether Secret is this ApiToken's; false when there is none.
	Owned bool
	// State is what Secret says about the token when it is this ApiToken's,
	// and zero when it is absent or someone else's: nothing in another's
	// Secret is ever reported or kept.
	State tokensecret.State
	// Source is the import source Secret; nil when it does not exist, when
	// the token is generated, or when SourceUnchanged.
	Source *corev1.Secret
	// SourceUnchanged says the import source still has the resourceVersion
	// the target Secret's value was copied from, and nothing in its metadata
	// is refused, so it was not read again: the target's current value
	// stands for the source's.
	SourceUnchanged bool
	// SourceVersion is the import source's resourceVersion, recorded on the
	// target Secret with a copied value.
	SourceVersion string
	// Untrusted says the Secret is this ApiToken's to write, but the token
	// it holds is not one the operator wrote for it (tokensecret.Trusted):
	// State then holds no value, so the token is issued or copied again,
	// and the Secret's value is never reported nor verified.
	Untrusted bool
	// Stale says the Secret holds a state the operator once wrote, of an
	// earlier revision than status reports (tokensecret.Stale): an old
	// copy written back. It is Untrusted too.
	Stale bool
	// Holders are the other ApiTokens, cluster-wide, whose status holds the
	// fingerprint this ApiToken is about to hold or holds (a hash-only
	// token's spec, an import source's value); see DuplicateToken.
	Holders []Holder
	// Tombstoned says the fingerprint this ApiToken is about to hold was
	// revoked, under this ApiToken or another (possibly deleted since),
	// within the tombstones' retention.
	Tombstoned bool
	// ClaimsThrottled is how long the creator of this ApiToken (Creator)
	// must wait before a new fingerprint of theirs is checked against the
	// holders: too many of their claims were refused as duplicates lately.
	// Zero when they are not throttled.
	ClaimsThrottled time.Duration
	// Former is the Secret that held the token before spec.secret.name
	// changed, when it is this ApiToken's; nil otherwise. Its token must
	// stop verifying at once (see FormerSecret).
	Former *corev1.Secret
	// Policies are the ApiTokenPolicies (the cache's: read only), and
	// NamespaceLabels the labels of the token's namespace when one of them
	// selects namespaces; tokenpolicy.Evaluate reads them.
	Policies        []authv1alpha1.ApiTokenPolicy
	NamespaceLabels map[string]string
	Now             time.Time
}

// NewInput starts the input of tok from its target Secret as read (nil when
// there is none), m checking the operator's marks. It is the one place
// where the Secret's ownership is decided and its token state read.
func NewInput(tok *authv1alpha1.ApiToken, secret *corev1.Secret, m *tokensecret.Marker, now time.Time) Input {
	in := Input{Token: tok, Secret: secret, Now: now}
	if secret == nil || !tokensecret.Owned(tok, secret, m) {
		return in
	}
	in.Owned, in.State = true, tokensecret.Read(tok, secret)
	if in.State.Consistent() && !tokensecret.Trusted(tok, secret, in.State, m) {
		in.Untrusted, in.Stale = true, tokensecret.Stale(tok, in.State)
		in.State.Current, in.State.Previous, in.State.Hash = token.Value{}, token.Value{}, ""
	}
	return in
}

// WithSecret is in with its target Secret replaced by s (read again, from
// the API server), ownership and token state decided anew; what else was
// gathered stays.
func (in Input) WithSecret(s *corev1.Secret, m *tokensecret.Marker) Input {
	fresh := NewInput(in.Token, s, m, in.Now)
	in.Secret, in.Owned, in.State, in.Untrusted, in.Stale = fresh.Secret, fresh.Owned, fresh.State, fresh.Untrusted, fresh.Stale
	return in
}
