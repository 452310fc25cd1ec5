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
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// tokenLastCharsCount is how many trailing characters status shows.
const tokenLastCharsCount = 5

// Status is the status of tok after a reconcile that came to o: it
// describes the token the Secret now holds (o.State) and says why the
// token is in its TokenStatus. lastUsedDate (written by the verify path) is
// kept, and the condition's lastTransitionTime is now.
func Status(tok *authv1alpha1.ApiToken, o Outcome, now time.Time) authv1alpha1.ApiTokenStatus {
	now = now.Truncate(time.Second)
	var out authv1alpha1.ApiTokenStatus
	if tok.Hashed() != nil {
		out = hashedStatus(tok, o.Reported(), now)
	} else {
		out = secretStatus(tok, o, now)
	}
	if out.TokenStatus == authv1alpha1.TokenStatusRevoked {
		out.RevokedTokenHashes = tombstone(out.RevokedTokenHashes, tok.Status.PreviousTokenHash, tok.Status.TokenHash, out.TokenHash)
	}
	return out
}

// MaxRevokedTokenHashes bounds status.revokedTokenHashes (the CRD's
// maxItems): the oldest go first.
const MaxRevokedTokenHashes = 16

// tombstone puts the fingerprints (oldest first) at the front of revoked,
// each once, keeping the newest MaxRevokedTokenHashes.
func tombstone(revoked []string, fps ...string) []string {
	out := slices.Clone(revoked)
	for _, fp := range fps {
		if fp == "" {
			continue
		}
		out = slices.DeleteFunc(out, func(h string) bool { return h == fp })
		out = slices.Insert(out, 0, fp)
	}
	if len(out) > MaxRevokedTokenHashes {
		out = out[:MaxRevokedTokenHashes]
	}
	return out
}

// secretStatus is Status for a token held in a Secret.
func secretStatus(tok *authv1alpha1.ApiToken, o Outcome, now time.Time) authv1alpha1.ApiTokenStatus {
	out := *tok.Status.DeepCopy()
	out.ObservedGeneration = tok.Generation
	st, d := o.State, o.Reported()
	setTokenFields(&out, tok, st, now)

	var ready metav1.Condition
	switch {
	case d.Action == ActionFail:
		out.TokenStatus = authv1alpha1.TokenStatusFailed
		ready = metav1.Condition{Status: metav1.ConditionFalse, Reason: d.Reason, Message: d.Message}
	case tok.Spec.Revoked:
		out.TokenStatus = authv1alpha1.TokenStatusRevoked
		ready = metav1.Condition{Status: metav1.ConditionFalse, Reason: authv1alpha1.ReasonRevoked,
			Message: fmt.Sprintf("spec.revoked is true: Secret %q no longer holds the token; set it to false to issue a new one", tok.SecretName())}
	case !st.Consistent():
		// Only reachable when the write did not happen (e.g. the Secret was rejected).
		out.TokenStatus = authv1alpha1.TokenStatusPending
		ready = metav1.Condition{Status: metav1.ConditionFalse, Reason: "Pending", Message: MessagePending}
	case out.ExpirationDate != nil && !now.Before(out.ExpirationDate.Time):
		out.TokenStatus = authv1alpha1.TokenStatusExpired
		ready = metav1.Condition{Status: metav1.ConditionFalse, Reason: authv1alpha1.ReasonExpired,
			Message: fmt.Sprintf("the token expired at %s; annotate the ApiToken with %s=<any new value> to issue a new one, or set rotation.renewBefore to rotate before expiry",
				tokensecret.FormatTime(out.ExpirationDate.Time), authv1alpha1.RotateAnnotation)}
	default:
		out.TokenStatus = authv1alpha1.TokenStatusActive
		reason, how := authv1alpha1.ReasonIssued, "issued"
		if tok.Import() != nil {
			reason, how = authv1alpha1.ReasonImported, "imported"
		}
		ready = metav1.Condition{Status: metav1.ConditionTrue, Reason: reason,
			Message: fmt.Sprintf("Secret %q key %q holds a valid %s token", tok.SecretName(), tok.SecretKey(), how)}
	}
	setReady(&out, tok, ready, now)
	return out
}

// setTokenFields fills what status says about the token from the Secret's
// state; an empty state (no Secret, revoked, not ours) clears them.
func setTokenFields(out *authv1alpha1.ApiTokenStatus, tok *authv1alpha1.ApiToken, st tokensecret.State, now time.Time) {
	out.CreationDate, out.ExpirationDate, out.RenewalTime, out.PreviousTokenExpirationDate = nil, nil, nil, nil
	keptHash, keptChars := out.TokenHash, out.TokenLastChars
	out.TokenLastChars, out.TokenHash, out.PreviousTokenHash, out.SecretName = "", "", "", ""
	out.Revision = max(out.Revision, st.Revision)
	if !st.Consistent() {
		if tok.Spec.Revoked {
			// A revoked token's fingerprint stays in status: it is still
			// held (see Holds), so that nobody can bring the value back.
			out.TokenHash, out.TokenLastChars = keptHash, keptChars
		}
		return
	}
	sched := ScheduleFor(tok, st.IssuedAt)
	out.CreationDate = timePtr(st.IssuedAt)
	out.ExpirationDate = timePtr(sched.Expiry)
	out.RenewalTime = timePtr(sched.Renewal)
	if !st.Previous.IsZero() && now.Before(st.PreviousExpiresAt) {
		out.PreviousTokenExpirationDate = timePtr(st.PreviousExpiresAt)
		// The verifier accepts the previous value only if its digest is
		// the one status names.
		out.PreviousTokenHash = st.Previous.Fingerprint()
	}
	out.TokenLastChars = st.Current.LastChars(tokenLastCharsCount)
	out.TokenHash = st.Hash
	out.SecretName = tok.SecretName()
	out.Revision = st.Revision
}

// setReady sets the Ready condition for tok's generation; its
// lastTransitionTime moves only when its status does.
func setReady(out *authv1alpha1.ApiTokenStatus, tok *authv1alpha1.ApiToken, ready metav1.Condition, now time.Time) {
	ready.Type = authv1alpha1.ConditionReady
	ready.ObservedGeneration = tok.Generation
	ready.LastTransitionTime = metav1.NewTime(now)
	meta.SetStatusCondition(&out.Conditions, ready)
}

func timePtr(t time.Time) *metav1.Time {
	if t.IsZero() {
		return nil
	}
	mt := metav1.NewTime(t)
	return &mt
}

// RequeueAfter is how long until status next changes by the clock alone:
// the earliest of expirationDate, renewalTime and previousTokenExpirationDate
// still in the future. Zero when there is none, and for a revoked token.
func RequeueAfter(in Input, status authv1alpha1.ApiTokenStatus) time.Duration {
	tok, now := in.Token, in.Now
	if tok.Spec.Revoked {
		return 0
	}
	var times []time.Time
	if in.ClaimsThrottled > 0 {
		// Its new fingerprint is checked once the creator's budget refills.
		times = append(times, now.Add(in.ClaimsThrottled))
	}
	for _, t := range []*metav1.Time{status.ExpirationDate, status.RenewalTime, status.PreviousTokenExpirationDate} {
		if t != nil {
			times = append(times, t.Time)
		}
	}
	d, _ := NextDeadline(now, times...)
	return d
}
