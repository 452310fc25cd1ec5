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

// Package create is "kubectl apitoken create" and "import": a new
// ApiToken whose value is drawn here (hash-only, printed once), generated
// by the operator into a Secret, or held elsewhere and registered by its
// fingerprint.
package create

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/validation"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
	"github.com/apitoken-io/apitoken-operator/internal/cli/tokenvalue"
	"github.com/apitoken-io/apitoken-operator/internal/cli/waiting"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// Options are create's flags and the token it makes.
type Options struct {
	factory *factory.Factory
	name    string
	meta    metadataFlags
	gen     generateFlags
	secret  secretFlag
	wait    time.Duration
	out     tokenvalue.Output

	// source is --length, --charset, --prefix and --checksum, checked.
	source authv1alpha1.GenerateSource
}

var _ factory.Command = &Options{}

// NewCmdCreate is "create NAME".
func NewCmdCreate(f *factory.Factory) *cobra.Command {
	c := &Options{}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a token: hash-only by default, its value drawn here and printed once",
		Long: `Create an ApiToken. By default it is hash-only: the value is drawn on this
machine with the operator's own generator (crypto/rand), and only its SHA-256
fingerprint and last 5 characters are sent to the cluster. The value is printed
once, when the token is Active, and is never stored anywhere.

With --secret the operator generates the value into a Secret instead, for a
workload to mount; nothing is printed (see "kubectl apitoken reveal").`,
		Example: `  kubectl apitoken create laptop --ttl 30d --scopes read:reports
  TOKEN=$(kubectl apitoken create ci --type Workflow --principal ci/deploy --ttl 7d -t)
  kubectl apitoken create nightly --ttl 90d --prefix at_ --checksum --output-file ~/.config/nightly.token
  kubectl apitoken create billing --type ApiClient --principal billing --secret billing-token:token`,
		Args: clierrors.ExactlyOneName,
		RunE: factory.RunE(f, c),
	}
	c.meta.addFlags(cmd)
	c.gen.addFlags(cmd)
	fs := cmd.Flags()
	fs.Var(&c.secret, "secret", "Make a Secret-held token in this Secret (and key, default \"token\") instead of a hash-only one")
	fs.DurationVar(&c.wait, "wait", waiting.DefaultTimeout, "How long to wait for the token to be Active (0: do not wait)")
	c.out.AddFlags(fs)
	return cmd
}

// Complete takes the NAME.
func (c *Options) Complete(f *factory.Factory, _ *cobra.Command, args []string) error {
	c.factory, c.name = f, args[0]
	return nil
}

// Validate checks the name and the generator's settings, and that a
// Secret-held token is not asked to print its value.
func (c *Options) Validate() error {
	if err := checkName(c.name); err != nil {
		return err
	}
	gen, err := c.gen.source()
	if err != nil {
		return err
	}
	c.source = gen
	if c.secret.name != "" && (c.out.TokenOnly || c.out.File != "") {
		return clierrors.Usagef("--secret makes a Secret-held token, whose value is not printed: --token-only and --output-file apply to hash-only tokens")
	}
	return nil
}

// Run makes the ApiToken as the caller (the principal of a User token
// defaults to them), waits for it to be Active and says so; a hash-only
// token's value is drawn here and put out once.
func (c *Options) Run(ctx context.Context) error {
	name, gen := c.name, c.source
	kc, err := c.factory.Clients()
	if err != nil {
		return err
	}
	user, err := kc.Whoami(ctx)
	if err != nil {
		return err
	}
	m, err := c.meta.metadata(kc.Namespace, name, func() (string, error) { return user, nil })
	if err != nil {
		return err
	}
	req := selfservice.CreateRequest{Metadata: m, Generate: gen}
	if c.secret.name != "" {
		req.Secret = &authv1alpha1.SecretTarget{Name: c.secret.name, Key: c.secret.key}
		if err := kc.Create(ctx, req.SecretHeld(user)); err != nil {
			return clierrors.Describe(err, "create", factory.ApiTokensResource, kc.Namespace)
		}
		tok, err := waiting.For(ctx, kc, name, c.wait, "Active", waiting.ActiveWith("", 0))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(c.factory.Out, "%s created in namespace %q: Secret-held, in Secret %q key %q%s.\nRead it with: kubectl apitoken reveal %s -n %s\n",
			printing.ResourceName(name), kc.Namespace, tok.SecretName(), tok.SecretKey(), printing.Expiry(tok, c.factory.Clock.Now()), name, kc.Namespace)
		return err
	}
	value, err := token.Generator{Rand: c.factory.Rand}.Generate(gen)
	if err != nil {
		return err
	}
	if err := c.out.Open(); err != nil {
		return err
	}
	if err := kc.Create(ctx, req.HashOnly(user, value)); err != nil {
		c.out.Abandon()
		return clierrors.Describe(err, "create", factory.ApiTokensResource, kc.Namespace)
	}
	return tokenvalue.Deliver(ctx, c.factory, kc, &c.out, name, value, 0, "created", c.wait)
}

// checkName refuses a name the API server would, before anything is drawn.
func checkName(name string) error {
	if errs := validation.NameIsDNSSubdomain(name, false); len(errs) > 0 {
		return clierrors.Usagef("NAME %q: %s", name, strings.Join(errs, "; "))
	}
	return nil
}
