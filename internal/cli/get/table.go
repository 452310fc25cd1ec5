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
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/cli-runtime/pkg/printers"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
)

// table prints tokens the way kubectl get does: NAME, TYPE, PRINCIPAL,
// STATUS, POLICY, EXPIRES, LAST-USED, SCOPES, AGE; NAMESPACE first across
// namespaces; wide adds SECRET, REVISION and HASH-ONLY.
type table struct {
	now           time.Time
	window        time.Duration
	allNamespaces bool
	wide          bool
}

func (t table) print(w io.Writer, toks []authv1alpha1.ApiToken) error {
	tw := printers.GetNewTabWriter(w)
	header := []string{"NAME", "TYPE", "PRINCIPAL", "STATUS", "POLICY", "EXPIRES", "LAST-USED", "SCOPES", "AGE"}
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
		tok.Name, string(tok.Spec.Type), printing.OrNone(tok.Spec.Principal), printing.State(tok, t.now, t.window),
		printing.Compliance(tok), expires(tok, t.now), lastUsed(tok, t.now), printing.OrNone(strings.Join(tok.Spec.Scopes, ",")),
		duration.HumanDuration(t.now.Sub(tok.CreationTimestamp.Time)),
	}
	if t.allNamespaces {
		cells = append([]string{tok.Namespace}, cells...)
	}
	if t.wide {
		cells = append(cells, printing.OrNone(tok.Status.SecretName), strconv.FormatInt(tok.Status.Revision, 10), strconv.FormatBool(tok.Hashed() != nil))
	}
	return cells
}

// expires is relative: "in 29d", "3h ago", "never".
func expires(tok *authv1alpha1.ApiToken, now time.Time) string {
	if e := tok.Status.ExpirationDate; e != nil {
		return printing.Relative(e.Time, now)
	}
	if tok.Spec.TTL != nil && tok.Status.TokenStatus == "" {
		return "<pending>"
	}
	return "never"
}

func lastUsed(tok *authv1alpha1.ApiToken, now time.Time) string {
	if u := tok.Status.LastUsedDate; u != nil {
		return printing.Relative(u.Time, now)
	}
	return "never"
}
