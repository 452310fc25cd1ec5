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

package create

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
	"github.com/apitoken-io/apitoken-operator/internal/cli/tokenvalue"
	"github.com/apitoken-io/apitoken-operator/internal/cli/waiting"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// ImportOptions are import's flags and the token it registers.
type ImportOptions struct {
	factory   *factory.Factory
	name      string
	meta      metadataFlags
	fromFile  string
	fromStdin bool
	pattern   string
	wait      time.Duration

	// rule is what the value must match: --pattern, else the default.
	rule token.ImportRule
}

var _ factory.Command = &ImportOptions{}

// NewCmdImport is "import NAME (--from-file FILE | --from-stdin)".
func NewCmdImport(f *factory.Factory) *cobra.Command {
	i := &ImportOptions{}
	cmd := &cobra.Command{
		Use:   "import NAME (--from-file FILE | --from-stdin)",
		Short: "Register a value held elsewhere as a hash-only token: only its fingerprint is sent",
		Long: `Register a token value that is held outside the cluster (issued by another
system, or kept in a vault) as a hash-only ApiToken, so that the operator
verifies it. The value is read here and checked against the format rule;
only its SHA-256 fingerprint and last 5 characters are sent.

The default rule is exactly 32 characters of [a-z0-9]; --pattern (RE2, the
whole value) accepts another format. One trailing newline is ignored.`,
		Example: `  kubectl apitoken import legacy-ci --type Workflow --principal ci --from-file ./ci.token
  vault kv get -field=token secret/ci | kubectl apitoken import legacy-ci --principal ci --type Workflow --from-stdin --pattern 'glpat-[A-Za-z0-9_-]{20}'`,
		Args: clierrors.ExactlyOneName,
		RunE: factory.RunE(f, i),
	}
	i.meta.addFlags(cmd)
	fs := cmd.Flags()
	fs.StringVar(&i.fromFile, "from-file", "", "Read the value from this file")
	fs.BoolVar(&i.fromStdin, "from-stdin", false, "Read the value from stdin")
	fs.StringVar(&i.pattern, "pattern", "", "RE2 expression the whole value must match, instead of 32 characters of [a-z0-9]")
	fs.DurationVar(&i.wait, "wait", waiting.DefaultTimeout, "How long to wait for the token to be Active (0: do not wait)")
	return cmd
}

// Complete takes the NAME.
func (i *ImportOptions) Complete(f *factory.Factory, _ *cobra.Command, args []string) error {
	i.factory, i.name = f, args[0]
	return nil
}

// Validate checks the name, that the value comes from one place, and
// --pattern.
func (i *ImportOptions) Validate() error {
	if err := checkName(i.name); err != nil {
		return err
	}
	if (i.fromFile == "") == !i.fromStdin {
		return clierrors.Usagef("give the value with exactly one of --from-file FILE or --from-stdin")
	}
	rule, err := token.NewImportRule(i.pattern)
	if err != nil {
		return clierrors.Usagef("--pattern: %v", err)
	}
	i.rule = rule
	return nil
}

// Run reads and checks the value here, then registers its fingerprint as
// the caller and waits for the token to be Active.
func (i *ImportOptions) Run(ctx context.Context) error {
	name := i.name
	value, err := i.read()
	if err != nil {
		return err
	}
	if err := i.rule.Check(value); err != nil {
		return fmt.Errorf("the value to import: %w", err)
	}
	kc, err := i.factory.Clients()
	if err != nil {
		return err
	}
	user, err := kc.Whoami(ctx)
	if err != nil {
		return err
	}
	m, err := i.meta.metadata(kc.Namespace, name, func() (string, error) { return user, nil })
	if err != nil {
		return err
	}
	if err := kc.Create(ctx, selfservice.ImportRequest{Metadata: m, Value: value}.ApiToken(user)); err != nil {
		return clierrors.Describe(err, "create", factory.ApiTokensResource, kc.Namespace)
	}
	tok, err := waiting.For(ctx, kc, name, i.wait, "Active", waiting.ActiveWith(value.Fingerprint(), 0))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(i.factory.Out, "%s imported in namespace %q: hash-only, fingerprint %s%s; only the fingerprint was sent.\n",
		printing.ResourceName(name), kc.Namespace, value.Fingerprint(), printing.Expiry(tok, i.factory.Clock.Now()))
	return err
}

// read takes the value from the file or stdin, without one trailing newline.
func (i *ImportOptions) read() (token.Value, error) {
	var raw []byte
	var err error
	where := "stdin"
	if i.fromFile != "" {
		where = "--from-file " + i.fromFile
		raw, err = os.ReadFile(i.fromFile)
	} else {
		raw, err = io.ReadAll(io.LimitReader(i.factory.In, token.MaxBytes+2))
	}
	if err != nil {
		return token.Value{}, fmt.Errorf("reading the value from %s: %w", where, err)
	}
	return token.NewValue(tokenvalue.TrimNewline(raw)), nil
}
