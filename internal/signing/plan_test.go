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
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// policy: each key signs 30 days, is published a day before, and stays a day
// after (the longest access token).
var policy = Policy{Rotation: 720 * time.Hour, Overlap: 24 * time.Hour, MaxTokenTTL: 24 * time.Hour}

// fakeKeys names keys k1, k2, … in the order they are made; they carry no
// key material (Decide never reads it).
func fakeKeys() func(time.Time) (Key, error) {
	n := 0
	return func(signFrom time.Time) (Key, error) {
		n++
		return Key{ID: fmt.Sprintf("new%d", n), SignFrom: signFrom}, nil
	}
}

func key(id string, signFrom time.Time) Key { return Key{ID: id, SignFrom: signFrom} }

func TestDecide(t *testing.T) {
	day := 24 * time.Hour
	cases := []struct {
		name    string
		stored  KeySet
		now     time.Time
		want    []string // ids and SignFrom offsets from t0, in order
		added   int
		dropped []string
		next    time.Duration // from t0
	}{
		{name: "no keys: one signs at once", now: t0,
			want: []string{"new1@0s"}, added: 1, next: 29 * day},
		{name: "fresh key: nothing to do until a day before rotation", stored: KeySet{key("a", t0)}, now: t0.Add(10 * day),
			want: []string{"a@0s"}, next: 29 * day},
		{name: "a day before rotation: the successor is published, to sign at rotation", stored: KeySet{key("a", t0)}, now: t0.Add(29 * day),
			want: []string{"a@0s", "new1@720h0m0s"}, added: 1, next: 30 * day},
		{name: "keeper late: the successor still waits the full overlap", stored: KeySet{key("a", t0)}, now: t0.Add(40 * day),
			want: []string{"a@0s", "new1@984h0m0s"}, added: 1, next: 41 * day},
		{name: "successor published: next look is when it signs", stored: KeySet{key("a", t0), key("b", t0.Add(30*day))}, now: t0.Add(29*day + time.Hour),
			want: []string{"a@0s", "b@720h0m0s"}, next: 30 * day},
		{name: "successor signs: the retired key stays for the longest token and the clock skew", stored: KeySet{key("a", t0), key("b", t0.Add(30*day))},
			now: t0.Add(30 * day), want: []string{"a@0s", "b@720h0m0s"}, next: 31*day + ClockSkew},
		{name: "retired key kept within the clock skew", stored: KeySet{key("a", t0), key("b", t0.Add(30*day))}, now: t0.Add(31 * day),
			want: []string{"a@0s", "b@720h0m0s"}, next: 31*day + ClockSkew},
		{name: "retired key dropped when its last token expired", stored: KeySet{key("a", t0), key("b", t0.Add(30*day))}, now: t0.Add(31*day + ClockSkew),
			want: []string{"b@720h0m0s"}, dropped: []string{"a"}, next: 59 * day},
		{name: "only future keys (clock skew): one signs at once", stored: KeySet{key("b", t0.Add(day))}, now: t0,
			want: []string{"new1@0s", "b@24h0m0s"}, added: 1, next: day},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plan, err := Decide(c.stored, c.now, policy, fakeKeys())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range plan.Keys {
				got = append(got, fmt.Sprintf("%s@%s", k.ID, k.SignFrom.Sub(t0)))
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("keys = %v, want %v", got, c.want)
			}
			if len(plan.Added) != c.added || fmt.Sprint(plan.Dropped) != fmt.Sprint(nilIfEmpty(c.dropped)) {
				t.Errorf("added %v dropped %v, want %d added, %v dropped", plan.Added, plan.Dropped, c.added, c.dropped)
			}
			if got := plan.Next.Sub(t0); got != c.next {
				t.Errorf("next = %s, want %s", got, c.next)
			}
			if plan.Changed() != (c.added > 0 || len(c.dropped) > 0) {
				t.Errorf("Changed() = %v", plan.Changed())
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestRotationOverTime runs the keeper's rule for a year, looking only when
// it asks to, and checks what every verifier relies on: at every instant one
// key signs, and it was published at least Overlap before, and every key
// that signed stays published for MaxTokenTTL after it stops.
func TestRotationOverTime(t *testing.T) {
	newKey := fakeKeys()
	var ks KeySet
	published := map[string]time.Time{}
	stopped := map[string]time.Time{}
	now := t0
	for now.Before(t0.Add(365 * 24 * time.Hour)) {
		plan, err := Decide(ks, now, policy, newKey)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range plan.Added {
			published[id] = now
		}
		for _, id := range plan.Dropped {
			if d := now.Sub(stopped[id]); d < policy.MaxTokenTTL+ClockSkew {
				t.Fatalf("%s dropped %s after it stopped signing, want ≥ %s", id, d, policy.MaxTokenTTL+ClockSkew)
			}
		}
		ks = plan.Keys
		i := ks.Signing(now)
		if i < 0 {
			t.Fatalf("no key signs at %s", now)
		}
		if id := ks[i].ID; id != "new1" && ks[i].SignFrom.Sub(published[id]) < policy.Overlap {
			t.Fatalf("%s signs from %s, published only at %s", id, ks[i].SignFrom, published[id])
		}
		for j := 0; j < i; j++ {
			if _, ok := stopped[ks[j].ID]; !ok {
				stopped[ks[j].ID] = ks[j+1].SignFrom
			}
		}
		if !plan.Next.After(now) {
			t.Fatalf("next %s is not after now %s", plan.Next, now)
		}
		now = plan.Next
	}
	if len(published) < 12 {
		t.Errorf("%d keys in a year, want one per 30 days", len(published))
	}
}
