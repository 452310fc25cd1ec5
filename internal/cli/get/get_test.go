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
	"bytes"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	clocktesting "k8s.io/utils/clock/testing"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clitest"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
)

func TestGetOutputGolden(t *testing.T) {
	for _, tc := range []struct {
		file, output string
		all          bool
	}{
		{"get-table.golden", "", false},
		{"get-wide.golden", "wide", false},
		{"get-all-namespaces.golden", "", true},
		{"get-json.golden", "json", false},
		{"get-yaml.golden", "yaml", false},
		{"get-name.golden", "name", false},
		{"get-jsonpath.golden", "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.status.tokenStatus}{\"\\n\"}{end}", false},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var out bytes.Buffer
			g := &Options{
				factory:        &factory.Factory{IOStreams: genericiooptions.IOStreams{Out: &out}, Clock: clocktesting.NewFakePassiveClock(clitest.Now)},
				print:          genericclioptions.NewPrintFlags("").WithTypeSetter(factory.Scheme),
				allNamespaces:  tc.all,
				expiringWithin: printing.DefaultExpiringWithin,
			}
			*g.print.OutputFormat = tc.output
			if err := g.show(clitest.Tokens(), nil); err != nil {
				t.Fatal(err)
			}
			clitest.Golden(t, tc.file, out.Bytes())
		})
	}
}

func TestListFilter(t *testing.T) {
	names := func(f listFilter) []string {
		var out []string
		for _, tok := range f.apply(clitest.Tokens(), clitest.Now) {
			out = append(out, tok.Name)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		filter listFilter
		want   []string
	}{
		{"none", listFilter{window: 14 * clitest.Day}, []string{"laptop", "billing", "old-ci", "fresh"}},
		{"Active includes ExpiringSoon", listFilter{window: 14 * clitest.Day, status: "Active"}, []string{"laptop", "billing"}},
		{"ExpiringSoon", listFilter{window: 14 * clitest.Day, status: printing.StatusExpiringSoon}, []string{"laptop"}},
		{"Revoked", listFilter{window: 14 * clitest.Day, status: "Revoked"}, []string{"old-ci"}},
		{"type", listFilter{window: 14 * clitest.Day, tokenType: authv1alpha1.TokenTypeApiClient}, []string{"billing"}},
		{"expiring within 5d", listFilter{window: 5 * clitest.Day, onlyExpiring: true}, nil},
		{"expiring within 11d", listFilter{window: 11 * clitest.Day, onlyExpiring: true}, []string{"laptop"}},
		// billing was never used and is 400 days old; old-ci was last used 120 days ago.
		{"unused for 90d", listFilter{window: 14 * clitest.Day, unusedFor: 90 * clitest.Day}, []string{"billing", "old-ci"}},
		{"unused for 1m", listFilter{window: 14 * clitest.Day, unusedFor: time.Minute}, []string{"laptop", "billing", "old-ci"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := names(tc.filter)
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}
