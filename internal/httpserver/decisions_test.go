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

package httpserver

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	testingclock "k8s.io/utils/clock/testing"
)

// countingAuthorizer allows list in the namespaces it holds and counts the
// questions it is asked.
type countingAuthorizer struct {
	authorizer.Authorizer // only Authorize is called
	allow                 map[string]bool
	fail                  string
	asked                 atomic.Int32
}

func (a *countingAuthorizer) Authorize(_ context.Context, attr authorizer.Attributes) (authorizer.Decision, string, error) {
	a.asked.Add(1)
	if attr.GetNamespace() == a.fail {
		return authorizer.DecisionNoOpinion, "", errors.New("the API server is unavailable")
	}
	if a.allow[attr.GetNamespace()] && attr.GetVerb() == "list" {
		return authorizer.DecisionAllow, "", nil
	}
	return authorizer.DecisionNoOpinion, "", nil
}

func TestAllowedInCachesAnswers(t *testing.T) {
	clk := testingclock.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	authz := &countingAuthorizer{allow: map[string]bool{"a": true, "c": true}}
	access := &Access{Authorizer: authz, decisions: newDecisionCache(time.Minute, 10*time.Second, clk, maxAnswers)}
	alice := &user.DefaultInfo{Name: "alice", Groups: []string{"dev"}}
	ctx := context.Background()
	namespaces := []string{"a", "b", "c", "d"}

	ask := func(u user.Info, wantAsked int32) {
		t.Helper()
		authz.asked.Store(0)
		got, err := access.AllowedIn(ctx, u, "list", namespaces, "apitokens", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !got["a"] || !got["c"] {
			t.Fatalf("allowed = %v, want a and c", got)
		}
		if n := authz.asked.Load(); n != wantAsked {
			t.Fatalf("the authorizer was asked %d questions, want %d", n, wantAsked)
		}
	}
	ask(alice, 4)
	ask(alice, 0)                                                                                             // all cached
	ask(&user.DefaultInfo{Name: "alice", Groups: []string{"dev", "admins"}}, 4)                               // other groups: another caller
	ask(&user.DefaultInfo{Name: "alice", Groups: []string{"dev"}, Extra: map[string][]string{"k": {"v"}}}, 0) // a new credential of alice: the same caller
	clk.Step(11 * time.Second)
	ask(alice, 2) // denials expired, allowances not
	clk.Step(time.Minute)
	ask(alice, 4)

	authz.fail = "d"
	if _, err := access.AllowedIn(ctx, &user.DefaultInfo{Name: "bob"}, "list", namespaces, "apitokens", ""); err == nil {
		t.Fatal("a failed review must fail the answer, not deny silently")
	}
	authz.asked.Store(0)
	authz.fail = ""
	if got, err := access.Allowed(ctx, &user.DefaultInfo{Name: "bob"}, "list", "d", "apitokens", ""); err != nil || got || authz.asked.Load() != 1 {
		t.Fatalf("after a failure the question is asked again: got %v, %v, asked %d", got, err, authz.asked.Load())
	}
}

// A caller who asks about ever new namespaces cannot grow the cache past
// its bound; the answers pushed out are the least recently used.
func TestDecisionCacheIsBounded(t *testing.T) {
	clk := testingclock.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	c := newDecisionCache(time.Minute, 10*time.Second, clk, 100)
	keep := question{"list", "kept", "apitokens", ""}
	c.store("alice", keep, true)
	for i := range 1000 {
		c.store("mallory", question{"list", fmt.Sprintf("ns-%d", i), "apitokens", ""}, false)
		if i%50 == 0 {
			if _, ok := c.lookup("alice", keep); !ok { // used, so kept
				t.Fatalf("after %d answers the recently used one was dropped", i)
			}
		}
	}
	if n := c.len(); n != 100 {
		t.Fatalf("the cache holds %d answers, want its bound of 100", n)
	}
	if _, ok := c.lookup("mallory", question{"list", "ns-0", "apitokens", ""}); ok {
		t.Fatal("the least recently used answer is still cached")
	}
	clk.Step(11 * time.Second) // every denial expired
	if n := c.len(); n != 1 {
		t.Fatalf("%d answers outlived their expiry, want only the allowance", n)
	}
}
