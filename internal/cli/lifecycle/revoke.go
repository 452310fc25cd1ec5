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

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
	"github.com/apitoken-io/apitoken-operator/internal/cli/waiting"
)

// RevokeOptions are revoke's flags and the token it revokes.
type RevokeOptions struct {
	factory *factory.Factory
	confirm confirmFlags
	name    string
}

var _ factory.Command = &RevokeOptions{}

// NewCmdRevoke is "revoke NAME".
func NewCmdRevoke(f *factory.Factory) *cobra.Command {
	o := &RevokeOptions{}
	cmd := &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke a token now: it stops verifying everywhere (the ApiToken stays, for its record)",
		Example: `  kubectl apitoken revoke laptop
  kubectl apitoken revoke ci --yes`,
		Args:              clierrors.ExactlyOneName,
		ValidArgsFunction: f.CompleteNames(),
		RunE:              factory.RunE(f, o),
	}
	o.confirm.addFlags(cmd, "Revoked")
	return cmd
}

// Complete takes the NAME.
func (o *RevokeOptions) Complete(f *factory.Factory, _ *cobra.Command, args []string) error {
	o.factory, o.name = f, args[0]
	return nil
}

// Validate has nothing to check before the token is read.
func (o *RevokeOptions) Validate() error { return nil }

// Run says what stops working, asks, revokes and waits for the operator
// to report the token Revoked. A token already revoked is left as it is.
func (o *RevokeOptions) Run(ctx context.Context) error {
	name := o.name
	kc, tok, err := o.factory.Token(ctx, name)
	if err != nil {
		return err
	}
	if tok.Spec.Revoked {
		_, err := fmt.Fprintf(o.factory.Out, "%s in namespace %q is already revoked.\n", printing.ResourceName(name), kc.Namespace)
		return err
	}
	if err := o.confirm.confirm(o.factory, "Revoke "+name+"?", consequences(tok, kc.Namespace, false)); err != nil {
		return err
	}
	if err := revoke(ctx, kc, tok); err != nil {
		return err
	}
	if _, err := waiting.For(ctx, kc, name, o.confirm.wait, "Revoked", waiting.HasStatus(authv1alpha1.TokenStatusRevoked)); err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.factory.Out, "%s revoked in namespace %q: its value no longer verifies. Make it valid again with a new value: kubectl apitoken regenerate %s\n", printing.ResourceName(name), kc.Namespace, name)
	return err
}

// revoke sets spec.revoked with a merge patch, so that nothing else the
// token holds is written back.
func revoke(ctx context.Context, kc *factory.Clients, tok *authv1alpha1.ApiToken) error {
	patch := client.RawPatch("application/merge-patch+json", []byte(`{"spec":{"revoked":true}}`))
	if err := kc.Patch(ctx, tok, patch); err != nil {
		return clierrors.Describe(err, "patch", factory.ApiTokensResource, kc.Namespace)
	}
	return nil
}
