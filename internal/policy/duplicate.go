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
	"slices"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// duplicateMessage names neither the other ApiToken nor its namespace:
// whoever copied a fingerprint from a status must learn nothing more.
const duplicateMessage = "another ApiToken already holds this token's fingerprint, and a token belongs to one ApiToken only: " +
	"give this ApiToken a token of its own (generate a new one) instead of one that is already in use"

// Holder is another ApiToken whose status holds a fingerprint, current or
// previous: its UID and since when (status.creationDate).
type Holder struct {
	UID   types.UID
	Since time.Time
}

// HolderFor describes t as a holder of its status's fingerprints.
func HolderFor(t *authv1alpha1.ApiToken) Holder {
	h := Holder{UID: t.UID}
	if c := t.Status.CreationDate; c != nil {
		h.Since = c.Time
	}
	return h
}

// Holds says whether t's status holds fingerprint fp, current or previous,
// revoked or not: a revoked token's fingerprint stays held so that its
// value can never come back under another ApiToken.
func Holds(t *authv1alpha1.ApiToken, fp string) bool {
	return fp != "" && (t.Status.TokenHash == fp || t.Status.PreviousTokenHash == fp || slices.Contains(t.Status.RevokedTokenHashes, fp))
}

// tombstoneMessage refuses a value revoked under some ApiToken, perhaps
// deleted since: it says nothing of whose it was.
const tombstoneMessage = "this token was revoked, and a revoked token never verifies again: give this ApiToken a new token of its own (generate one)"

// revokedBefore says whether fp is one of the fingerprints tok held when
// it was revoked (status.revokedTokenHashes): it never comes back.
func revokedBefore(tok *authv1alpha1.ApiToken, fp string) bool {
	return fp != "" && slices.Contains(tok.Status.RevokedTokenHashes, fp)
}

// duplicate says whether tok may not hold fp because another ApiToken does.
// One fingerprint, one ApiToken: if tok does not hold it yet, any other
// holder wins; if both hold it (two claims accepted before either saw the
// other), the one that has held it longer (status.creationDate, then UID)
// keeps it, so the first holder keeps verifying whatever a copy does.
func duplicate(tok *authv1alpha1.ApiToken, fp string, holders []Holder) bool {
	if fp == "" {
		return false
	}
	if !Holds(tok, fp) {
		return len(holders) > 0
	}
	me := HolderFor(tok)
	for _, h := range holders {
		if h.Since.Before(me.Since) || (h.Since.Equal(me.Since) && h.UID < me.UID) {
			return true
		}
	}
	return false
}

// Claim budget: how many claims refused as DuplicateToken one creator may
// make per period before their new fingerprints wait (ClaimsThrottled).
const (
	DuplicateClaimLimit  = 5
	DuplicateClaimPeriod = time.Hour
)

// Creator is whom a claim of tok counts against: the user the API or
// admission recorded in its created-by annotation, else its namespace.
func Creator(tok *authv1alpha1.ApiToken) string {
	if c := tok.Annotations[authv1alpha1.CreatedByAnnotation]; c != "" {
		return "user:" + c
	}
	return "namespace:" + tok.Namespace
}

// RefusedClaim says whether d, replacing status old, is a new refusal of a
// claim as a duplicate or as a tombstoned value: one to count against the
// creator, since either answers a question about other people's tokens.
func RefusedClaim(old *authv1alpha1.ApiTokenStatus, d Decision) bool {
	if d.Reason != authv1alpha1.ReasonDuplicateToken && (d.Reason != authv1alpha1.ReasonRevokedTokenReused || d.Message != tombstoneMessage) {
		return false
	}
	c := meta.FindStatusCondition(old.Conditions, authv1alpha1.ConditionReady)
	return old.TokenStatus != authv1alpha1.TokenStatusFailed || c == nil || c.Reason != d.Reason
}

// throttledClaim is the answer to any new fingerprint of a throttled
// creator, held elsewhere or not: the same words either way.
func throttledClaim(in Input) Decision {
	return fail(authv1alpha1.ReasonClaimsThrottled, fmt.Sprintf(
		"too many tokens of %s were refused lately: this token's fingerprint is checked after %s; nothing needs to change",
		"this ApiToken's creator", tokensecret.FormatTime(in.Now.Add(in.ClaimsThrottled))))
}

func failDuplicate() Decision {
	d := fail(authv1alpha1.ReasonDuplicateToken, duplicateMessage)
	d.WithdrawToken = true
	return d
}
