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

package grant

import (
	"context"
	"errors"
	"slices"

	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/apitoken-io/apitoken-operator/internal/httpserver"
	"github.com/apitoken-io/apitoken-operator/internal/readmodel"
)

// Writable is where a caller may create ApiTokens: Full where they may
// create any (create on apitokens), Personal where only their own
// (create on apitokens/self, or apitoken-personal-tokens' rights).
type Writable struct {
	Full, Personal []string
}

// WritableNamespaces answers, with the same authorization questions as the
// create endpoint, where u may create among the namespaces that hold
// ApiTokens and extra (a console's default namespace for personal tokens).
func WritableNamespaces(ctx context.Context, a *httpserver.Access, model *readmodel.Model, u user.Info, extra ...string) (Writable, error) {
	// The console calls this outside the API's filter chain: the budget is
	// its own.
	w, err := writableIn(httpserver.WithReviewBudget(ctx), a, u, model.Namespaces(), extra)
	if errors.Is(err, httpserver.ErrTooManyReviews) {
		// Asking about every namespace that holds ApiTokens passed the
		// request's review budget: ask, within a budget of its own, about
		// the namespaces known to matter to u, where they keep personal
		// tokens (and extra).
		var known []string
		for ns := range model.PersonalNamespaces(u.GetName()) {
			known = append(known, ns)
		}
		return writableIn(httpserver.WithReviewBudget(ctx), a, u, known, extra)
	}
	return w, err
}

func writableIn(ctx context.Context, a *httpserver.Access, u user.Info, namespaces, extra []string) (Writable, error) {
	candidates := slices.Clone(namespaces)
	for _, ns := range extra {
		if ns != "" && !slices.Contains(candidates, ns) {
			candidates = append(candidates, ns)
		}
	}
	slices.Sort(candidates)
	full, err := a.AllowedIn(ctx, u, "create", candidates, "apitokens", "")
	if err != nil {
		return Writable{}, err
	}
	var rest, writer []string
	for _, ns := range candidates {
		if full[ns] {
			writer = append(writer, ns)
		} else {
			rest = append(rest, ns)
		}
	}
	// Writers bound to apitoken-personal-tokens without apitokens/any are
	// limited to their own personal tokens (limitedToPersonal, asked in bulk).
	personal, err := a.AllowedIn(ctx, u, "create", writer, "apitokens", PersonalSubresource)
	if err != nil {
		return Writable{}, err
	}
	var marked []string
	for _, ns := range writer {
		if personal[ns] {
			marked = append(marked, ns)
		}
	}
	anyToken, err := a.AllowedIn(ctx, u, "create", marked, "apitokens", AnySubresource)
	if err != nil {
		return Writable{}, err
	}
	var out Writable
	for _, ns := range writer {
		if personal[ns] && !anyToken[ns] {
			out.Personal = append(out.Personal, ns)
		} else {
			out.Full = append(out.Full, ns)
		}
	}
	own, err := a.AllowedIn(ctx, u, "create", rest, "apitokens", SelfSubresource)
	for _, ns := range rest {
		if own[ns] {
			out.Personal = append(out.Personal, ns)
		}
	}
	slices.Sort(out.Personal)
	return out, err
}
