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
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// NextState is what the target Secret must hold after acting on d: value is
// the new token for ActionIssue and ActionImport. A token replaced on
// request or by renewal stays as the previous one for the grace period; a
// previous token whose grace period is over leaves; a revoked or withdrawn
// token leaves with its dates. Times are whole seconds, as the Secret
// records them.
func NextState(in Input, d Decision, value token.Value) tokensecret.State {
	now := in.Now.UTC().Truncate(time.Second)
	tok, st := in.Token, in.State
	next := st
	switch {
	case d.Writes():
		next.Previous, next.PreviousExpiresAt = token.Value{}, time.Time{}
		if grace := tok.GracePeriod(); d.KeepPrevious && grace > 0 && !st.Current.IsZero() {
			next.Previous, next.PreviousExpiresAt = st.Current, now.Add(grace).Truncate(time.Second)
		}
		next.Current, next.Hash, next.IssuedAt = value, value.Fingerprint(), now
		next.Revision = max(st.Revision, tok.Status.Revision) + 1
		next.RotateHandled = d.RotateHandled
		next.SourceVersion = ""
		if d.Action == ActionImport {
			next.SourceVersion = in.SourceVersion
		}
		next.Revoked, next.RevokedAt = false, time.Time{}
	case d.Action == ActionRevoke:
		withdraw(&next)
		if !st.Revoked {
			next.Revoked, next.RevokedAt = true, now
		}
	case d.Action == ActionFail:
		if d.WithdrawToken {
			withdraw(&next)
		}
	default:
		if !st.Previous.IsZero() && !now.Before(st.PreviousExpiresAt) {
			next.Previous, next.PreviousExpiresAt = token.Value{}, time.Time{}
		}
	}
	return next
}

// withdraw removes the tokens and what describes them; the revision and the
// rotate request last handled stay, so that neither is done again.
func withdraw(st *tokensecret.State) {
	st.Current, st.Previous = token.Value{}, token.Value{}
	st.Hash, st.IssuedAt, st.PreviousExpiresAt, st.SourceVersion = "", time.Time{}, time.Time{}, ""
}

// TouchesSecret says whether acting on d writes the target Secret at all:
// never for a hash-only token, never one that is someone else's, never for a failure unless its token is
// withdrawn, and a missing one only to put a new token in.
func (d Decision) TouchesSecret(in Input) bool {
	switch {
	case in.Token.Hashed() != nil:
		return false
	case in.Secret != nil && !in.Owned:
		return false
	case d.Action == ActionFail:
		return d.WithdrawToken && in.Secret != nil
	case in.Secret == nil:
		return d.Writes()
	}
	return true
}
