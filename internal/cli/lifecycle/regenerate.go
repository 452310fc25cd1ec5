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
	"strconv"
	"time"

	"github.com/spf13/cobra"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/flags"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
	"github.com/apitoken-io/apitoken-operator/internal/cli/tokenvalue"
	"github.com/apitoken-io/apitoken-operator/internal/cli/waiting"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// RegenerateOptions are regenerate's flags and the token it gives a new value.
type RegenerateOptions struct {
	factory *factory.Factory
	name    string
	grace   time.Duration
	wait    time.Duration
	out     tokenvalue.Output
	// graceGiven says --grace was given, even as 0.
	graceGiven bool
}

var _ factory.Command = &RegenerateOptions{}

// NewCmdRegenerate is "regenerate NAME".
func NewCmdRegenerate(f *factory.Factory) *cobra.Command {
	r := &RegenerateOptions{}
	cmd := &cobra.Command{
		Use:   "regenerate NAME",
		Short: "Replace a token's value: a new local value for a hash-only token, a rotation for a Secret-held one",
		Long: `Replace a token's value.

A hash-only token gets a new value drawn on this machine (with the settings it
was created with); only the new fingerprint is sent, and the value is printed
once. A Secret-held token is rotated by the operator (the rotate annotation):
the Secret gets the new value, nothing is printed.

With --grace the previous value keeps working that long, so that its users
can switch without downtime; it is kept in spec.rotation.gracePeriod for
later rotations too. A revoked token becomes valid again with its new value.`,
		Example: `  kubectl apitoken regenerate laptop
  kubectl apitoken regenerate ci --grace 1h -t
  kubectl apitoken regenerate billing   # Secret-held: the operator writes a new value`,
		Args:              clierrors.ExactlyOneName,
		ValidArgsFunction: f.CompleteNames(),
		RunE:              factory.RunE(f, r),
	}
	fs := cmd.Flags()
	flags.DaysVar(fs, &r.grace, "grace", 0, "Keep the previous value valid this long (1h); 0 with the flag given: none")
	fs.DurationVar(&r.wait, "wait", waiting.DefaultTimeout, "How long to wait for the new value to be Active (0: do not wait)")
	r.out.AddFlags(fs)
	return cmd
}

// Complete takes the NAME and whether --grace was given.
func (r *RegenerateOptions) Complete(f *factory.Factory, cmd *cobra.Command, args []string) error {
	r.factory, r.name = f, args[0]
	r.graceGiven = cmd.Flag("grace").Changed
	return nil
}

// Validate has nothing to check before the token is read: whether
// --token-only and --output-file apply depends on how it is held.
func (r *RegenerateOptions) Validate() error { return nil }

// Run gives a hash-only token a new value drawn here, put out once, and
// has the operator rotate a Secret-held one.
func (r *RegenerateOptions) Run(ctx context.Context) error {
	name := r.name
	kc, tok, err := r.factory.Token(ctx, name)
	if err != nil {
		return err
	}
	req := selfservice.RegenerateRequest{}
	if r.graceGiven {
		req.GracePeriod = &r.grace
	}
	revision := tok.Status.Revision
	if tok.Hashed() == nil {
		if r.out.TokenOnly || r.out.File != "" {
			return clierrors.Usagef("ApiToken %s/%s is Secret-held: the operator writes its new value into Secret %q, nothing is printed; --token-only and --output-file apply to hash-only tokens", kc.Namespace, name, tok.SecretName())
		}
		req.Regenerate(tok, token.Value{}, strconv.FormatInt(r.factory.Clock.Now().UnixNano(), 36))
		if err := kc.Update(ctx, tok); err != nil {
			return clierrors.Describe(err, "update", factory.ApiTokensResource, kc.Namespace)
		}
		done, err := waiting.For(ctx, kc, name, r.wait, "Active with a new revision", waiting.ActiveWith("", revision))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(r.factory.Out, "%s regenerated in namespace %q: Secret %q key %q holds revision %d%s%s.\n",
			printing.ResourceName(name), kc.Namespace, done.SecretName(), done.SecretKey(), done.Status.Revision, printing.Expiry(done, r.factory.Clock.Now()), graceNote(done, r.factory.Clock.Now()))
		return err
	}
	value, err := token.Generator{Rand: r.factory.Rand}.Generate(selfservice.GenerateSettings(tok))
	if err != nil {
		return err
	}
	if err := r.out.Open(); err != nil {
		return err
	}
	req.Regenerate(tok, value, "")
	if err := kc.Update(ctx, tok); err != nil {
		r.out.Abandon()
		return clierrors.Describe(err, "update", factory.ApiTokensResource, kc.Namespace)
	}
	return tokenvalue.Deliver(ctx, r.factory, kc, &r.out, name, value, revision, "regenerated", r.wait)
}

// graceNote says until when the previous value keeps working.
func graceNote(tok *authv1alpha1.ApiToken, now time.Time) string {
	if p := tok.Status.PreviousTokenExpirationDate; p != nil && p.After(now) {
		return fmt.Sprintf("; the previous value works until %s (%s)", p.UTC().Format(time.RFC3339), printing.Relative(p.Time, now))
	}
	return ""
}
