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

// Package reveal is "kubectl apitoken reveal": a Secret-held token's value,
// read from its Secret with the user's own rights.
package reveal

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
)

// Options are reveal's flag and the token whose value it prints.
type Options struct {
	factory  *factory.Factory
	previous bool
	name     string
}

var _ factory.Command = &Options{}

// NewCmd is "reveal NAME".
func NewCmd(f *factory.Factory) *cobra.Command {
	o := &Options{}
	cmd := &cobra.Command{
		Use:   "reveal NAME",
		Short: "Print a Secret-held token's value (read from its Secret, with your rights)",
		Long: `Print the value of a Secret-held token on stdout, read from the Secret the
operator wrote, with your own credentials: it needs get on that Secret.

A hash-only token's value is not stored anywhere, so it cannot be revealed:
make a new one with "kubectl apitoken regenerate".`,
		Example: `  kubectl apitoken reveal billing
  kubectl apitoken reveal billing --previous   # the previous value, during a grace period`,
		Args:              clierrors.ExactlyOneName,
		ValidArgsFunction: f.CompleteNames(),
		RunE:              factory.RunE(f, o),
	}
	cmd.Flags().BoolVar(&o.previous, "previous", false, "The previous value, kept during a rotation's grace period")
	return cmd
}

// Complete takes the NAME.
func (o *Options) Complete(f *factory.Factory, _ *cobra.Command, args []string) error {
	o.factory, o.name = f, args[0]
	return nil
}

// Validate has nothing to check before the token is read.
func (o *Options) Validate() error { return nil }

// Run prints the value, alone, on stdout.
func (o *Options) Run(ctx context.Context) error {
	kc, err := o.factory.Clients()
	if err != nil {
		return err
	}
	value, err := kc.SecretValue(ctx, o.name, o.previous)
	if err != nil {
		return err
	}
	_, err = o.factory.Out.Write(append(value, '\n'))
	return err
}
