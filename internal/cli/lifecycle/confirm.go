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

// Package lifecycle is the commands that end or replace a token's value:
// "regenerate" (a new value), "revoke" (no value, the record stays) and
// "delete" (no value, no record). The two that end a value ask first.
package lifecycle

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/moby/term"
	"github.com/spf13/cobra"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/waiting"
)

// confirmFlags are --yes and --wait for the commands that end a token.
type confirmFlags struct {
	yes  bool
	wait time.Duration
}

func (f *confirmFlags) addFlags(cmd *cobra.Command, what string) {
	cmd.Flags().BoolVarP(&f.yes, "yes", "y", false, "Do not ask for confirmation")
	cmd.Flags().DurationVar(&f.wait, "wait", waiting.DefaultTimeout, "How long to wait until the token is "+what+" (0: do not wait)")
}

// confirm says what stops working and asks y/N on stdin, unless --yes.
func (f *confirmFlags) confirm(o *factory.Factory, question, consequences string) error {
	if f.yes {
		return nil
	}
	fmt.Fprintf(o.ErrOut, "%s\n%s [y/N]: ", consequences, question)
	answer, err := bufio.NewReader(o.In).ReadString('\n')
	if _, tty := term.GetFdInfo(o.In); !tty {
		fmt.Fprintln(o.ErrOut) // a terminal would have echoed the newline
	}
	if err != nil && answer == "" {
		return errors.New("no answer on stdin: nothing was changed; pass --yes to skip the question")
	}
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		return errors.New("aborted: nothing was changed")
	}
	return nil
}

// consequences says what stops working when tok's value does.
func consequences(tok *authv1alpha1.ApiToken, namespace string, deleting bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ApiToken %s/%s (%s %q", namespace, tok.Name, tok.Spec.Type, tok.Spec.Principal)
	if tok.Status.TokenLastChars != "" {
		fmt.Fprintf(&b, ", value ending %q", tok.Status.TokenLastChars)
	}
	b.WriteString("): its value stops verifying at once, at the verify endpoints, forward auth, TokenReview and the token endpoint, for every service and script that uses it")
	if tok.Status.PreviousTokenHash != "" || tok.Status.PreviousTokenExpirationDate != nil {
		b.WriteString(", and so does the previous value still in its grace period")
	}
	b.WriteString(". Access tokens already exchanged for it stay valid until they expire.")
	if tok.Hashed() == nil && tok.Status.SecretName != "" {
		switch {
		case !deleting:
			fmt.Fprintf(&b, " Secret %q loses the value: workloads that mount it lose the token.", tok.Status.SecretName)
		case tok.DeletionPolicyOrDefault() == authv1alpha1.DeletionPolicyRetain:
			fmt.Fprintf(&b, " Secret %q is kept (deletionPolicy Retain).", tok.Status.SecretName)
		default:
			fmt.Fprintf(&b, " Secret %q is deleted with it: workloads that mount it lose the token.", tok.Status.SecretName)
		}
	}
	return b.String()
}
