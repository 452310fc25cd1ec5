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

// Package readmodel is the operator's in-memory table of ApiTokens: one
// compact Row per ApiToken, kept up to date from the manager's informer (no
// watch of its own), with pre-sorted orders per sort field. The query API
// runs queries over it, the verifier joins presented tokens to it, and the
// metrics collector reads it at scrape time. It holds metadata only: never a
// token value, and it knows nothing of HTTP.
package readmodel

import (
	"math"
	"strings"
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokenpolicy"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// Null marks an absent date or ttl in a Row.
const Null int64 = -1 << 63

// Row is what the query API knows about one ApiToken: the query fields only.
// The UID, namespace and name share memory with the cached object; the
// other strings are one string (text), the search haystack first, and read
// through methods. A Row is 240 bytes, one of the Go allocator's size
// classes: the model holds one per ApiToken, so a field added here costs
// 16 bytes per token (the next class) unless it fits the padding. The type
// and status live as their places in the enums, the previous digest (a
// rotation's grace period only) behind a pointer.
type Row struct {
	UID       string
	Namespace string
	Name      string
	Revision  int64
	// Scopes share the cached object's slice; never modify them.
	Scopes []string
	// Audiences share the cached object's slice (spec.accessToken.audiences);
	// never modify them.
	Audiences []string
	// Dates in epoch milliseconds, ttl in seconds; null when absent.
	Created, Expires, LastUsed, TTLSeconds int64
	// Renews is the automatic rotation time in epoch milliseconds, or null.
	Renews int64
	// CurrentDigest is the digest status names (tokenHash); zero when
	// absent. A value verifies only if its digest is this or the previous
	// one (PreviousDigest).
	CurrentDigest tokensecret.Digest
	// more holds what few rows have: the digests of
	// status.previousTokenHash and status.revokedTokenHashes, and
	// status.policy.violations; nil when there are none.
	more *rare

	// text is the row's other strings end to end, one allocation:
	// displayName, description, principal, lastChars, secretName and
	// createdBy (ends says where each ends, within 65,535 bytes: SetTexts
	// cuts what the API server's limits would not let through), then the
	// haystack, what the search parameter looks in: the lower-cased name,
	// displayName, principal and description, separated by NUL so that a
	// match cannot span two fields (cuts are where each of the first three
	// ends in it, within 65,535 bytes too).
	text string
	ends [textFields]uint16
	cuts [3]uint16
	// typ and status are one more than the places of the type and status in
	// their enums (TypeIndex, StatusIndex), so that a zero Row has neither;
	// Type and Status read them.
	typ, status uint8
	// Hashed says the token is hash-only: no Secret holds it.
	Hashed bool
	// Revoked is spec.revoked: verification stops the moment the cache
	// holds it, before the controller writes status.
	Revoked bool
	// PolicyDenied says a Deny ApiTokenPolicy's rule is broken
	// (tokenpolicy.Denied): the token does not verify until it complies.
	PolicyDenied bool
	// AccessTTLSeconds is spec.accessToken.ttl with its default, in seconds
	// (at most 24h, the API server's limit).
	AccessTTLSeconds int32
	// Indexes the model keeps for its own use: ns the namespace's interned
	// number, id the row's number in the search index.
	ns, id uint32
}

// The strings of a Row's text before the haystack, in order.
const (
	textDisplayName = iota
	textDescription
	textPrincipal
	textLastChars
	textSecretName
	textCreatedBy
	textFields
)

// Texts are a Row's strings other than its UID, namespace and name, for
// RowFor and tests.
type Texts struct {
	DisplayName, Description, Principal, LastChars, SecretName, CreatedBy string
}

// field is text field i (textDisplayName...).
func (r *Row) field(i int) string {
	start := uint16(0)
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.text[start:r.ends[i]]
}

// haystack is the lower-cased search fields.
func (r *Row) haystack() string { return r.text[r.ends[textFields-1]:] }

// DisplayName is spec.displayName.
func (r *Row) DisplayName() string { return r.field(textDisplayName) }

// Description is spec.description.
func (r *Row) Description() string { return r.field(textDescription) }

// Principal is spec.principal.
func (r *Row) Principal() string { return r.field(textPrincipal) }

// LastChars is status.tokenLastChars.
func (r *Row) LastChars() string { return r.field(textLastChars) }

// SecretName is status.secretName.
func (r *Row) SecretName() string { return r.field(textSecretName) }

// CreatedBy is the user who created the ApiToken through the HTTP API.
func (r *Row) CreatedBy() string { return r.field(textCreatedBy) }

// SetTexts replaces the row's strings other than its UID, namespace and
// name, and its haystack with them and its name.
func (r *Row) SetTexts(t Texts) {
	fields := [textFields]string{t.DisplayName, t.Description, t.Principal, t.LastChars, t.SecretName, t.CreatedBy}
	lower := [3]string{strings.ToLower(r.Name), strings.ToLower(t.DisplayName), strings.ToLower(t.Principal)}
	lowerDescription := strings.ToLower(t.Description)
	n := len(lower[0]) + len(lower[1]) + len(lower[2]) + len(lowerDescription) + len(r.cuts)
	for _, f := range fields {
		n += len(f)
	}
	var b strings.Builder
	b.Grow(n)
	for i, f := range fields {
		// Only an annotation (createdBy) can be longer than this, past
		// any user's name: it is cut.
		b.WriteString(f[:min(len(f), math.MaxUint16-b.Len())])
		r.ends[i] = uint16(b.Len())
	}
	start := b.Len()
	for i, f := range lower {
		// Past what a cut can say (never, within the API server's
		// limits), the search sees the fields' beginnings only: each
		// field leaves room for the separators before the last cut.
		room := max(0, math.MaxUint16-(b.Len()-start)-(len(r.cuts)-1-i))
		b.WriteString(f[:min(len(f), room)])
		r.cuts[i] = uint16(b.Len() - start)
		b.WriteByte(0)
	}
	b.WriteString(lowerDescription)
	r.text = b.String()
}

// RowFor extracts the query fields of an ApiToken.
func RowFor(t *authv1alpha1.ApiToken) Row {
	r := Row{
		UID:              string(t.UID),
		Namespace:        t.Namespace,
		Name:             t.Name,
		Revision:         t.Status.Revision,
		Scopes:           t.Spec.Scopes,
		Hashed:           t.Hashed() != nil,
		Revoked:          t.Spec.Revoked,
		AccessTTLSeconds: int32(min(t.AccessTokenTTL()/time.Second, math.MaxInt32)),
		Audiences:        t.AccessTokenAudiences(),
		Created:          Null, Expires: Null, LastUsed: Null, TTLSeconds: Null, Renews: Null,
	}
	r.SetTexts(Texts{DisplayName: t.Spec.DisplayName, Description: t.Spec.Description, Principal: t.Spec.Principal,
		LastChars: t.Status.TokenLastChars, SecretName: t.Status.SecretName, CreatedBy: t.Annotations[authv1alpha1.CreatedByAnnotation]})
	r.typ = TypeIndex(t.Spec.Type) + 1
	r.SetStatus(t.Status.TokenStatus)
	r.CurrentDigest, _ = tokensecret.ParseDigest(t.Status.TokenHash)
	if d, ok := tokensecret.ParseDigest(t.Status.PreviousTokenHash); ok && d != (tokensecret.Digest{}) {
		r.more = &rare{previous: d}
	}
	for _, fp := range t.Status.RevokedTokenHashes {
		if d, ok := tokensecret.ParseDigest(fp); ok && d != (tokensecret.Digest{}) {
			if r.more == nil {
				r.more = &rare{}
			}
			r.more.revoked = append(r.more.revoked, d)
		}
	}
	if v := t.Status.PolicyViolations(); len(v) > 0 {
		if r.more == nil {
			r.more = &rare{}
		}
		r.more.violations = v
		r.PolicyDenied = tokenpolicy.Denied(v)
	}
	if t.Status.CreationDate != nil {
		r.Created = t.Status.CreationDate.UnixMilli()
	}
	if t.Status.ExpirationDate != nil {
		r.Expires = t.Status.ExpirationDate.UnixMilli()
	}
	if t.Status.RenewalTime != nil {
		r.Renews = t.Status.RenewalTime.UnixMilli()
	}
	if t.Status.LastUsedDate != nil {
		r.LastUsed = t.Status.LastUsedDate.UnixMilli()
	}
	if t.Spec.TTL != nil {
		r.TTLSeconds = int64(t.Spec.TTL.Seconds())
	}
	return r
}

// Type is the token's type (spec.type); empty if it is none of
// TokenTypes.
func (r *Row) Type() authv1alpha1.TokenType { return typeAt(r.typeIndex()) }

// Status is the token's status (status.tokenStatus; Pending until the
// controller has written one); empty if it is none of TokenStatuses.
func (r *Row) Status() authv1alpha1.TokenStatus { return statusAt(r.statusIndex()) }

// typeAt and statusAt are the enum values at index (TypeIndex,
// StatusIndex); empty for unknownIndex.
func typeAt(index uint8) authv1alpha1.TokenType {
	if int(index) < len(authv1alpha1.TokenTypes) {
		return authv1alpha1.TokenTypes[index]
	}
	return ""
}

func statusAt(index uint8) authv1alpha1.TokenStatus {
	if int(index) < len(authv1alpha1.TokenStatuses) {
		return authv1alpha1.TokenStatuses[index]
	}
	return ""
}

// SetStatus sets the status; empty is Pending.
func (r *Row) SetStatus(s authv1alpha1.TokenStatus) {
	if s == "" {
		s = authv1alpha1.TokenStatusPending
	}
	r.status = StatusIndex(s) + 1
}

// typeIndex is TypeIndex(r.Type()), unknownIndex for none.
func (r *Row) typeIndex() uint8 {
	if r.typ == 0 {
		return unknownIndex
	}
	return r.typ - 1
}

// statusIndex is StatusIndex(r.Status()), unknownIndex for none.
func (r *Row) statusIndex() uint8 {
	if r.status == 0 {
		return unknownIndex
	}
	return r.status - 1
}

// PreviousDigest is the digest of the token a rotation replaced while its
// grace period lasts (status.previousTokenHash); zero when absent.
func (r *Row) PreviousDigest() tokensecret.Digest {
	if r.more == nil {
		return tokensecret.Digest{}
	}
	return r.more.previous
}

// RevokedDigests are the digests of status.revokedTokenHashes: held by the
// row for good, never verified.
func (r *Row) RevokedDigests() []tokensecret.Digest {
	if r.more == nil {
		return nil
	}
	return r.more.revoked
}

// PolicyViolations are status.policy.violations (the cached object's
// slice: never modify it); nil when the token breaks no policy's rule.
func (r *Row) PolicyViolations() []authv1alpha1.PolicyViolation {
	if r.more == nil {
		return nil
	}
	return r.more.violations
}

// rare is what few rows have: digests besides the current one, and policy
// violations.
type rare struct {
	previous   tokensecret.Digest
	revoked    []tokensecret.Digest
	violations []authv1alpha1.PolicyViolation
}

// PersonalTo says whether the token is user's own personal token: a User
// token for user, created by user through the HTTP API.
func (r *Row) PersonalTo(user string) bool {
	return user != "" && r.CreatedBy() == user && r.Principal() == user && r.Type() == authv1alpha1.TokenTypeUser
}

// Verifiable says whether the token's values may verify at all: Active in
// status and not revoked in spec (a revocation bites the moment the cache
// holds it, before the controller has written status), and no Deny
// ApiTokenPolicy refuses it (PolicyDenied).
func (r *Row) Verifiable() bool {
	return r.Status() == authv1alpha1.TokenStatusActive && !r.Revoked && !r.PolicyDenied
}

// TokenName is what the API calls the token's name: displayName, else name.
func (r *Row) TokenName() string {
	if d := r.DisplayName(); d != "" {
		return d
	}
	return r.Name
}

// LowerTokenName is TokenName, lower-cased.
func (r *Row) LowerTokenName() string {
	if r.ends[textDisplayName] > 0 {
		return r.lowerDisplayName()
	}
	return r.LowerName()
}

// LowerName is the name, lower-cased.
func (r *Row) LowerName() string { return r.haystack()[:r.cuts[0]] }

// after is where the field after cut i begins in the haystack.
func (r *Row) after(i int) int { return int(r.cuts[i]) + 1 }

func (r *Row) lowerDisplayName() string { return r.haystack()[r.after(0):r.cuts[1]] }

// LowerPrincipal is the principal, lower-cased.
func (r *Row) LowerPrincipal() string { return r.haystack()[r.after(1):r.cuts[2]] }

// LowerDescription is the description, lower-cased.
func (r *Row) LowerDescription() string { return r.haystack()[r.after(2):] }

// Haystack is what a substring search looks in: the lower-cased name,
// displayName, principal and description, separated by NUL so that a match
// cannot span two fields.
func (r *Row) Haystack() string { return r.haystack() }

// Value returns a date or ttl of a Row and whether it is set.
func Value(v int64) (int64, bool) { return v, v != Null }
