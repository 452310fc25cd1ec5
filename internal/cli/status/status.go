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

// Package status is "kubectl apitoken status": one token's state in words,
// with its dates, revision, grace period, last use, what to do next and
// its recent Events, as cmctl describes a Certificate.
package status

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/flags"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
)

// Options are status's flags and the token it describes.
type Options struct {
	factory *factory.Factory
	window  time.Duration
	name    string
}

var _ factory.Command = &Options{}

// NewCmd is "status NAME".
func NewCmd(f *factory.Factory) *cobra.Command {
	o := &Options{}
	cmd := &cobra.Command{
		Use:   "status NAME",
		Short: "Describe a token's state in words: dates, revision, grace period, last use, what to do, recent Events",
		Example: `  kubectl apitoken status laptop
  kubectl apitoken status billing -n payments`,
		Args:              clierrors.ExactlyOneName,
		ValidArgsFunction: f.CompleteNames(),
		RunE:              factory.RunE(f, o),
	}
	flags.DaysVar(cmd.Flags(), &o.window, "expiring-within", printing.DefaultExpiringWithin, "Call an Active token expiring within this ExpiringSoon")
	return cmd
}

// Complete takes the NAME.
func (o *Options) Complete(f *factory.Factory, _ *cobra.Command, args []string) error {
	o.factory, o.name = f, args[0]
	return nil
}

// Validate has nothing to check: the flag's own type reads the window.
func (o *Options) Validate() error { return nil }

// Run reads the token and its Events and prints the report; Events that
// cannot be read are said so, not an error.
func (o *Options) Run(ctx context.Context) error {
	kc, tok, err := o.factory.Token(ctx, o.name)
	if err != nil {
		return err
	}
	events, eventsErr := listEvents(ctx, kc, tok)
	return report{now: o.factory.Clock.Now(), window: o.window}.print(o.factory.Out, tok, events, eventsErr)
}
