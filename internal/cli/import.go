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
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

type importOptions struct {
	*options
	meta      metadataFlags
	fromFile  string
	fromStdin bool
	pattern   string
	wait      time.Duration
}

func newImportCommand(o *options) *cobra.Command {
	i := &importOptions{options: o}
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
		Args: exactlyOneName,
		RunE: func(cmd *cobra.Command, args []string) error { return i.run(cmd, args[0]) },
	}
	i.meta.addFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&i.fromFile, "from-file", "", "Read the value from this file")
	f.BoolVar(&i.fromStdin, "from-stdin", false, "Read the value from stdin")
	f.StringVar(&i.pattern, "pattern", "", "RE2 expression the whole value must match, instead of 32 characters of [a-z0-9]")
	f.DurationVar(&i.wait, "wait", DefaultWait, "How long to wait for the token to be Active (0: do not wait)")
	return cmd
}

func (i *importOptions) run(cmd *cobra.Command, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if (i.fromFile == "") == !i.fromStdin {
		return usagef("give the value with exactly one of --from-file FILE or --from-stdin")
	}
	rule, err := token.NewImportRule(i.pattern)
	if err != nil {
		return usagef("--pattern: %v", err)
	}
	value, err := i.read()
	if err != nil {
		return err
	}
	if err := rule.Check(value); err != nil {
		return fmt.Errorf("the value to import: %w", err)
	}
	kc, err := i.kube()
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	user, err := kc.whoami(ctx)
	if err != nil {
		return err
	}
	m, err := i.meta.metadata(kc.namespace, name, func() (string, error) { return user, nil })
	if err != nil {
		return err
	}
	if err := kc.Create(ctx, selfservice.ImportRequest{Metadata: m, Value: value}.ApiToken(user)); err != nil {
		return describe(err, "create", apiTokens, kc.namespace)
	}
	tok, err := kc.waitFor(ctx, name, i.wait, "Active", activeWith(value.Fingerprint(), 0))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(i.Out, "%s imported in namespace %q: hash-only, fingerprint %s%s; only the fingerprint was sent.\n",
		resourceName(name), kc.namespace, value.Fingerprint(), expiry(tok, i.Clock.Now()))
	return err
}

// read takes the value from the file or stdin, without one trailing newline.
func (i *importOptions) read() (token.Value, error) {
	var raw []byte
	var err error
	where := "stdin"
	if i.fromFile != "" {
		where = "--from-file " + i.fromFile
		raw, err = os.ReadFile(i.fromFile)
	} else {
		raw, err = io.ReadAll(io.LimitReader(i.In, token.MaxBytes+2))
	}
	if err != nil {
		return token.Value{}, fmt.Errorf("reading the value from %s: %w", where, err)
	}
	return token.NewValue(trimNewline(raw)), nil
}

// trimNewline drops one trailing "\n" or "\r\n", as `echo` and editors add.
func trimNewline(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
