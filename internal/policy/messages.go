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

package policy

// The Ready condition's messages that read the same for every token.
const (
	MessagePending       = "waiting for the token to be written"
	MessageHashedActive  = "the hash-only token verifies: only its fingerprint is stored, no Secret holds it"
	MessageHashedPending = "waiting for the fingerprint to be accepted"
	MessageHashedRevoked = "spec.revoked is true: the hash-only token no longer verifies; set spec.source.hashed.tokenHash to a new token's fingerprint and spec.revoked to false to use a new one"
)
