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

// Package get is "kubectl apitoken get" and its twin "list": ApiTokens as
// a table (status, expiry and last use at a glance) or as -o prints them.
package get

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
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/flags"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
)

// Options are get's flags and what Complete and Validate make of them.
type Options struct {
	factory        *factory.Factory
	print          *genericclioptions.PrintFlags
	allNamespaces  bool
	selector       string
	status         string
	tokenType      string
	expiringWithin time.Duration
	unusedFor      time.Duration

	// name is the one ApiToken asked for, if any.
	name string
	// onlyExpiring says --expiring-within was given.
	onlyExpiring bool
	filter       listFilter
}

var _ factory.Command = &Options{}

// NewCmd is "get" or "list" (use), which takes no NAME.
func NewCmd(f *factory.Factory, use string) *cobra.Command {
	o := &Options{print: genericclioptions.NewPrintFlags("").WithTypeSetter(factory.Scheme)}
	cmd := &cobra.Command{
		Use:   use + " [NAME]",
		Short: "List ApiTokens as a table: status, expiry and last use at a glance",
		Example: `  kubectl apitoken ` + use + `
  kubectl apitoken ` + use + ` -A --status ExpiringSoon --expiring-within 30d
  kubectl apitoken ` + use + ` --unused-for 90d -o name
  kubectl apitoken ` + use + ` deployer -o yaml`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: f.CompleteNames(),
		RunE:              factory.RunE(f, o),
	}
	if use == "list" {
		cmd.Args = clierrors.NoArgs
		cmd.ValidArgsFunction = cobra.NoFileCompletions
	}
	fs := cmd.Flags()
	fs.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "List ApiTokens in every namespace")
	fs.StringVarP(&o.selector, "selector", "l", "", "Label selector (-l team=payments)")
	fs.StringVar(&o.status, "status", "", "Only tokens in this state: Pending, Active, ExpiringSoon, Expired, Revoked or Failed")
	fs.StringVar(&o.tokenType, "type", "", "Only tokens of this type: "+flags.TypeNames())
	flags.DaysVar(fs, &o.expiringWithin, "expiring-within", printing.DefaultExpiringWithin, "An Active token expiring within this is shown as ExpiringSoon; given explicitly, only such tokens are listed (14d, 36h)")
	flags.DaysVar(fs, &o.unusedFor, "unused-for", 0, "Only tokens not used for at least this long (90d): last used before then, or never used and older")
	o.print.AddFlags(cmd)
	cmd.Flag("output").Usage = "Output format: wide, json, yaml, name, jsonpath=..., go-template=... (the default is a table)"
	_ = cmd.RegisterFlagCompletionFunc("status", flags.CompleteFixed(append(flags.EnumNames(authv1alpha1.TokenStatuses), printing.StatusExpiringSoon)...))
	_ = cmd.RegisterFlagCompletionFunc("type", flags.CompleteFixed(flags.EnumNames(authv1alpha1.TokenTypes)...))
	_ = cmd.RegisterFlagCompletionFunc("output", flags.CompleteFixed("wide", "json", "yaml", "name", "jsonpath=", "go-template="))
	return cmd
}

// Complete takes the NAME, if any, and whether --expiring-within was given.
func (o *Options) Complete(f *factory.Factory, cmd *cobra.Command, args []string) error {
	o.factory = f
	if len(args) == 1 {
		o.name = args[0]
	}
	o.onlyExpiring = cmd.Flag("expiring-within").Changed
	return nil
}

// Validate reads the filter and checks --output.
func (o *Options) Validate() error {
	filter, err := o.newFilter()
	if err != nil {
		return err
	}
	o.filter = filter
	output := *o.print.OutputFormat
	if output != "" && output != "wide" {
		if _, err := o.print.ToPrinter(); err != nil {
			return clierrors.Usagef("--output %q: use wide, json, yaml, name, jsonpath=... or go-template=...", output)
		}
	}
	return nil
}

// Run reads the ApiToken named, or lists and filters them, and prints.
func (o *Options) Run(ctx context.Context) error {
	c, err := o.factory.Clients()
	if err != nil {
		return err
	}
	if o.name != "" {
		if o.allNamespaces {
			return clierrors.Usagef("NAME cannot be used with --all-namespaces: name one namespace with -n")
		}
		tok, err := c.ApiToken(ctx, o.name)
		if err != nil {
			return err
		}
		return o.show([]authv1alpha1.ApiToken{*tok}, tok)
	}
	toks, err := o.list(ctx, c)
	if err != nil {
		return err
	}
	toks = o.filter.apply(toks, o.factory.Clock.Now())
	output := *o.print.OutputFormat
	if len(toks) == 0 && output == "" || output == "wide" && len(toks) == 0 {
		where := clierrors.InNamespace(c.Namespace)
		if o.allNamespaces {
			where = " in any namespace"
		}
		_, err := fmt.Fprintf(o.factory.ErrOut, "No ApiTokens found%s.\n", where)
		return err
	}
	return o.show(toks, nil)
}

func (o *Options) list(ctx context.Context, c *factory.Clients) ([]authv1alpha1.ApiToken, error) {
	opts := []client.ListOption{}
	ns := c.Namespace
	if o.allNamespaces {
		ns = ""
	} else {
		opts = append(opts, client.InNamespace(ns))
	}
	if o.selector != "" {
		sel, err := labels.Parse(o.selector)
		if err != nil {
			return nil, clierrors.Usagef("--selector %q: %v", o.selector, err)
		}
		opts = append(opts, client.MatchingLabelsSelector{Selector: sel})
	}
	var list authv1alpha1.ApiTokenList
	if err := c.List(ctx, &list, opts...); err != nil {
		return nil, clierrors.Describe(err, "list", factory.ApiTokensResource, ns)
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
func (o *Options) show(toks []authv1alpha1.ApiToken, one *authv1alpha1.ApiToken) error {
	output := *o.print.OutputFormat
	if output == "" || output == "wide" {
		return table{now: o.factory.Clock.Now(), window: o.expiringWithin, allNamespaces: o.allNamespaces, wide: output == "wide"}.print(o.factory.Out, toks)
	}
	printer, err := o.print.ToPrinter()
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
			if err := printer.PrintObj(forPrinting(&toks[i]), o.factory.Out); err != nil {
				return err
			}
		}
		return nil
	}
	return printer.PrintObj(obj, o.factory.Out)
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
