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

import "time"

// Accessors that apply the documented defaults, so that no caller repeats them.

// SecretName is the name of the target Secret: spec.secret.name or the
// ApiToken's own name.
func (t *ApiToken) SecretName() string {
	if t.Spec.Secret.Name != "" {
		return t.Spec.Secret.Name
	}
	return t.Name
}

// SecretKey is the data key that holds the current token.
func (t *ApiToken) SecretKey() string {
	if t.Spec.Secret.Key != "" {
		return t.Spec.Secret.Key
	}
	return DefaultSecretKey
}

// PreviousSecretKey is the data key that holds the previous token during a
// grace period.
func (t *ApiToken) PreviousSecretKey() string {
	return t.SecretKey() + PreviousKeySuffix
}

// Import returns the import source, or nil when the token is generated.
func (t *ApiToken) Import() *ImportSource {
	if t.Spec.Source == nil {
		return nil
	}
	return t.Spec.Source.Import
}

// Hashed returns the hash-only source, or nil when a Secret holds the token.
func (t *ApiToken) Hashed() *HashedSource {
	if t.Spec.Source == nil {
		return nil
	}
	return t.Spec.Source.Hashed
}

// ImportKey is the data key read from the import source Secret.
func (s *ImportSource) ImportKey() string {
	if s.SecretRef.Key != "" {
		return s.SecretRef.Key
	}
	return DefaultSecretKey
}

// Generate returns the generator settings with defaults applied. It is
// meaningful only when Import and Hashed return nil.
func (t *ApiToken) Generate() GenerateSource {
	g := GenerateSource{}
	if t.Spec.Source != nil && t.Spec.Source.Generate != nil {
		g = *t.Spec.Source.Generate
	}
	return g.WithDefaults()
}

// WithDefaults is g with an empty length and charset set to the defaults.
func (g GenerateSource) WithDefaults() GenerateSource {
	if g.Length == 0 {
		g.Length = DefaultLength
	}
	if g.Charset == "" {
		g.Charset = DefaultCharset
	}
	return g
}

// TTL is the token lifetime; zero means it never expires.
func (t *ApiToken) TTL() time.Duration {
	if t.Spec.TTL == nil {
		return 0
	}
	return t.Spec.TTL.Duration
}

// RenewBefore is how long before expiry a generated token is rotated; zero
// means no automatic rotation.
func (t *ApiToken) RenewBefore() time.Duration {
	if t.Spec.Rotation == nil || t.Spec.Rotation.RenewBefore == nil {
		return 0
	}
	return t.Spec.Rotation.RenewBefore.Duration
}

// GracePeriod is how long the previous token stays in the Secret after a
// rotation; zero means it is dropped at once.
func (t *ApiToken) GracePeriod() time.Duration {
	if t.Spec.Rotation == nil || t.Spec.Rotation.GracePeriod == nil {
		return 0
	}
	return t.Spec.Rotation.GracePeriod.Duration
}

// DeletionPolicyOrDefault is spec.deletionPolicy, Delete when empty.
func (t *ApiToken) DeletionPolicyOrDefault() DeletionPolicy {
	if t.Spec.DeletionPolicy == "" {
		return DeletionPolicyDelete
	}
	return t.Spec.DeletionPolicy
}

// Access-token ttl bounds (spec.accessToken.ttl), as the CRD enforces them.
const (
	DefaultAccessTokenTTL = 10 * time.Minute
	MinAccessTokenTTL     = time.Minute
	MaxAccessTokenTTL     = 24 * time.Hour
)

// AccessTokenTTL is spec.accessToken.ttl, or DefaultAccessTokenTTL.
func (t *ApiToken) AccessTokenTTL() time.Duration {
	if t.Spec.AccessToken == nil || t.Spec.AccessToken.TTL == nil {
		return DefaultAccessTokenTTL
	}
	return t.Spec.AccessToken.TTL.Duration
}

// AccessTokenAudiences is spec.accessToken.audiences: nil allows any.
func (t *ApiToken) AccessTokenAudiences() []string {
	if t.Spec.AccessToken == nil {
		return nil
	}
	return t.Spec.AccessToken.Audiences
}
