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

package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/printers"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// StatusExpiringSoon is the table's state of an Active token that expires
// within --expiring-within.
const StatusExpiringSoon = "ExpiringSoon"

// state is the STATUS column: the lifecycle state, ExpiringSoon for an
// Active token inside the window, Pending before the first reconcile.
func state(tok *authv1alpha1.ApiToken, now time.Time, window time.Duration) string {
	s := tok.Status.TokenStatus
	switch {
	case s == "":
		return string(authv1alpha1.TokenStatusPending)
	case s == authv1alpha1.TokenStatusActive && expiresWithin(tok, now, window):
		return StatusExpiringSoon
	default:
		return string(s)
	}
}

func expiresWithin(tok *authv1alpha1.ApiToken, now time.Time, window time.Duration) bool {
	e := tok.Status.ExpirationDate
	return e != nil && e.Sub(now) <= window
}

// unusedFor says the token was not used in the last d: used before then,
// or never used and older than d.
func unusedFor(tok *authv1alpha1.ApiToken, now time.Time, d time.Duration) bool {
	if u := tok.Status.LastUsedDate; u != nil {
		return now.Sub(u.Time) >= d
	}
	return now.Sub(tok.CreationTimestamp.Time) >= d
}

// table prints tokens the way kubectl get does: NAME, TYPE, PRINCIPAL,
// STATUS, EXPIRES, LAST-USED, SCOPES, AGE; NAMESPACE first across
// namespaces; wide adds SECRET, REVISION and HASH-ONLY.
type table struct {
	now           time.Time
	window        time.Duration
	allNamespaces bool
	wide          bool
}

func (t table) print(w io.Writer, toks []authv1alpha1.ApiToken) error {
	tw := printers.GetNewTabWriter(w)
	header := []string{"NAME", "TYPE", "PRINCIPAL", "STATUS", "EXPIRES", "LAST-USED", "SCOPES", "AGE"}
	if t.allNamespaces {
		header = append([]string{"NAMESPACE"}, header...)
	}
	if t.wide {
		header = append(header, "SECRET", "REVISION", "HASH-ONLY")
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for i := range toks {
		fmt.Fprintln(tw, strings.Join(t.row(&toks[i]), "\t"))
	}
	return tw.Flush()
}

func (t table) row(tok *authv1alpha1.ApiToken) []string {
	cells := []string{
		tok.Name, string(tok.Spec.Type), orNone(tok.Spec.Principal), state(tok, t.now, t.window),
		expires(tok, t.now), lastUsed(tok, t.now), orNone(strings.Join(tok.Spec.Scopes, ",")),
		duration.HumanDuration(t.now.Sub(tok.CreationTimestamp.Time)),
	}
	if t.allNamespaces {
		cells = append([]string{tok.Namespace}, cells...)
	}
	if t.wide {
		cells = append(cells, orNone(tok.Status.SecretName), strconv.FormatInt(tok.Status.Revision, 10), strconv.FormatBool(tok.Hashed() != nil))
	}
	return cells
}

// expires is relative: "in 29d", "3h ago", "never".
func expires(tok *authv1alpha1.ApiToken, now time.Time) string {
	if e := tok.Status.ExpirationDate; e != nil {
		return relative(e.Time, now)
	}
	if tok.Spec.TTL != nil && tok.Status.TokenStatus == "" {
		return "<pending>"
	}
	return "never"
}

func lastUsed(tok *authv1alpha1.ApiToken, now time.Time) string {
	if u := tok.Status.LastUsedDate; u != nil {
		return relative(u.Time, now)
	}
	return "never"
}

// relative is "in 29d" for the future and "5m ago" for the past.
func relative(t, now time.Time) string {
	// Whole seconds: a 30-day token created a moment ago expires "in 30d".
	if d := t.Sub(now).Round(time.Second); d > 0 {
		return "in " + duration.HumanDuration(d)
	}
	return duration.HumanDuration(now.Sub(t).Round(time.Second)) + " ago"
}

func orNone(s string) string {
	if s == "" {
		return "<none>"
	}
	return s
}
