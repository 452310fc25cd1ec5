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

package readmodel

import (
	"slices"
	"testing"

	"github.com/apitoken-io/apitoken-operator/internal/tokensecret"
)

func TestHolders(t *testing.T) {
	a, b, c := tokensecret.Digest{1}, tokensecret.Digest{2}, tokensecret.Digest{3}
	m := NewModel()
	names := func(d tokensecret.Digest) []string {
		var out []string
		for _, r := range m.Holders(d) {
			out = append(out, r.Name)
		}
		slices.Sort(out)
		return out
	}
	m.Upsert(Row{Namespace: "n", Name: "one", UID: "u1", CurrentDigest: a, more: &rare{previous: b}})
	m.Upsert(Row{Namespace: "m", Name: "copy", UID: "u2", CurrentDigest: a})
	for _, tc := range []struct {
		step string
		d    tokensecret.Digest
		want []string
	}{
		{"current, held twice", a, []string{"copy", "one"}},
		{"previous", b, []string{"one"}},
		{"nobody", c, nil},
	} {
		if got := names(tc.d); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.step, got, tc.want)
		}
	}
	// A rotation moves the digests; a delete drops them.
	m.Upsert(Row{Namespace: "n", Name: "one", UID: "u1", CurrentDigest: c, more: &rare{previous: a}})
	if got := names(b); got != nil {
		t.Errorf("the old previous digest is still held by %v", got)
	}
	if got := names(c); !slices.Equal(got, []string{"one"}) {
		t.Errorf("new current: %v", got)
	}
	m.Delete("n", "one")
	if got := names(a); !slices.Equal(got, []string{"copy"}) {
		t.Errorf("after delete: %v", got)
	}
	m.Delete("m", "copy")
	if len(m.holders.first) != 0 || len(m.holders.more) != 0 {
		t.Errorf("the index keeps %d and %d entries of deleted rows", len(m.holders.first), len(m.holders.more))
	}
}

// The index is keyed by a digest's first 8 bytes: digests that share them
// share a key, and Holders still answers by the whole digest.
func TestHoldersOfDigestsSharingAPrefix(t *testing.T) {
	a := tokensecret.Digest{1, 2, 3, 4, 5, 6, 7, 8, 'a'}
	b := tokensecret.Digest{1, 2, 3, 4, 5, 6, 7, 8, 'b'}
	c := tokensecret.Digest{1, 2, 3, 4, 5, 6, 7, 8, 'c'}
	e := tokensecret.Digest{1, 2, 3, 4, 5, 6, 7, 8, 'e'}
	m := NewModel()
	m.Upsert(Row{Namespace: "n", Name: "rotated", UID: "u1", CurrentDigest: a, more: &rare{previous: b, revoked: []tokensecret.Digest{e}}})
	m.Upsert(Row{Namespace: "n", Name: "other", UID: "u2", CurrentDigest: c})
	for _, tc := range []struct {
		d    tokensecret.Digest
		want []string
	}{
		{a, []string{"rotated"}},
		{b, []string{"rotated"}},
		{c, []string{"other"}},
		{e, []string{"rotated"}}, // revoked: held for good
		{tokensecret.Digest{1, 2, 3, 4, 5, 6, 7, 8, 'd'}, nil},
	} {
		var got []string
		for _, r := range m.Holders(tc.d) {
			got = append(got, r.Name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("holders of %x: %v, want %v", tc.d[:9], got, tc.want)
		}
	}
	m.Delete("n", "rotated")
	if got := m.Holders(c); len(got) != 1 || got[0].Name != "other" {
		t.Errorf("after deleting the rotated row, holders of c: %v", got)
	}
	m.Delete("n", "other")
	if len(m.holders.first) != 0 || len(m.holders.more) != 0 {
		t.Errorf("the index keeps %d and %d entries of deleted rows", len(m.holders.first), len(m.holders.more))
	}
}
