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

package signing

import (
	"time"
)

// Policy says when keys rotate.
type Policy struct {
	// Rotation is how long each key signs.
	Rotation time.Duration
	// Overlap is how long a new key is published before it signs, so that
	// verifiers holding a cached key set know it in time.
	Overlap time.Duration
	// MaxTokenTTL is the longest an access token lives: a key stays
	// published this long after it stops signing.
	MaxTokenTTL time.Duration
}

// ClockSkew is how far a replica's clock may run behind the leader's: a
// retired key stays published this much longer than its last token could
// live.
const ClockSkew = 5 * time.Minute

// Plan is what the keeper makes of the stored key set at one instant.
type Plan struct {
	// Keys is the set to store, ordered by SignFrom.
	Keys KeySet
	// Added and Dropped are the ids of the keys added and dropped.
	Added, Dropped []string
	// Next is when the set changes next without any write: a key to add
	// or to drop.
	Next time.Time
}

// Changed says whether Keys differs from the stored set.
func (p Plan) Changed() bool { return len(p.Added) > 0 || len(p.Dropped) > 0 }

// Decide applies the policy to the stored set at now:
//   - a set in which no key signs yet (none, or every key in the future)
//     gets a key that signs at once: nothing is published to wait for;
//   - the signing key's successor is added Overlap before the signing key's
//     Rotation ends, and signs from then (or Overlap from now if the keeper
//     is late), so that every replica switches at the same instant without
//     a write;
//   - a key that stopped signing is dropped MaxTokenTTL (and ClockSkew)
//     after, when the last token it signed has expired.
//
// newKey generates a key that signs from the given time.
func Decide(stored KeySet, now time.Time, p Policy, newKey func(signFrom time.Time) (Key, error)) (Plan, error) {
	plan := Plan{Keys: append(KeySet(nil), stored...)}
	add := func(signFrom time.Time) error {
		k, err := newKey(signFrom)
		if err != nil {
			return err
		}
		plan.Keys = append(plan.Keys, k)
		plan.Keys.sort()
		plan.Added = append(plan.Added, k.ID)
		return nil
	}
	if plan.Keys.Signing(now) < 0 {
		if err := add(now); err != nil {
			return Plan{}, err
		}
	}
	cur := plan.Keys.Signing(now)

	// Drop the retired keys whose tokens have all expired.
	kept := plan.Keys[:0:0]
	for i, k := range plan.Keys {
		if i < cur {
			if dropAt := plan.Keys[i+1].SignFrom.Add(p.MaxTokenTTL + ClockSkew); !now.Before(dropAt) {
				plan.Dropped = append(plan.Dropped, k.ID)
				continue
			} else {
				plan.Next = earliest(plan.Next, dropAt)
			}
		}
		kept = append(kept, k)
	}
	plan.Keys = kept
	cur = plan.Keys.Signing(now)

	// Publish the successor Overlap before it signs.
	if cur == len(plan.Keys)-1 {
		rotateAt := plan.Keys[cur].SignFrom.Add(p.Rotation)
		publishAt := rotateAt.Add(-p.Overlap)
		if now.Before(publishAt) {
			plan.Next = earliest(plan.Next, publishAt)
			return plan, nil
		}
		signFrom := rotateAt
		if soonest := now.Add(p.Overlap); signFrom.Before(soonest) {
			signFrom = soonest
		}
		if err := add(signFrom); err != nil {
			return Plan{}, err
		}
	}
	// A successor is published: the next change is when it starts to sign
	// (the current key then has a drop time, and the successor a successor).
	plan.Next = earliest(plan.Next, plan.Keys[cur+1].SignFrom)
	return plan, nil
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
