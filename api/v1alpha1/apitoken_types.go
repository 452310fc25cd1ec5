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

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TokenType says what kind of holder a token is for.
// +kubebuilder:validation:Enum=User;Team;Session;Workflow;Global;ApiClient
type TokenType string

// Token types.
const (
	TokenTypeUser      TokenType = "User"
	TokenTypeTeam      TokenType = "Team"
	TokenTypeSession   TokenType = "Session"
	TokenTypeWorkflow  TokenType = "Workflow"
	TokenTypeGlobal    TokenType = "Global"
	TokenTypeApiClient TokenType = "ApiClient"
)

// Charset is the alphabet a generated token is drawn from.
// +kubebuilder:validation:Enum=LowerAlphanumeric;Alphanumeric;Hex;Base64URL
type Charset string

// Charsets.
const (
	CharsetLowerAlphanumeric Charset = "LowerAlphanumeric"
	CharsetAlphanumeric      Charset = "Alphanumeric"
	CharsetHex               Charset = "Hex"
	CharsetBase64URL         Charset = "Base64URL"
)

// DeletionPolicy says what happens to the target Secret when the ApiToken is deleted.
// +kubebuilder:validation:Enum=Delete;Retain
type DeletionPolicy string

// Deletion policies.
const (
	// DeletionPolicyDelete gives the Secret a controller owner reference, so
	// that the garbage collector deletes it with the ApiToken.
	DeletionPolicyDelete DeletionPolicy = "Delete"
	// DeletionPolicyRetain leaves the Secret in place when the ApiToken goes.
	DeletionPolicyRetain DeletionPolicy = "Retain"
)

// TokenStatus is the lifecycle state of the token.
// +kubebuilder:validation:Enum=Pending;Active;Expired;Revoked;Failed
type TokenStatus string

// Token states.
const (
	TokenStatusPending TokenStatus = "Pending"
	TokenStatusActive  TokenStatus = "Active"
	TokenStatusExpired TokenStatus = "Expired"
	TokenStatusRevoked TokenStatus = "Revoked"
	TokenStatusFailed  TokenStatus = "Failed"
)

// Defaults applied when a field is left empty.
const (
	DefaultLength    int32   = 32
	DefaultCharset   Charset = CharsetLowerAlphanumeric
	DefaultSecretKey         = "token"
	// PreviousKeySuffix is appended to the Secret key to hold the previous
	// token during a rotation's grace period.
	PreviousKeySuffix = ".previous"
)

// RotateAnnotation asks for one rotation each time its value changes.
const RotateAnnotation = "auth.apitoken.io/rotate"

// ApiTokenSpec is the desired state of an ApiToken.
// +kubebuilder:validation:XValidation:rule="!has(self.rotation) || !has(self.rotation.renewBefore) || has(self.ttl)",message="rotation.renewBefore requires ttl: a token that never expires is never renewed",fieldPath=".rotation.renewBefore"
// +kubebuilder:validation:XValidation:rule="!has(self.rotation) || !has(self.rotation.renewBefore) || !has(self.ttl) || duration(self.rotation.renewBefore) < duration(self.ttl)",message="rotation.renewBefore must be less than ttl",fieldPath=".rotation.renewBefore"
// +kubebuilder:validation:XValidation:rule="!has(self.rotation) || !has(self.rotation.renewBefore) || !has(self.source) || !has(self.source.__import__)",message="rotation.renewBefore applies to generated tokens only: an imported token changes when its source Secret changes",fieldPath=".rotation.renewBefore"
// +kubebuilder:validation:XValidation:rule="!has(self.rotation) || !has(self.rotation.renewBefore) || !has(self.source) || !has(self.source.hashed)",message="rotation.renewBefore cannot be set with source.hashed: nobody would receive a rotated value; regenerate the token instead",fieldPath=".rotation.renewBefore"
// +kubebuilder:validation:XValidation:rule="!has(self.source) || !has(self.source.hashed) || !has(self.secret) || !(has(self.secret.name) || has(self.secret.key) || has(self.secret.labels) || has(self.secret.annotations))",message="spec.secret cannot be set with source.hashed: a hash-only token is held outside the cluster and no Secret is written",fieldPath=".secret"
// +kubebuilder:validation:XValidation:rule="(has(self.source) && has(self.source.hashed)) == (has(oldSelf.source) && has(oldSelf.source.hashed))",message="source.hashed cannot be added to or removed from an existing ApiToken: a token is either held in a Secret or hash-only for its whole life; create a new ApiToken",fieldPath=".source"
type ApiTokenSpec struct {
	// Type is the kind of holder the token is for.
	// +required
	Type TokenType `json:"type"`

	// Principal is who or what the token is for: a user name, a team, a
	// service account, a client id.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Principal string `json:"principal"`

	// DisplayName is a human-readable name for the token.
	// +optional
	// +kubebuilder:validation:MaxLength=256
	DisplayName string `json:"displayName,omitempty"`

	// Description says what the token is used for.
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Description string `json:"description,omitempty"`

	// TTL is how long a token is valid after it is issued or imported, as a Go
	// duration ("720h", "30s"). Absent means the token never expires.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="ttl must be at least 1s and at most 2562047h"
	TTL *metav1.Duration `json:"ttl,omitempty"`

	// Source says where the token comes from. Empty or absent means generate
	// with the defaults.
	// +optional
	Source *TokenSource `json:"source,omitempty"`

	// Secret is the target Secret that holds the token.
	// +optional
	Secret SecretTarget `json:"secret,omitempty"`

	// Rotation configures automatic rotation and the grace period of the
	// previous token.
	// +optional
	Rotation *Rotation `json:"rotation,omitempty"`

	// Scopes are what the token may be used for, as the services that verify
	// it define them ("read:reports", "deploy/prod"). A scope ending in "*"
	// covers every scope with that prefix ("read:*", "*").
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=128
	// +kubebuilder:validation:items:Pattern=`^[A-Za-z0-9:._/*-]+$`
	Scopes []string `json:"scopes,omitempty"`

	// AccessToken configures the short-lived signed access tokens (JWTs)
	// this ApiToken may be exchanged for at the operator's token endpoint
	// (POST /oauth2/token), when the issuer is enabled.
	// +optional
	AccessToken *AccessTokenSpec `json:"accessToken,omitempty"`

	// Revoked revokes the token now: the Secret no longer holds it and status
	// becomes Revoked. Setting it back to false issues (or imports) a new token,
	// and is refused until the operator has recorded the revocation
	// (status.tokenStatus Revoked): a revocation is never lost to a change
	// that lands before the operator saw it, and a revoked value never gets
	// a grace period.
	// +optional
	Revoked bool `json:"revoked,omitempty"`

	// DeletionPolicy says what happens to the Secret when the ApiToken is
	// deleted: Delete (the default) or Retain.
	// +optional
	// +kubebuilder:default=Delete
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// TokenSource says where the token value comes from: at most one of
// generate, import or hashed.
// +kubebuilder:validation:XValidation:rule="[has(self.generate), has(self.__import__), has(self.hashed)].filter(x, x).size() <= 1",message="source.generate, source.import and source.hashed are mutually exclusive: set one of them"
type TokenSource struct {
	// Generate issues a random token.
	// +optional
	Generate *GenerateSource `json:"generate,omitempty"`

	// Import copies an existing token from another Secret in the same namespace.
	// +optional
	Import *ImportSource `json:"import,omitempty"`

	// Hashed is a token held outside the cluster (by a person or a script):
	// only its fingerprint is stored and no Secret is written. A new
	// tokenHash is a new token.
	// +optional
	Hashed *HashedSource `json:"hashed,omitempty"`
}

// HashedSource is the fingerprint of a token that the cluster never holds.
type HashedSource struct {
	// TokenHash is the token's SHA-256: "sha256:" and 64 lower-case hex digits.
	// +required
	// +kubebuilder:validation:MaxLength=71
	// +kubebuilder:validation:Pattern=`^sha256:[0-9a-f]{64}$`
	TokenHash string `json:"tokenHash"`

	// TokenLastChars is the token's last 5 characters, to tell tokens apart.
	// +optional
	// +kubebuilder:validation:MaxLength=5
	TokenLastChars string `json:"tokenLastChars,omitempty"`

	// Generate is how the HTTP API draws this token's values when it creates
	// or regenerates it; absent means the defaults.
	// +optional
	Generate *GenerateSource `json:"generate,omitempty"`
}

// GenerateSource configures a randomly generated token.
type GenerateSource struct {
	// Length is the number of random characters, not counting the prefix.
	// +optional
	// +kubebuilder:default=32
	// +kubebuilder:validation:Minimum=16
	// +kubebuilder:validation:Maximum=256
	Length int32 `json:"length,omitempty"`

	// Charset is the alphabet the random characters are drawn from.
	// +optional
	// +kubebuilder:default=LowerAlphanumeric
	Charset Charset `json:"charset,omitempty"`

	// Prefix is prepended to the random characters, so that secret scanners
	// recognise the token (for example "at_").
	// +optional
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_-]*$`
	Prefix string `json:"prefix,omitempty"`

	// Checksum makes the last 6 of the length characters a CRC32 checksum of
	// the rest of the token (prefix included), written in the charset, so
	// that secret scanners and clients tell a real token from a random
	// string without asking anyone.
	// +optional
	Checksum bool `json:"checksum,omitempty"`
}

// ImportSource copies an existing token from a Secret.
type ImportSource struct {
	// SecretRef names the Secret and key that hold the token.
	// +required
	SecretRef SecretKeyRef `json:"secretRef"`

	// Pattern is an RE2 regular expression the whole value must match. It
	// replaces the default rule: exactly 32 characters of [a-z0-9].
	// +optional
	// +kubebuilder:validation:MaxLength=1024
	Pattern string `json:"pattern,omitempty"`
}

// SecretKeyRef names a key of a Secret in the ApiToken's namespace.
type SecretKeyRef struct {
	// Name of the Secret.
	// +required
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// Key in the Secret's data. Defaults to "token".
	// +optional
	// +kubebuilder:default=token
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key,omitempty"`
}

// SecretTarget describes the Secret the operator writes the token into.
type SecretTarget struct {
	// Name of the Secret. Defaults to the ApiToken's name.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name,omitempty"`

	// Key in the Secret's data. Defaults to "token". During a grace period the
	// previous token is kept under "<key>.previous".
	// +optional
	// +kubebuilder:validation:MaxLength=243
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	Key string `json:"key,omitempty"`

	// Labels added to the Secret (for backup selectors, reloaders, replication).
	// +optional
	Labels map[string]string `json:"labels,omitempty"`

	// Annotations added to the Secret.
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// AccessTokenSpec configures the access tokens an ApiToken is exchanged for.
type AccessTokenSpec struct {
	// TTL is how long an access token is valid, from 1m to 24h; 10m when
	// absent. An access token never outlives the ApiToken's own
	// expirationDate, and a revoked ApiToken's access tokens live until
	// they expire: keep it short.
	// +optional
	// +kubebuilder:default="10m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m') && duration(self) <= duration('24h')",message="accessToken.ttl must be between 1m and 24h"
	TTL *metav1.Duration `json:"ttl,omitempty"`

	// Audiences are the audiences an access token may be issued for (the
	// token endpoint's audience parameter, else the issuer's default
	// audience). When set, any other audience is refused. Absent allows any.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=256
	Audiences []string `json:"audiences,omitempty"`
}

// Rotation configures automatic rotation and the grace period.
type Rotation struct {
	// RenewBefore rotates a generated token this long before it expires.
	// Requires ttl and must be less than it.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="renewBefore must be at least 1s and at most 2562047h"
	RenewBefore *metav1.Duration `json:"renewBefore,omitempty"`

	// GracePeriod keeps the previous token in the Secret, under
	// "<key>.previous", for this long after a rotation, so that consumers can
	// switch without downtime.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('0s')",message="gracePeriod must be a duration of at most 2562047h"
	GracePeriod *metav1.Duration `json:"gracePeriod,omitempty"`
}

// PolicyStatus is what the ApiTokenPolicies that govern a token say of it.
type PolicyStatus struct {
	// Violations are the rules of ApiTokenPolicies the token breaks, as
	// the operator last found them.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	Violations []PolicyViolation `json:"violations,omitempty"`
}

// PolicyViolations are status.policy.violations; nil when there are none.
func (s *ApiTokenStatus) PolicyViolations() []PolicyViolation {
	if s.Policy == nil {
		return nil
	}
	return s.Policy.Violations
}

// PolicyViolation is one rule of one ApiTokenPolicy a token breaks.
type PolicyViolation struct {
	// Policy is the ApiTokenPolicy's name.
	// +kubebuilder:validation:MaxLength=253
	Policy string `json:"policy"`
	// Rule is the rule broken: TTLRequired, MaxTTLExceeded,
	// ScopeNotAllowed, FormatNotAllowed, Unused or Inactive.
	// +kubebuilder:validation:MaxLength=64
	Rule string `json:"rule"`
	// Message says how, in the words of the admission policy.
	// +kubebuilder:validation:MaxLength=1024
	Message string `json:"message"`
	// Enforcement is the policy's: under Deny a token that breaks a rule
	// of its spec does not verify.
	Enforcement Enforcement `json:"enforcement"`
}

// ApiTokenStatus is the observed state of an ApiToken. It never holds the
// token value: only its last characters and a fingerprint.
type ApiTokenStatus struct {
	// TokenStatus is the lifecycle state: Pending, Active, Expired, Revoked or Failed.
	// +optional
	TokenStatus TokenStatus `json:"tokenStatus,omitempty"`

	// CreationDate is when the current token was issued or imported.
	// +optional
	CreationDate *metav1.Time `json:"creationDate,omitempty"`

	// ExpirationDate is creationDate + ttl; absent when the token never expires.
	// +optional
	ExpirationDate *metav1.Time `json:"expirationDate,omitempty"`

	// RenewalTime is when the token will be rotated automatically.
	// +optional
	RenewalTime *metav1.Time `json:"renewalTime,omitempty"`

	// PreviousTokenExpirationDate is when the previous token is removed from
	// the Secret, at the end of the grace period after a rotation.
	// +optional
	PreviousTokenExpirationDate *metav1.Time `json:"previousTokenExpirationDate,omitempty"`

	// LastUsedDate is when the token was last presented and verified.
	// +optional
	LastUsedDate *metav1.Time `json:"lastUsedDate,omitempty"`

	// TokenLastChars is the last 5 characters of the token, to tell tokens apart.
	// +optional
	TokenLastChars string `json:"tokenLastChars,omitempty"`

	// TokenHash is a fingerprint of the token: "sha256:" and the hex digest.
	// +optional
	TokenHash string `json:"tokenHash,omitempty"`

	// PreviousTokenHash is the fingerprint of a hash-only token's previous
	// token while it still verifies, until previousTokenExpirationDate.
	// +optional
	PreviousTokenHash string `json:"previousTokenHash,omitempty"`

	// RevokedTokenHashes are the fingerprints of the tokens this ApiToken
	// held when it was revoked, newest first (at most 16): none of them is
	// ever accepted again, by this ApiToken or another, while it exists.
	// +optional
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=16
	RevokedTokenHashes []string `json:"revokedTokenHashes,omitempty"`

	// SecretName is the Secret that holds the token.
	// +optional
	SecretName string `json:"secretName,omitempty"`

	// Revision counts the tokens this resource has issued or imported.
	// +optional
	Revision int64 `json:"revision,omitempty"`

	// ObservedGeneration is the generation last reconciled successfully.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Policy is what the ApiTokenPolicies that govern the token say of it
	// (condition PolicyCompliant sums it up); absent when it breaks no rule.
	// A pointer: every cached ApiToken pays 8 bytes for it, not a list's 24.
	// +optional
	Policy *PolicyStatus `json:"policy,omitempty"`

	// Notifications is what the ApiTokenWebhooks of the namespace have
	// delivered (or given up on) about this token, so that each event is
	// sent once across restarts and leader changes. A pointer, as policy.
	// +optional
	Notifications *NotificationStatus `json:"notifications,omitempty"`

	// Conditions: Ready says whether the Secret holds a valid token.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ApiToken is an API token that the operator issues or imports into a Secret,
// expires, rotates and revokes.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=at,categories=apitokens
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.spec.revoked) || !oldSelf.spec.revoked || (has(self.spec.revoked) && self.spec.revoked) || (has(oldSelf.status) && has(oldSelf.status.tokenStatus) && oldSelf.status.tokenStatus == 'Revoked')",message="spec.revoked can be set back to false only once the operator has recorded the revocation (status.tokenStatus Revoked): retry in a few seconds",fieldPath=".spec.revoked"
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Principal",type=string,JSONPath=`.spec.principal`
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.tokenStatus`
// +kubebuilder:printcolumn:name="Expires",type=string,JSONPath=`.status.expirationDate`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
// +kubebuilder:printcolumn:name="Secret",type=string,JSONPath=`.status.secretName`,priority=1
// +kubebuilder:printcolumn:name="Revision",type=integer,JSONPath=`.status.revision`,priority=1
type ApiToken struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// +required
	Spec   ApiTokenSpec   `json:"spec"`
	Status ApiTokenStatus `json:"status,omitempty"`
}

// +kubebuilder:object:root=true

// ApiTokenList is a list of ApiTokens.
type ApiTokenList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ApiToken `json:"items"`
}
