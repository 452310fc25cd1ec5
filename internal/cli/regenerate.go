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
	"strconv"
	"time"

	"github.com/spf13/cobra"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

type regenerateOptions struct {
	*options
	grace time.Duration
	wait  time.Duration
	out   valueOutput
}

func newRegenerateCommand(o *options) *cobra.Command {
	r := &regenerateOptions{options: o}
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
		Args:              exactlyOneName,
		ValidArgsFunction: completeNames(o),
		RunE:              func(cmd *cobra.Command, args []string) error { return r.run(cmd, args[0]) },
	}
	f := cmd.Flags()
	daysFlag(f, &r.grace, "grace", 0, "Keep the previous value valid this long (1h); 0 with the flag given: none")
	f.DurationVar(&r.wait, "wait", DefaultWait, "How long to wait for the new value to be Active (0: do not wait)")
	r.out.addFlags(f)
	return cmd
}

func (r *regenerateOptions) run(cmd *cobra.Command, name string) error {
	ctx := cmd.Context()
	kc, tok, err := r.token(ctx, name)
	if err != nil {
		return err
	}
	req := selfservice.RegenerateRequest{}
	if cmd.Flag("grace").Changed {
		req.GracePeriod = &r.grace
	}
	revision := tok.Status.Revision
	if tok.Hashed() == nil {
		if r.out.tokenOnly || r.out.file != "" {
			return usagef("ApiToken %s/%s is Secret-held: the operator writes its new value into Secret %q, nothing is printed; --token-only and --output-file apply to hash-only tokens", kc.namespace, name, tok.SecretName())
		}
		req.Regenerate(tok, token.Value{}, strconv.FormatInt(r.Clock.Now().UnixNano(), 36))
		if err := kc.Update(ctx, tok); err != nil {
			return describe(err, "update", apiTokens, kc.namespace)
		}
		done, err := kc.waitFor(ctx, name, r.wait, "Active with a new revision", activeWith("", revision))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(r.Out, "%s regenerated in namespace %q: Secret %q key %q holds revision %d%s%s.\n",
			resourceName(name), kc.namespace, done.SecretName(), done.SecretKey(), done.Status.Revision, expiry(done, r.Clock.Now()), graceNote(done, r.Clock.Now()))
		return err
	}
	value, err := token.Generator{Rand: r.Rand}.Generate(selfservice.GenerateSettings(tok))
	if err != nil {
		return err
	}
	if err := r.out.open(); err != nil {
		return err
	}
	req.Regenerate(tok, value, "")
	if err := kc.Update(ctx, tok); err != nil {
		r.out.abandon()
		return describe(err, "update", apiTokens, kc.namespace)
	}
	return deliverValue(cmd, kc, &r.out, r.Env, name, value, revision, "regenerated", r.wait)
}

// graceNote says until when the previous value keeps working.
func graceNote(tok *authv1alpha1.ApiToken, now time.Time) string {
	if p := tok.Status.PreviousTokenExpirationDate; p != nil && p.After(now) {
		return fmt.Sprintf("; the previous value works until %s (%s)", p.UTC().Format(time.RFC3339), relative(p.Time, now))
	}
	return ""
}
