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

package readmodel_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// randomRow is a row from a small space of values, so that ties, nulls,
// moves between namespaces' counts and shared trigrams are common.
func randomRow(rnd *rand.Rand, i int) readmodel.Row {
	date := func() *metav1.Time {
		if rnd.IntN(4) == 0 {
			return nil
		}
		t := metav1.NewTime(time.UnixMilli(int64(rnd.IntN(20)) * 1000))
		return &t
	}
	t := &authv1alpha1.ApiToken{
		ObjectMeta: metav1.ObjectMeta{Namespace: fmt.Sprintf("ns-%d", rnd.IntN(5)), Name: fmt.Sprintf("tok-%d", i), UID: types.UID(fmt.Sprintf("uid-%d-%d", i, rnd.IntN(3)))},
		Spec: authv1alpha1.ApiTokenSpec{
			Type:        authv1alpha1.TokenTypes[rnd.IntN(len(authv1alpha1.TokenTypes))],
			Principal:   fmt.Sprintf("User-%d", rnd.IntN(7)),
			DisplayName: []string{"", "Deploy Key", "nightly export", "Grafana"}[rnd.IntN(4)],
			Description: []string{"", "used by CI", "the Release pipeline"}[rnd.IntN(3)],
		},
		Status: authv1alpha1.ApiTokenStatus{
			TokenStatus:  authv1alpha1.TokenStatuses[rnd.IntN(len(authv1alpha1.TokenStatuses))],
			CreationDate: date(), ExpirationDate: date(), LastUsedDate: date(),
		},
	}
	if rnd.IntN(3) > 0 {
		t.Spec.TTL = &metav1.Duration{Duration: time.Duration(rnd.IntN(5)) * time.Hour}
	}
	return readmodel.RowFor(t)
}

func walkNames(s *readmodel.Snapshot, f readmodel.SortField, desc bool, offset int) []string {
	var out []string
	s.Walk(f, desc, offset, func(r *readmodel.Row) bool { out = append(out, r.Namespace+"/"+r.Name); return true })
	return out
}

// TestModelAgainstBruteForce changes the model at random and checks after
// every change that each order, count and search agrees with a plain sort,
// count and scan of the same rows, and that an earlier snapshot never moves.
func TestModelAgainstBruteForce(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	m := readmodel.NewModel()
	rows := map[string]readmodel.Row{}
	var frozen *readmodel.Snapshot
	var frozenOrder []string
	for step := range 1500 {
		i := rnd.IntN(60)
		r := randomRow(rnd, i)
		if old, ok := rows["tok-"+fmt.Sprint(i)]; ok && rnd.IntN(4) == 0 {
			m.Delete(old.Namespace, old.Name)
			delete(rows, "tok-"+fmt.Sprint(i))
		} else {
			if ok && old.Namespace != r.Namespace {
				m.Delete(old.Namespace, old.Name) // a name is unique per namespace; keep one per i
			}
			m.Upsert(r)
			rows["tok-"+fmt.Sprint(i)] = r
		}
		all := make([]*readmodel.Row, 0, len(rows))
		for _, r := range rows {
			all = append(all, &r)
		}
		s := m.Snapshot()
		if s.Len() != len(all) || m.Len() != len(all) {
			t.Fatalf("step %d: Len %d (snapshot) and %d (model), want %d", step, s.Len(), m.Len(), len(all))
		}
		f := readmodel.SortFields[step%len(readmodel.SortFields)]
		desc := step%2 == 1
		slices.SortFunc(all, func(a, b *readmodel.Row) int { return readmodel.Compare(f, desc, a, b) })
		want := make([]string, len(all))
		for j, r := range all {
			want[j] = r.Namespace + "/" + r.Name
		}
		offset := rnd.IntN(len(all) + 2)
		if got := walkNames(s, f, desc, offset); !slices.Equal(got, want[min(offset, len(want)):]) {
			t.Fatalf("step %d: walk by %s desc=%v from %d:\n got %v\nwant %v", step, f, desc, offset, got, want[min(offset, len(want)):])
		}

		filter := readmodel.Filter{Types: uint8(rnd.IntN(256)), Statuses: uint8(rnd.IntN(256))}
		if rnd.IntN(2) == 0 {
			filter.Namespaces = make([]bool, len(s.NamespaceNumbers()))
			for j := range filter.Namespaces {
				filter.Namespaces[j] = rnd.IntN(2) == 0
			}
		}
		wantCount := 0
		for _, r := range all {
			ns := slices.Index(s.NamespaceNumbers(), r.Namespace)
			if filter.Types&(1<<readmodel.TypeIndex(r.Type())) != 0 && filter.Statuses&(1<<readmodel.StatusIndex(r.Status())) != 0 &&
				(filter.Namespaces == nil || filter.Namespaces[ns]) {
				wantCount++
			}
		}
		if got := s.Count(&filter); got != wantCount {
			t.Fatalf("step %d: Count %d, want %d", step, got, wantCount)
		}

		sub := []string{"deploy", "user-3", "key", "release pipeline", "ci", "tok-1", "nightly export", "zzz", "grafana\x00"}[step%9]
		found, ok := m.Search(sub)
		var wantFound []string
		for _, r := range all {
			if strings.Contains(r.Haystack(), sub) {
				wantFound = append(wantFound, r.Namespace+"/"+r.Name)
			}
		}
		if ok {
			var got []string
			for _, r := range found {
				got = append(got, r.Namespace+"/"+r.Name)
			}
			slices.Sort(got)
			slices.Sort(wantFound)
			if !slices.Equal(got, wantFound) {
				t.Fatalf("step %d: Search(%q) = %v, want %v", step, sub, got, wantFound)
			}
		} else if len(sub) >= 3 && !strings.Contains(sub, "\x00") && len(wantFound) <= 1024 {
			t.Fatalf("step %d: Search(%q) declined %d matches", step, sub, len(wantFound))
		}

		if frozen == nil && step == 700 {
			frozen, frozenOrder = s, walkNames(s, readmodel.SortLastUsedDate, false, 0)
		}
		if frozen != nil {
			if got := walkNames(frozen, readmodel.SortLastUsedDate, false, 0); !slices.Equal(got, frozenOrder) {
				t.Fatalf("step %d: a snapshot changed after it was taken", step)
			}
		}
	}
}

func TestNamespaces(t *testing.T) {
	m := readmodel.NewModel()
	for _, ns := range []string{"b", "a", "c"} {
		m.Upsert(readmodel.RowFor(&authv1alpha1.ApiToken{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "x"}}))
	}
	m.Delete("c", "x")
	if got := m.Namespaces(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("Namespaces = %v, want [a b]: sorted, without the emptied one", got)
	}
}

func TestLowerFields(t *testing.T) {
	r := readmodel.RowFor(&authv1alpha1.ApiToken{
		ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "Deploy"},
		Spec:       authv1alpha1.ApiTokenSpec{DisplayName: "ÄPI Key", Principal: "Alice", Description: "For CI"},
	})
	for _, c := range []struct{ got, want string }{
		{r.LowerName(), "deploy"}, {r.LowerTokenName(), "äpi key"}, {r.LowerPrincipal(), "alice"},
		{r.LowerDescription(), "for ci"}, {r.Haystack(), "deploy\x00äpi key\x00alice\x00for ci"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
