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

import (
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// A hash-only token (spec.source.hashed) has no Secret: its spec names the
// current fingerprint, and its status is the whole record of it (when the
// fingerprint was accepted, the revision, the previous fingerprint during a
// grace period). The verify index reads the fingerprints from status, so a
// fingerprint verifies only once the controller has accepted it.

// decideHashed: revoke, refuse a revoked token brought back, take a new
// fingerprint, or leave it.
func decideHashed(in Input, h *authv1alpha1.HashedSource) Decision {
	tok := in.Token
	st := &tok.Status
	switch {
	case tok.Spec.Revoked && st.TokenStatus == authv1alpha1.TokenStatusRevoked:
		return Decision{Action: ActionNone, Reason: authv1alpha1.ReasonRevoked}
	case tok.Spec.Revoked:
		return Decision{Action: ActionRevoke, Reason: authv1alpha1.ReasonRevoked,
			Message: "spec.revoked is true: the hash-only token no longer verifies"}
	case st.TokenHash == h.TokenHash && revokedHere(st), revokedBefore(tok, h.TokenHash) && st.TokenHash != h.TokenHash:
		return fail(authv1alpha1.ReasonRevokedTokenReused,
			"spec.source.hashed.tokenHash is the fingerprint of a token that was revoked, and a revoked token never verifies again: set the fingerprint of a new token (regenerate it)")
	case st.TokenHash != h.TokenHash && in.ClaimsThrottled > 0:
		return throttledClaim(in)
	case duplicate(tok, h.TokenHash, in.Holders):
		return failDuplicate()
	case in.Tombstoned && !Holds(tok, h.TokenHash):
		// Checked after the holders, so that a value an existing ApiToken
		// holds is a duplicate whether or not its tombstone is written yet.
		return fail(authv1alpha1.ReasonRevokedTokenReused, tombstoneMessage)
	case st.TokenHash == h.TokenHash:
		return Decision{Action: ActionNone}
	case st.TokenHash == "":
		return Decision{Action: ActionAccept, Reason: authv1alpha1.ReasonImported,
			Message: "accepted the fingerprint of a hash-only token: no Secret holds it"}
	}
	d := Decision{Action: ActionAccept, Reason: authv1alpha1.ReasonRotated,
		Message: "spec.source.hashed.tokenHash changed: a new hash-only token replaced the previous one"}
	// Only a token that still verifies is worth a grace period.
	d.KeepPrevious = st.TokenStatus == authv1alpha1.TokenStatusActive &&
		(st.ExpirationDate == nil || in.Now.Before(st.ExpirationDate.Time))
	return d
}

// revokedHere says whether status records the current fingerprint as revoked.
func revokedHere(st *authv1alpha1.ApiTokenStatus) bool {
	if st.TokenStatus == authv1alpha1.TokenStatusRevoked {
		return true
	}
	c := meta.FindStatusCondition(st.Conditions, authv1alpha1.ConditionReady)
	return st.TokenStatus == authv1alpha1.TokenStatusFailed && c != nil && c.Reason == authv1alpha1.ReasonRevokedTokenReused
}

// hashedStatus is Status for a hash-only token: the record in status moves
// on by the decision d at now (whole seconds).
func hashedStatus(tok *authv1alpha1.ApiToken, d Decision, now time.Time) authv1alpha1.ApiTokenStatus {
	h := tok.Hashed()
	out := *tok.Status.DeepCopy()
	out.ObservedGeneration = tok.Generation
	out.SecretName, out.RenewalTime = "", nil
	if d.Action == ActionAccept {
		prev := out.TokenHash
		out.PreviousTokenHash, out.PreviousTokenExpirationDate = "", nil
		if grace := tok.GracePeriod(); d.KeepPrevious && grace > 0 {
			// Never past the previous token's own expiry.
			until := now.Add(grace)
			if exp := out.ExpirationDate; exp != nil && exp.Before(&metav1.Time{Time: until}) {
				until = exp.Time
			}
			out.PreviousTokenHash, out.PreviousTokenExpirationDate = prev, timePtr(until)
		}
		out.TokenHash, out.CreationDate = h.TokenHash, timePtr(now)
		out.Revision++
	}
	if d.Action == ActionFail && d.WithdrawToken && out.TokenHash == h.TokenHash {
		// A copy that lost its fingerprint to the first holder (see
		// duplicate) stops verifying: the index reads status.
		out.TokenHash, out.TokenLastChars, out.CreationDate = "", "", nil
	}
	if out.TokenHash == h.TokenHash {
		out.TokenLastChars = h.TokenLastChars
	}
	if p := out.PreviousTokenExpirationDate; tok.Spec.Revoked || (p != nil && !now.Before(p.Time)) {
		out.PreviousTokenHash, out.PreviousTokenExpirationDate = "", nil
	}
	out.ExpirationDate = nil
	if out.CreationDate != nil {
		out.ExpirationDate = timePtr(ScheduleFor(tok, out.CreationDate.Time).Expiry)
	}

	var ready metav1.Condition
	switch {
	case d.Action == ActionFail:
		out.TokenStatus = authv1alpha1.TokenStatusFailed
		ready = metav1.Condition{Status: metav1.ConditionFalse, Reason: d.Reason, Message: d.Message}
	case tok.Spec.Revoked:
		out.TokenStatus = authv1alpha1.TokenStatusRevoked
		ready = metav1.Condition{Status: metav1.ConditionFalse, Reason: authv1alpha1.ReasonRevoked,
			Message: MessageHashedRevoked}
	case out.TokenHash != h.TokenHash:
		out.TokenStatus = authv1alpha1.TokenStatusPending
		ready = metav1.Condition{Status: metav1.ConditionFalse, Reason: "Pending", Message: MessageHashedPending}
	case out.ExpirationDate != nil && !now.Before(out.ExpirationDate.Time):
		out.TokenStatus = authv1alpha1.TokenStatusExpired
		ready = metav1.Condition{Status: metav1.ConditionFalse, Reason: authv1alpha1.ReasonExpired,
			Message: fmt.Sprintf("the token expired at %s; set spec.source.hashed.tokenHash to a new token's fingerprint (regenerate it) to use a new one",
				tokensecret.FormatTime(out.ExpirationDate.Time))}
	default:
		out.TokenStatus = authv1alpha1.TokenStatusActive
		ready = metav1.Condition{Status: metav1.ConditionTrue, Reason: authv1alpha1.ReasonImported,
			Message: MessageHashedActive}
	}
	setReady(&out, tok, ready, now)
	return out
}
