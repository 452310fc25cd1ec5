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

package get

import (
	"time"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/flags"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
)

// listFilter is what --status, --type, --expiring-within and --unused-for keep.
type listFilter struct {
	status       string
	tokenType    authv1alpha1.TokenType
	window       time.Duration
	onlyExpiring bool
	unusedFor    time.Duration
}

// newFilter reads --status and --type.
func (o *Options) newFilter() (listFilter, error) {
	f := listFilter{window: o.expiringWithin, onlyExpiring: o.onlyExpiring, unusedFor: o.unusedFor}
	if o.status != "" {
		if _, ok := authv1alpha1.ParseEnum([]string{printing.StatusExpiringSoon}, o.status); ok {
			f.status = printing.StatusExpiringSoon
		} else if s, ok := authv1alpha1.ParseEnum(authv1alpha1.TokenStatuses, o.status); ok {
			f.status = string(s)
		} else {
			return f, clierrors.Usagef("--status %q: use one of %s, %s", o.status, flags.JoinNames(flags.EnumNames(authv1alpha1.TokenStatuses)), printing.StatusExpiringSoon)
		}
	}
	if o.tokenType != "" {
		t, err := flags.ParseType(o.tokenType)
		if err != nil {
			return f, err
		}
		f.tokenType = t
	}
	return f, nil
}

func (f listFilter) apply(toks []authv1alpha1.ApiToken, now time.Time) []authv1alpha1.ApiToken {
	out := toks[:0]
	for i := range toks {
		if f.keeps(&toks[i], now) {
			out = append(out, toks[i])
		}
	}
	return out
}

func (f listFilter) keeps(tok *authv1alpha1.ApiToken, now time.Time) bool {
	s := printing.State(tok, now, f.window)
	switch {
	case f.status == string(authv1alpha1.TokenStatusActive) && s != printing.StatusExpiringSoon && s != f.status,
		f.status != "" && f.status != string(authv1alpha1.TokenStatusActive) && s != f.status:
		return false
	case f.tokenType != "" && tok.Spec.Type != f.tokenType:
		return false
	case f.onlyExpiring && (tok.Status.TokenStatus != authv1alpha1.TokenStatusActive || !printing.ExpiresWithin(tok, now, f.window)):
		return false
	case f.unusedFor > 0 && !printing.UnusedFor(tok, now, f.unusedFor):
		return false
	}
	return true
}
