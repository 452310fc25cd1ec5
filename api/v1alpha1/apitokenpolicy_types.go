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

// Enforcement is what a policy does to a token that breaks one of its
// rules.
// +kubebuilder:validation:Enum=Deny;Warn
type Enforcement string

const (
	// EnforcementDeny refuses the token at admission, and an existing one
	// stops verifying until it complies.
	EnforcementDeny Enforcement = "Deny"
	// EnforcementWarn admits it with a warning and marks it.
	EnforcementWarn Enforcement = "Warn"
)

// ApiTokenPolicySpec says which ApiTokens a policy governs and the rules
// they must keep.
// +kubebuilder:validation:XValidation:rule="!has(self.inactivity) || !has(self.inactivity.warnAfter) || !has(self.inactivity.revokeAfter) || duration(self.inactivity.warnAfter) < duration(self.inactivity.revokeAfter)",message="inactivity.warnAfter must be shorter than inactivity.revokeAfter",fieldPath=".inactivity.warnAfter"
// +kubebuilder:validation:XValidation:rule="has(self.maxTTL) || has(self.allowedScopes) || has(self.generate) || has(self.inactivity)",message="a policy needs at least one rule: maxTTL, allowedScopes, generate or inactivity"
// +kubebuilder:validation:XValidation:rule="!has(self.namespaceSelector) || !has(self.namespaceSelector.matchExpressions) || self.namespaceSelector.matchExpressions.all(e, e.operator in ['In', 'NotIn', 'Exists', 'DoesNotExist'] && ((e.operator in ['In', 'NotIn']) == (has(e.values) && size(e.values) > 0)))",message="namespaceSelector.matchExpressions: each operator must be In or NotIn with values, or Exists or DoesNotExist without",fieldPath=".namespaceSelector"
// +kubebuilder:validation:XValidation:rule="!has(self.tokenSelector) || !has(self.tokenSelector.matchExpressions) || self.tokenSelector.matchExpressions.all(e, e.operator in ['In', 'NotIn', 'Exists', 'DoesNotExist'] && ((e.operator in ['In', 'NotIn']) == (has(e.values) && size(e.values) > 0)))",message="tokenSelector.matchExpressions: each operator must be In or NotIn with values, or Exists or DoesNotExist without",fieldPath=".tokenSelector"
type ApiTokenPolicySpec struct {
	// NamespaceSelector selects the namespaces whose ApiTokens the policy
	// governs, by their labels; absent or empty: every namespace.
	// +optional
	NamespaceSelector *metav1.LabelSelector `json:"namespaceSelector,omitempty"`

	// TokenSelector selects the ApiTokens the policy governs, by their
	// labels; absent or empty: all of them.
	// +optional
	TokenSelector *metav1.LabelSelector `json:"tokenSelector,omitempty"`

	// Types are the token types the policy governs; absent or empty: every
	// type.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=6
	Types []TokenType `json:"types,omitempty"`

	// MaxTTL requires spec.ttl to be set and at most this long (a Go
	// duration of at least 1s).
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="maxTTL must be at least 1s"
	MaxTTL *metav1.Duration `json:"maxTTL,omitempty"`

	// AllowedScopes are the scopes a governed token may carry: each of its
	// scopes must be covered by one of these (a scope ending in * covers
	// every scope it prefixes, as everywhere else). Absent or empty: any.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MaxLength=128
	AllowedScopes []string `json:"allowedScopes,omitempty"`

	// Generate are the rules of values the operator or the plugin draws
	// (spec.source.generate, spec.source.hashed.generate). Imported values
	// are not governed by them.
	// +optional
	Generate *GenerateRules `json:"generate,omitempty"`

	// Inactivity says what happens to a governed token nobody uses: since
	// status.lastUsedDate, or since its creation when never used.
	// +optional
	Inactivity *InactivityRules `json:"inactivity,omitempty"`

	// Enforcement is Deny (refuse at admission; an existing violating
	// token stops verifying) or Warn (admit with a warning, and mark it).
	// +optional
	// +kubebuilder:default=Deny
	Enforcement Enforcement `json:"enforcement,omitempty"`
}

// GenerateRules are the rules of generated values.
type GenerateRules struct {
	// MinLength is the fewest random characters a value may have.
	// +optional
	// +kubebuilder:validation:Minimum=16
	// +kubebuilder:validation:Maximum=256
	MinLength int32 `json:"minLength,omitempty"`

	// Prefix, when set, is the prefix every value must carry.
	// +optional
	// +kubebuilder:validation:MaxLength=32
	// +kubebuilder:validation:Pattern=`^[A-Za-z0-9_-]*$`
	Prefix string `json:"prefix,omitempty"`

	// Checksum, when true, requires values with a checksum.
	// +optional
	Checksum bool `json:"checksum,omitempty"`
}

// InactivityRules act on tokens nobody uses.
type InactivityRules struct {
	// WarnAfter marks an unused token PolicyCompliant=False, reason Unused.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="warnAfter must be at least 1s"
	WarnAfter *metav1.Duration `json:"warnAfter,omitempty"`

	// RevokeAfter revokes an unused token (spec.revoked: true), as an
	// administrator would: visible and reversible.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1s')",message="revokeAfter must be at least 1s"
	RevokeAfter *metav1.Duration `json:"revokeAfter,omitempty"`
}

// ApiTokenPolicyStatus is what the operator observed of a policy.
type ApiTokenPolicyStatus struct {
	// Governed is how many ApiTokens the policy selects now.
	// +optional
	Governed int32 `json:"governed"`

	// Violating is how many of them break one of its rules.
	// +optional
	Violating int32 `json:"violating"`

	// ObservedGeneration is the generation these counts were made for.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, with a message when the spec cannot be applied.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`
}

// ApiTokenPolicy is a cluster-wide policy on ApiTokens: required expiry,
// maximum lifetime, allowed scopes and value formats, and what happens to
// unused tokens.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:scope=Cluster,shortName=atp,categories=apitokens
// +kubebuilder:printcolumn:name="Enforcement",type=string,JSONPath=`.spec.enforcement`
// +kubebuilder:printcolumn:name="Governed",type=integer,JSONPath=`.status.governed`
// +kubebuilder:printcolumn:name="Violating",type=integer,JSONPath=`.status.violating`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ApiTokenPolicy struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ApiTokenPolicySpec   `json:"spec"`
	Status ApiTokenPolicyStatus `json:"status,omitempty"`
}

// ApiTokenPolicyList is a list of ApiTokenPolicies.
// +kubebuilder:object:root=true
type ApiTokenPolicyList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ApiTokenPolicy `json:"items"`
}
