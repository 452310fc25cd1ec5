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

package lifecycle

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
	"github.com/apitoken-io/apitoken-operator/internal/cli/waiting"
)

// DeleteOptions are delete's flags and the token it deletes.
type DeleteOptions struct {
	factory *factory.Factory
	confirm confirmFlags
	name    string
}

var _ factory.Command = &DeleteOptions{}

// NewCmdDelete is "delete NAME".
func NewCmdDelete(f *factory.Factory) *cobra.Command {
	o := &DeleteOptions{}
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a token: it stops verifying everywhere and its record is gone",
		Example: `  kubectl apitoken delete laptop
  kubectl apitoken delete ci --yes`,
		Args:              clierrors.ExactlyOneName,
		ValidArgsFunction: f.CompleteNames(),
		RunE:              factory.RunE(f, o),
	}
	o.confirm.addFlags(cmd, "gone")
	return cmd
}

// Complete takes the NAME.
func (o *DeleteOptions) Complete(f *factory.Factory, _ *cobra.Command, args []string) error {
	o.factory, o.name = f, args[0]
	return nil
}

// Validate has nothing to check before the token is read.
func (o *DeleteOptions) Validate() error { return nil }

// Run says what stops working, asks, deletes the token it read (by UID)
// and waits until it is gone.
func (o *DeleteOptions) Run(ctx context.Context) error {
	name := o.name
	kc, tok, err := o.factory.Token(ctx, name)
	if err != nil {
		return err
	}
	if err := o.confirm.confirm(o.factory, "Delete "+name+"?", consequences(tok, kc.Namespace, true)); err != nil {
		return err
	}
	if err := kc.Delete(ctx, tok, client.Preconditions{UID: &tok.UID}); err != nil {
		return clierrors.Describe(err, "delete", factory.ApiTokensResource, kc.Namespace)
	}
	if err := waiting.Gone(ctx, kc, name, o.confirm.wait); err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.factory.Out, "%s deleted from namespace %q.\n", printing.ResourceName(name), kc.Namespace)
	return err
}
