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
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// DefaultExpiringWithin is --expiring-within's default.
const DefaultExpiringWithin = 14 * 24 * time.Hour

type getOptions struct {
	*options
	print          *genericclioptions.PrintFlags
	allNamespaces  bool
	selector       string
	status         string
	tokenType      string
	expiringWithin time.Duration
	unusedFor      time.Duration
}

func newGetCommand(o *options, use string) *cobra.Command {
	g := &getOptions{options: o, print: genericclioptions.NewPrintFlags("").WithTypeSetter(scheme)}
	cmd := &cobra.Command{
		Use:   use + " [NAME]",
		Short: "List ApiTokens as a table: status, expiry and last use at a glance",
		Example: `  kubectl apitoken ` + use + `
  kubectl apitoken ` + use + ` -A --status ExpiringSoon --expiring-within 30d
  kubectl apitoken ` + use + ` --unused-for 90d -o name
  kubectl apitoken ` + use + ` deployer -o yaml`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeNames(o),
		RunE:              func(cmd *cobra.Command, args []string) error { return g.run(cmd, args) },
	}
	if use == "list" {
		cmd.Args = noArgs
		cmd.ValidArgsFunction = cobra.NoFileCompletions
	}
	f := cmd.Flags()
	f.BoolVarP(&g.allNamespaces, "all-namespaces", "A", false, "List ApiTokens in every namespace")
	f.StringVarP(&g.selector, "selector", "l", "", "Label selector (-l team=payments)")
	f.StringVar(&g.status, "status", "", "Only tokens in this state: Pending, Active, ExpiringSoon, Expired, Revoked or Failed")
	f.StringVar(&g.tokenType, "type", "", "Only tokens of this type: "+typeNames())
	daysFlag(f, &g.expiringWithin, "expiring-within", DefaultExpiringWithin, "An Active token expiring within this is shown as ExpiringSoon; given explicitly, only such tokens are listed (14d, 36h)")
	daysFlag(f, &g.unusedFor, "unused-for", 0, "Only tokens not used for at least this long (90d): last used before then, or never used and older")
	g.print.AddFlags(cmd)
	cmd.Flag("output").Usage = "Output format: wide, json, yaml, name, jsonpath=..., go-template=... (the default is a table)"
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletions(append(enumNames(authv1alpha1.TokenStatuses), StatusExpiringSoon)...))
	_ = cmd.RegisterFlagCompletionFunc("type", fixedCompletions(enumNames(authv1alpha1.TokenTypes)...))
	_ = cmd.RegisterFlagCompletionFunc("output", fixedCompletions("wide", "json", "yaml", "name", "jsonpath=", "go-template="))
	return cmd
}

func (g *getOptions) run(cmd *cobra.Command, args []string) error {
	filter, err := g.filter(cmd)
	if err != nil {
		return err
	}
	output := *g.print.OutputFormat
	if output != "" && output != "wide" {
		if _, err := g.print.ToPrinter(); err != nil {
			return usagef("--output %q: use wide, json, yaml, name, jsonpath=... or go-template=...", output)
		}
	}
	c, err := g.kube()
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	if len(args) == 1 {
		if g.allNamespaces {
			return usagef("NAME cannot be used with --all-namespaces: name one namespace with -n")
		}
		tok, err := c.get(ctx, args[0])
		if err != nil {
			return err
		}
		return g.show([]authv1alpha1.ApiToken{*tok}, tok)
	}
	toks, err := g.list(ctx, c)
	if err != nil {
		return err
	}
	toks = filter.apply(toks, g.Clock.Now())
	if len(toks) == 0 && output == "" || output == "wide" && len(toks) == 0 {
		where := inNamespace(c.namespace)
		if g.allNamespaces {
			where = " in any namespace"
		}
		_, err := fmt.Fprintf(g.ErrOut, "No ApiTokens found%s.\n", where)
		return err
	}
	return g.show(toks, nil)
}

func (g *getOptions) list(ctx context.Context, c *clients) ([]authv1alpha1.ApiToken, error) {
	opts := []client.ListOption{}
	ns := c.namespace
	if g.allNamespaces {
		ns = ""
	} else {
		opts = append(opts, client.InNamespace(ns))
	}
	if g.selector != "" {
		sel, err := labels.Parse(g.selector)
		if err != nil {
			return nil, usagef("--selector %q: %v", g.selector, err)
		}
		opts = append(opts, client.MatchingLabelsSelector{Selector: sel})
	}
	var list authv1alpha1.ApiTokenList
	if err := c.List(ctx, &list, opts...); err != nil {
		return nil, describe(err, "list", apiTokens, ns)
	}
	sort.Slice(list.Items, func(i, j int) bool {
		a, b := list.Items[i], list.Items[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	return list.Items, nil
}

// show prints toks as the table or with -o; one is the object named on
// the command line, printed as itself rather than as a list.
func (g *getOptions) show(toks []authv1alpha1.ApiToken, one *authv1alpha1.ApiToken) error {
	output := *g.print.OutputFormat
	if output == "" || output == "wide" {
		return table{now: g.Clock.Now(), window: g.expiringWithin, allNamespaces: g.allNamespaces, wide: output == "wide"}.print(g.Out, toks)
	}
	printer, err := g.print.ToPrinter()
	if err != nil {
		return err
	}
	var obj runtime.Object
	if one != nil {
		obj = forPrinting(one)
	} else {
		list := &authv1alpha1.ApiTokenList{}
		list.SetGroupVersionKind(authv1alpha1.GroupVersion.WithKind("ApiTokenList"))
		for i := range toks {
			list.Items = append(list.Items, *forPrinting(&toks[i]))
		}
		obj = list
	}
	if output == "name" && one == nil {
		for i := range toks {
			if err := printer.PrintObj(forPrinting(&toks[i]), g.Out); err != nil {
				return err
			}
		}
		return nil
	}
	return printer.PrintObj(obj, g.Out)
}

// forPrinting is tok with its kind and without managedFields (as kubectl
// prints it by default). An ApiToken never holds a value, so all of the
// rest is printed.
func forPrinting(tok *authv1alpha1.ApiToken) *authv1alpha1.ApiToken {
	out := tok.DeepCopy()
	out.ManagedFields = nil
	out.SetGroupVersionKind(authv1alpha1.GroupVersion.WithKind("ApiToken"))
	return out
}

// listFilter is what --status, --type, --expiring-within and --unused-for keep.
type listFilter struct {
	status       string
	tokenType    authv1alpha1.TokenType
	window       time.Duration
	onlyExpiring bool
	unusedFor    time.Duration
}

func (g *getOptions) filter(cmd *cobra.Command) (listFilter, error) {
	f := listFilter{window: g.expiringWithin, onlyExpiring: cmd.Flag("expiring-within").Changed, unusedFor: g.unusedFor}
	if g.status != "" {
		if _, ok := authv1alpha1.ParseEnum([]string{StatusExpiringSoon}, g.status); ok {
			f.status = StatusExpiringSoon
		} else if s, ok := authv1alpha1.ParseEnum(authv1alpha1.TokenStatuses, g.status); ok {
			f.status = string(s)
		} else {
			return f, usagef("--status %q: use one of %s, %s", g.status, joinNames(enumNames(authv1alpha1.TokenStatuses)), StatusExpiringSoon)
		}
	}
	if g.tokenType != "" {
		t, err := parseType(g.tokenType)
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
	s := state(tok, now, f.window)
	switch {
	case f.status == string(authv1alpha1.TokenStatusActive) && s != StatusExpiringSoon && s != f.status,
		f.status != "" && f.status != string(authv1alpha1.TokenStatusActive) && s != f.status:
		return false
	case f.tokenType != "" && tok.Spec.Type != f.tokenType:
		return false
	case f.onlyExpiring && (tok.Status.TokenStatus != authv1alpha1.TokenStatusActive || !expiresWithin(tok, now, f.window)):
		return false
	case f.unusedFor > 0 && !unusedFor(tok, now, f.unusedFor):
		return false
	}
	return true
}
