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

package verify

import (
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/metrics"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
	"github.com/apitoken-io/apitoken-operator/internal/token"
	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

// MaxTokenBytes bounds a presented token: no longer token is ever imported.
const MaxTokenBytes = token.MaxBytes

// Identity is who a valid token belongs to.
type Identity struct {
	UID       string
	Namespace string
	Name      string
	Principal string
	Type      authv1alpha1.TokenType
	// ExpirationDate is zero when the token does not expire.
	ExpirationDate time.Time
	// Scopes share the read model's slice; never modify them.
	Scopes []string
	// Revision is the number of the token presented: the ApiToken's
	// status.revision, one less for the previous token in its grace period.
	Revision int64
	// AccessTokenTTL and Audiences are spec.accessToken's (defaults applied):
	// what the token endpoint may issue for this token. Audiences share the
	// read model's slice; never modify them.
	AccessTokenTTL time.Duration
	Audiences      []string
	// Personal says the token is a person's own personal token (created
	// through apitokens/self): the issuer grants it fewer audiences.
	Personal bool
	// Previous says the value presented is the previous token, in its
	// grace period after a rotation.
	Previous bool
}

// Verifier checks presented tokens against the index and the read model.
type Verifier struct {
	Index   *Index
	Model   *readmodel.Model
	Clock   clock.Clock
	Tracker *Tracker
}

// Verify returns the identity of a valid token. Valid means: the Secret holds
// it (or held it as the previous token whose grace period has not ended), the
// ApiToken is Active, and it is not past its expirationDate at this instant,
// whether or not the controller has written Expired yet. Any other case is
// simply not valid: callers must not tell why.
func (v *Verifier) Verify(presented token.Value) (Identity, bool) {
	start := v.Clock.Now()
	id, ok := v.verify(presented, start)
	metrics.VerifyDuration.Observe(v.Clock.Since(start).Seconds())
	if ok {
		validCount.Inc()
		if v.Tracker != nil {
			v.Tracker.Used(id.Namespace, id.Name, start)
		}
	} else {
		invalidCount.Inc()
	}
	return id, ok
}

// The two verification counters, resolved once: a label lookup per
// verification would cost more than the lookup of the token.
var (
	validCount   = metrics.Verifications.WithLabelValues("valid")
	invalidCount = metrics.Verifications.WithLabelValues("invalid")
)

// Check is Verify without its side effects: it is not a use of the token
// (no lastUsedDate, no metrics). The self-service API asks it whether a
// token it just created verifies yet; the token endpoint asks it, counts
// the exchange in its own metrics and records the use (Used) only once it
// has issued an access token.
func (v *Verifier) Check(presented token.Value) (Identity, bool) {
	return v.verify(presented, v.Clock.Now())
}

// Used records a use of id's token at t (lastUsedDate, coalesced).
func (v *Verifier) Used(id Identity, at time.Time) {
	if v.Tracker != nil {
		v.Tracker.Used(id.Namespace, id.Name, at)
	}
}

// Holder names the ApiToken whose Secret or status holds presented, whatever
// its state: revoking a leaked value must find it even when it has expired.
// Only a holding the verifier would trust counts (see join): a value that
// somebody planted in a Secret of their own names nobody.
func (v *Verifier) Holder(presented token.Value) (namespace, name string, ok bool) {
	if presented.IsZero() {
		return "", "", false
	}
	l := v.Index.candidates(presented)
	for e := l.next(); e != nil; e = l.next() {
		if row := v.join(e); row != nil {
			return row.Namespace, row.Name, true
		}
	}
	return "", "", false
}

// join is the row of the ApiToken an index entry belongs to, or nil when the
// entry does not count. It counts only what the operator wrote: the row's
// status names the entry's digest (current, or previous for a previous
// token); a hash-only entry is the row's own; a Secret's entry comes from
// the Secret the row's status names, for a Secret-held token, and that
// Secret is the row's ApiToken's by the controller's own rule (belongs).
// Labels and annotations anybody can set are never proof.
func (v *Verifier) join(e *entry) *readmodel.Row {
	row := v.row(e)
	if row == nil {
		return nil
	}
	if e.secretName == "" {
		if !row.Hashed || string(e.ownerUID) != row.UID {
			return nil
		}
	} else if row.Hashed || row.SecretName() != e.secretName || !belongs(e, row) {
		return nil
	}
	switch {
	case e.sum == row.CurrentDigest:
		// Status names it current; for a previous entry, status has not
		// caught up with the rotation yet, and the value is still good.
	case e.previous && e.sum == row.PreviousDigest():
	case !e.previous && e.marked:
		// The operator's mark covers this value (the hash annotation it
		// signed): a rotation verifies from the moment the Secret is
		// written, before its status patch lands.
	default:
		return nil
	}
	return row
}

// belongs says whether the Secret e was read from is the row's ApiToken's,
// by tokensecret's one ownership rule (Claim.OwnedBy), as the controller
// decides before it writes there.
func belongs(e *entry, row *readmodel.Row) bool {
	claim := tokensecret.Claim{Owner: e.tokenName, Managed: true, Controlled: e.controlled, ControllerUID: e.ownerUID, Marked: e.marked}
	return claim.OwnedBy(row.Name, types.UID(row.UID), row.SecretName() == e.secretName)
}

// row is the current row of the ApiToken e belongs to, nil when there is
// none: from the Ref e remembers while that names a row, else from the
// read model (and remembered).
func (v *Verifier) row(e *entry) *readmodel.Row {
	if row := e.ref.Load().Row(); row != nil {
		return row
	}
	ref := v.Model.RefOf(e.namespace, e.tokenName)
	if ref == nil {
		return nil
	}
	e.ref.Store(ref)
	return ref.Row()
}

func (v *Verifier) verify(presented token.Value, now time.Time) (Identity, bool) {
	if presented.IsZero() {
		return Identity{}, false
	}
	l := v.Index.candidates(presented)
	for e := l.next(); e != nil; e = l.next() {
		if id, ok := v.identity(e, now); ok {
			return id, true
		}
	}
	return Identity{}, false
}

// identity is the identity of a valid entry at now.
func (v *Verifier) identity(e *entry, now time.Time) (Identity, bool) {
	if e.previous && now.UnixNano() >= e.previousUntil {
		return Identity{}, false
	}
	row := v.join(e)
	if row == nil || !row.Verifiable() {
		return Identity{}, false
	}
	id := Identity{UID: row.UID, Namespace: row.Namespace, Name: row.Name, Principal: row.Principal(), Type: row.Type(), Scopes: row.Scopes,
		Revision: row.Revision, AccessTokenTTL: time.Duration(row.AccessTTLSeconds) * time.Second, Audiences: row.Audiences,
		Personal: row.PersonalTo(row.CreatedBy())}
	if e.previous {
		// The previous token is valid until its grace period ends, or
		// the ApiToken's expiry if that comes first. Its revision is the
		// one before the row's, unless the row's status has not caught up
		// with the rotation yet and still names it current.
		if e.sum != row.CurrentDigest {
			id.Revision--
			id.Previous = true
		}
		id.ExpirationDate = time.Unix(0, e.previousUntil).UTC()
	}
	if ms, set := readmodel.Value(row.Expires); set {
		if exp := time.UnixMilli(ms).UTC(); id.ExpirationDate.IsZero() || exp.Before(id.ExpirationDate) {
			id.ExpirationDate = exp
		}
		if !now.Before(id.ExpirationDate) {
			return Identity{}, false
		}
	}
	return id, true
}
