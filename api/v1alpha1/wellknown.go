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

package v1alpha1

// Labels and annotations the operator puts on the Secrets it manages. They are
// part of the API: backup tools, reloaders and the operator itself after a
// restart read them. None of them ever holds a token value.
const (
	// ManagedByLabel marks Secrets written by the operator; its cache watches
	// only Secrets that carry it.
	ManagedByLabel = "app.kubernetes.io/managed-by"
	// ManagedByValue is ManagedByLabel's value.
	ManagedByValue = "apitoken-operator"

	// OwnerAnnotation names the ApiToken (in the same namespace) a Secret belongs to.
	OwnerAnnotation = "auth.apitoken.io/apitoken"
	// TokenHashAnnotation is the fingerprint of the current token, so that an
	// edit of the value is detected.
	TokenHashAnnotation = "auth.apitoken.io/token-hash"
	// IssuedAtAnnotation is when the current token was issued or imported (RFC 3339).
	IssuedAtAnnotation = "auth.apitoken.io/issued-at"
	// RevisionAnnotation counts the tokens issued or imported into the Secret.
	RevisionAnnotation = "auth.apitoken.io/revision"
	// PreviousExpiresAtAnnotation is when the previous token leaves the Secret (RFC 3339).
	PreviousExpiresAtAnnotation = "auth.apitoken.io/previous-expires-at"
	// RotateHandledAnnotation is the last value of the ApiToken's rotate
	// annotation that was acted on. It is written with the rotated token, in
	// the same request, so that a rotation is never done twice.
	RotateHandledAnnotation = "auth.apitoken.io/rotate-handled"
	// RevokedAtAnnotation is when the token was revoked and removed (RFC 3339).
	RevokedAtAnnotation = "auth.apitoken.io/revoked-at"
	// SourceVersionAnnotation is the resourceVersion of the import source
	// Secret the current value was copied from, so that an unchanged source is
	// not read again.
	SourceVersionAnnotation = "auth.apitoken.io/source-version"
	// MarkAnnotation is the operator's HMAC over the token state it wrote
	// (see tokensecret.Marker): the one mark of a Secret that nobody without
	// the operator's key can forge.
	MarkAnnotation = "auth.apitoken.io/mark"
)

// CreatedByAnnotation names the user who created an ApiToken through the
// HTTP API. On a User token whose principal is that user it makes the token
// personal: the user may manage it with the apitokens/self permission.
const CreatedByAnnotation = "auth.apitoken.io/created-by"

// ConditionReady says whether the target Secret holds a valid token.
const ConditionReady = "Ready"

// ConditionPolicyCompliant says whether the token keeps the rules of the
// ApiTokenPolicies that govern it (reason Compliant, or the first rule it
// breaks); absent when none does.
const ConditionPolicyCompliant = "PolicyCompliant"

// ReasonCompliant is PolicyCompliant's reason when no rule is broken.
const ReasonCompliant = "Compliant"

// EventRevokedInactive is the reason of the Event recorded when a policy's
// inactivity.revokeAfter revokes a token.
const EventRevokedInactive = "RevokedInactive"

// Reasons of the Ready condition.
const (
	// ReasonIssued: the Secret holds a valid generated token.
	ReasonIssued = "Issued"
	// ReasonImported: the Secret holds a valid imported token.
	ReasonImported = "Imported"
	// ReasonRotated: a new token replaced the previous one (an event reason).
	ReasonRotated = "Rotated"
	// ReasonReissued: the Secret was deleted or its value edited, so the token
	// was issued or copied again (an event reason).
	ReasonReissued = "Reissued"
	// ReasonExpired: the token is past its expirationDate.
	ReasonExpired = "Expired"
	// ReasonRevoked: spec.revoked is true and the Secret no longer holds the token.
	ReasonRevoked = "Revoked"
	// ReasonInvalidImport: the import source value or pattern breaks the format rule.
	ReasonInvalidImport = "InvalidImport"
	// ReasonSourceNotFound: the import source Secret or key does not exist.
	ReasonSourceNotFound = "SourceNotFound"
	// ReasonSecretConflict: a Secret of the target name exists and is not managed by this ApiToken.
	ReasonSecretConflict = "SecretConflict"
	// ReasonRevokedTokenReused: spec.revoked went back to false on a
	// hash-only token whose tokenHash is still the revoked token's.
	ReasonRevokedTokenReused = "RevokedTokenReused"
	// ReasonSecretRejected: the API server rejected the Secret the operator
	// wrote, usually because of spec.secret.labels or annotations.
	ReasonSecretRejected = "SecretRejected"
	// ReasonDuplicateToken: another ApiToken already holds this token's
	// fingerprint (one fingerprint, one ApiToken, cluster-wide).
	ReasonDuplicateToken = "DuplicateToken"
	// ReasonClaimsThrottled: too many tokens of this ApiToken's creator
	// were refused as DuplicateToken recently; a new fingerprint of theirs
	// is checked again once their budget has refilled, whatever it is, so
	// that the refusals answer no question about other people's tokens.
	ReasonClaimsThrottled = "ClaimsThrottled"
	// ReasonRetargeted: spec.secret.name changed and the Secret that held the
	// token before was deleted, or stripped of the token (an event reason).
	ReasonRetargeted = "Retargeted"
)
