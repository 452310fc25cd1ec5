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

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// Action is what the controller must do to the target Secret.
type Action string

// Actions.
const (
	// ActionNone leaves the token as it is (the Secret may still need its
	// metadata restored or an expired previous token removed).
	ActionNone Action = "None"
	// ActionIssue writes a newly generated token.
	ActionIssue Action = "Issue"
	// ActionImport writes Decision.Value, copied from the import source.
	ActionImport Action = "Import"
	// ActionRevoke removes the token (and any previous one) from the Secret.
	ActionRevoke Action = "Revoke"
	// ActionAccept takes a new fingerprint of a hash-only token from
	// spec.source.hashed into status: there is no Secret to write.
	ActionAccept Action = "Accept"
	// ActionFail reports Reason and Message in status. It writes nothing,
	// unless Decision.WithdrawToken asks to remove the token.
	ActionFail Action = "Fail"
)

// Decision is the verdict of Decide.
type Decision struct {
	Action Action
	// Reason is a CamelCase reason from api/v1alpha1 (ReasonIssued, ...).
	Reason string
	// Message says what happened and, for a failure, what to do about it. It
	// never contains a token value.
	Message string
	// KeepPrevious moves the current token to the previous key for the grace
	// period (a rotation or a changed import source).
	KeepPrevious bool
	// Value is the imported value, for ActionImport.
	Value token.Value
	// RotateHandled is the value of the rotate annotation that this decision
	// answers; it is recorded on the Secret with the new token.
	RotateHandled string
	// WithdrawToken, with ActionFail, removes any token from the Secret: it
	// is, or may be, a copy of a value this ApiToken must not hold.
	WithdrawToken bool
}

// Writes says whether the decision makes a new token current: into the
// Secret, or (ActionAccept) into a hash-only token's status.
func (d Decision) Writes() bool {
	return d.Action == ActionIssue || d.Action == ActionImport || d.Action == ActionAccept
}

// Decide runs the chain of checks in order; the first that has a verdict wins.
func Decide(in Input) Decision {
	tok, st := in.Token, in.State
	if h := tok.Hashed(); h != nil {
		return decideHashed(in, h)
	}
	if tok.Spec.Revoked {
		if !in.Owned || (st.Current.IsZero() && st.Previous.IsZero()) {
			return Decision{Action: ActionNone, Reason: authv1alpha1.ReasonRevoked}
		}
		return Decision{Action: ActionRevoke, Reason: authv1alpha1.ReasonRevoked,
			Message: fmt.Sprintf("spec.revoked is true: the token was removed from Secret %q", tok.SecretName())}
	}
	if in.Secret != nil && !in.Owned {
		return fail(authv1alpha1.ReasonSecretConflict, fmt.Sprintf(
			"Secret %q exists and is not managed by this ApiToken: delete or rename it, or set spec.secret.name to another name; the operator never overwrites a Secret it does not own",
			tok.SecretName()))
	}
	if imp := tok.Import(); imp != nil {
		if refused, ok := refuseSource(in, imp); ok {
			return refused
		}
		return decideImport(in, imp)
	}
	return decideGenerate(in)
}

func decideGenerate(in Input) Decision {
	tok, st := in.Token, in.State
	rotate := tok.Annotations[authv1alpha1.RotateAnnotation]
	issue := func(reason, msg string, keep bool) Decision {
		return Decision{Action: ActionIssue, Reason: reason, Message: msg, KeepPrevious: keep, RotateHandled: rotate}
	}
	switch {
	case in.Secret == nil && everIssued(tok, st):
		return issue(authv1alpha1.ReasonReissued, fmt.Sprintf("Secret %q was deleted: issued a new token", tok.SecretName()), false)
	case in.Secret == nil || st.Revoked:
		return issue(authv1alpha1.ReasonIssued, fmt.Sprintf("issued a new token into Secret %q", tok.SecretName()), false)
	case in.Stale:
		return issue(authv1alpha1.ReasonReissued, staleMessage(in, "issued a new token"), false)
	case in.Untrusted:
		return issue(authv1alpha1.ReasonReissued, fmt.Sprintf(
			"the token in Secret %q key %q was not written by the operator for this ApiToken: issued a new token", tok.SecretName(), tok.SecretKey()), false)
	case !st.Consistent():
		return issue(authv1alpha1.ReasonReissued, fmt.Sprintf(
			"the token in Secret %q key %q was removed or edited: issued a new token", tok.SecretName(), tok.SecretKey()), false)
	case rotate != "" && rotate != st.RotateHandled:
		return issue(authv1alpha1.ReasonRotated, fmt.Sprintf(
			"rotated on request (annotation %s=%q)", authv1alpha1.RotateAnnotation, rotate), true)
	}
	sched := ScheduleFor(tok, st.IssuedAt)
	if sched.RenewalDue(in.Now) {
		d := issue(authv1alpha1.ReasonRotated, fmt.Sprintf(
			"rotated automatically at renewal time %s, before expiry at %s", tokensecret.FormatTime(sched.Renewal), tokensecret.FormatTime(sched.Expiry)), true)
		// An expired token is no use to anyone during a grace period.
		d.KeepPrevious = !sched.Expired(in.Now)
		d.RotateHandled = st.RotateHandled
		return d
	}
	return Decision{Action: ActionNone}
}

func decideImport(in Input, imp *authv1alpha1.ImportSource) Decision {
	tok, st := in.Token, in.State
	value, failed := importValue(in, imp)
	if failed != nil {
		return *failed
	}
	if revokedBefore(tok, value.Fingerprint()) && !tok.Spec.Revoked {
		return fail(authv1alpha1.ReasonRevokedTokenReused, fmt.Sprintf(
			"Secret %q key %q holds a token that was revoked, and a revoked token never verifies again: put a new token in it",
			imp.SecretRef.Name, imp.ImportKey()))
	}
	if duplicate(tok, value.Fingerprint(), in.Holders) {
		return failDuplicate()
	}
	if in.Tombstoned && !Holds(tok, value.Fingerprint()) {
		return fail(authv1alpha1.ReasonRevokedTokenReused, tombstoneMessage)
	}
	rotate := tok.Annotations[authv1alpha1.RotateAnnotation]
	copyValue := func(reason, msg string, keep bool) Decision {
		return Decision{Action: ActionImport, Reason: reason, Message: msg, KeepPrevious: keep, Value: value, RotateHandled: rotate}
	}
	from := fmt.Sprintf("Secret %q key %q", imp.SecretRef.Name, imp.ImportKey())
	switch {
	case in.Secret == nil && everIssued(tok, st):
		return copyValue(authv1alpha1.ReasonReissued, fmt.Sprintf("Secret %q was deleted: copied the token from %s again", tok.SecretName(), from), false)
	case in.Secret == nil || st.Revoked:
		return copyValue(authv1alpha1.ReasonImported, "imported the token from "+from, false)
	case in.Stale:
		return copyValue(authv1alpha1.ReasonReissued, staleMessage(in, "copied the token from "+from+" again"), false)
	case in.Untrusted:
		return copyValue(authv1alpha1.ReasonReissued, fmt.Sprintf(
			"the token in Secret %q key %q was not written by the operator for this ApiToken: copied it from %s again", tok.SecretName(), tok.SecretKey(), from), false)
	case !st.Consistent():
		return copyValue(authv1alpha1.ReasonReissued, fmt.Sprintf(
			"the token in Secret %q key %q was removed or edited: copied it from %s again", tok.SecretName(), tok.SecretKey(), from), false)
	case !value.Equal(st.Current):
		return copyValue(authv1alpha1.ReasonImported, "the import source changed: imported the new token from "+from, true)
	case rotate != "" && rotate != st.RotateHandled:
		return copyValue(authv1alpha1.ReasonImported, fmt.Sprintf(
			"re-read the token from %s on request (annotation %s=%q)", from, authv1alpha1.RotateAnnotation, rotate), false)
	}
	return Decision{Action: ActionNone}
}

// importValue reads and checks the import source's value. It returns a Fail
// decision when the source is missing or the value breaks the format rule.
func importValue(in Input, imp *authv1alpha1.ImportSource) (token.Value, *Decision) {
	name, key := imp.SecretRef.Name, imp.ImportKey()
	var value token.Value
	switch {
	case in.SourceUnchanged:
		value = in.State.Current
	case in.Source == nil:
		d := fail(authv1alpha1.ReasonSourceNotFound, fmt.Sprintf(
			"import source Secret %q not found in namespace %q: create it, or fix spec.source.import.secretRef.name", name, in.Token.Namespace))
		return value, &d
	default:
		if _, ok := in.Source.Data[key]; !ok {
			// The Secret's other keys are not listed: the author of the
			// ApiToken may not be allowed to read that Secret.
			d := fail(authv1alpha1.ReasonSourceNotFound, fmt.Sprintf(
				"import source Secret %q has no key %q: add it, or fix spec.source.import.secretRef.key", name, key))
			return value, &d
		}
		value = tokensecret.DataValue(in.Source, key)
	}
	rule, err := token.NewImportRule(imp.Pattern)
	if err != nil {
		d := fail(authv1alpha1.ReasonInvalidImport, "spec.source.import.pattern: "+err.Error())
		return value, &d
	}
	if len(value.Reveal()) > token.MaxBytes {
		// The rule broken, never the length itself.
		d := fail(authv1alpha1.ReasonInvalidImport, fmt.Sprintf(
			"import source Secret %q key %q: the value is longer than the %d bytes accepted", name, key, token.MaxBytes))
		return value, &d
	}
	if rule.Check(value) != nil {
		// Only that it does not match: no length, no hint drawn from the
		// value, so that status is no oracle for a Secret's content.
		d := fail(authv1alpha1.ReasonInvalidImport, fmt.Sprintf(
			"import source Secret %q key %q: the value does not match %s; fix the value, or set spec.source.import.pattern to accept its format", name, key, rule.Describe()))
		return value, &d
	}
	return value, nil
}

// everIssued says whether a token was issued or imported before, so that a
// missing Secret means it was lost rather than never written.
func everIssued(tok *authv1alpha1.ApiToken, st tokensecret.State) bool {
	return tok.Status.Revision > 0 || st.Revision > 0
}

func fail(reason, msg string) Decision {
	return Decision{Action: ActionFail, Reason: reason, Message: msg}
}

// staleMessage says that an earlier revision of the Secret was written
// back (Input.Stale), and what was done about it.
func staleMessage(in Input, done string) string {
	return fmt.Sprintf("Secret %q holds revision %d of the token, earlier than the current %d: an earlier copy was written back (a backup restore, a GitOps re-sync?), "+
		"and its value was rotated away: %s", in.Token.SecretName(), in.State.Revision, in.Token.Status.Revision, done)
}
