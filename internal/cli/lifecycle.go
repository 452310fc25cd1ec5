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
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/moby/term"
	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// confirmFlags are --yes and --wait for the commands that end a token.
type confirmFlags struct {
	yes  bool
	wait time.Duration
}

func (f *confirmFlags) addFlags(cmd *cobra.Command, what string) {
	cmd.Flags().BoolVarP(&f.yes, "yes", "y", false, "Do not ask for confirmation")
	cmd.Flags().DurationVar(&f.wait, "wait", DefaultWait, "How long to wait until the token is "+what+" (0: do not wait)")
}

// confirm says what stops working and asks y/N on stdin, unless --yes.
func (f *confirmFlags) confirm(o *options, question, consequences string) error {
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

func newRevokeCommand(o *options) *cobra.Command {
	f := &confirmFlags{}
	cmd := &cobra.Command{
		Use:   "revoke NAME",
		Short: "Revoke a token now: it stops verifying everywhere (the ApiToken stays, for its record)",
		Example: `  kubectl apitoken revoke laptop
  kubectl apitoken revoke ci --yes`,
		Args:              exactlyOneName,
		ValidArgsFunction: completeNames(o),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, name := cmd.Context(), args[0]
			kc, tok, err := o.token(ctx, name)
			if err != nil {
				return err
			}
			if tok.Spec.Revoked {
				_, err := fmt.Fprintf(o.Out, "%s in namespace %q is already revoked.\n", resourceName(name), kc.namespace)
				return err
			}
			if err := f.confirm(o, "Revoke "+name+"?", consequences(tok, kc.namespace, false)); err != nil {
				return err
			}
			if err := revoke(ctx, kc, tok); err != nil {
				return err
			}
			if _, err := kc.waitFor(ctx, name, f.wait, "Revoked", hasStatus(authv1alpha1.TokenStatusRevoked)); err != nil {
				return err
			}
			_, err = fmt.Fprintf(o.Out, "%s revoked in namespace %q: its value no longer verifies. Make it valid again with a new value: kubectl apitoken regenerate %s\n", resourceName(name), kc.namespace, name)
			return err
		},
	}
	f.addFlags(cmd, "Revoked")
	return cmd
}

// revoke sets spec.revoked with a merge patch, so that nothing else the
// token holds is written back.
func revoke(ctx context.Context, kc *clients, tok *authv1alpha1.ApiToken) error {
	patch := client.RawPatch("application/merge-patch+json", []byte(`{"spec":{"revoked":true}}`))
	if err := kc.Patch(ctx, tok, patch); err != nil {
		return describe(err, "patch", apiTokens, kc.namespace)
	}
	return nil
}

func newDeleteCommand(o *options) *cobra.Command {
	f := &confirmFlags{}
	cmd := &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a token: it stops verifying everywhere and its record is gone",
		Example: `  kubectl apitoken delete laptop
  kubectl apitoken delete ci --yes`,
		Args:              exactlyOneName,
		ValidArgsFunction: completeNames(o),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, name := cmd.Context(), args[0]
			kc, tok, err := o.token(ctx, name)
			if err != nil {
				return err
			}
			if err := f.confirm(o, "Delete "+name+"?", consequences(tok, kc.namespace, true)); err != nil {
				return err
			}
			if err := kc.Delete(ctx, tok, client.Preconditions{UID: &tok.UID}); err != nil {
				return describe(err, "delete", apiTokens, kc.namespace)
			}
			if err := kc.waitGone(ctx, name, f.wait); err != nil {
				return err
			}
			_, err = fmt.Fprintf(o.Out, "%s deleted from namespace %q.\n", resourceName(name), kc.namespace)
			return err
		},
	}
	f.addFlags(cmd, "gone")
	return cmd
}

type revealOptions struct {
	*options
	previous bool
}

func newRevealCommand(o *options) *cobra.Command {
	r := &revealOptions{options: o}
	cmd := &cobra.Command{
		Use:   "reveal NAME",
		Short: "Print a Secret-held token's value (read from its Secret, with your rights)",
		Long: `Print the value of a Secret-held token on stdout, read from the Secret the
operator wrote, with your own credentials: it needs get on that Secret.

A hash-only token's value is not stored anywhere, so it cannot be revealed:
make a new one with "kubectl apitoken regenerate".`,
		Example: `  kubectl apitoken reveal billing
  kubectl apitoken reveal billing --previous   # the previous value, during a grace period`,
		Args:              exactlyOneName,
		ValidArgsFunction: completeNames(o),
		RunE: func(cmd *cobra.Command, args []string) error {
			kc, err := o.kube()
			if err != nil {
				return err
			}
			value, err := secretValue(cmd.Context(), kc, args[0], r.previous)
			if err != nil {
				return err
			}
			_, err = o.Out.Write(append(value, '\n'))
			return err
		},
	}
	cmd.Flags().BoolVar(&r.previous, "previous", false, "The previous value, kept during a rotation's grace period")
	return cmd
}

// secretValue reads a Secret-held token's value from its Secret, checked
// against the fingerprint in the ApiToken's status. Client-go's body log
// (-v=8 and above) is turned down for the read: a Secret's data is never
// logged.
func secretValue(ctx context.Context, kc *clients, name string, previous bool) ([]byte, error) {
	tok, err := kc.get(ctx, name)
	if err != nil {
		return nil, err
	}
	if tok.Hashed() != nil {
		return nil, fmt.Errorf("ApiToken %s/%s is hash-only: its value is not stored anywhere in the cluster, so it cannot be revealed; make a new one with: kubectl apitoken regenerate %s -n %s", kc.namespace, name, name, kc.namespace)
	}
	if tok.Status.TokenStatus != authv1alpha1.TokenStatusActive || tok.Status.SecretName == "" {
		return nil, fmt.Errorf("ApiToken %s/%s is %s: there is no value to reveal (%s)", kc.namespace, name, state(tok, time.Now(), 0), readyMessage(tok))
	}
	secret := &corev1.Secret{}
	restore := quietBodies()
	err = kc.Get(ctx, client.ObjectKey{Namespace: kc.namespace, Name: tok.Status.SecretName}, secret)
	restore()
	if err != nil {
		return nil, describe(err, "get", "secrets", kc.namespace)
	}
	key := tok.SecretKey()
	if previous {
		key = tok.PreviousSecretKey()
	}
	value, ok := secret.Data[key]
	switch {
	case !ok && previous:
		return nil, fmt.Errorf("ApiToken %s/%s has no previous value: Secret %q holds one only during a rotation's grace period", kc.namespace, name, secret.Name)
	case !ok:
		return nil, fmt.Errorf("the Secret %s/%s has no key %q: the operator has not written the token yet; see: kubectl apitoken status %s", kc.namespace, secret.Name, key, name)
	case !previous && token.Fingerprint(value) != tok.Status.TokenHash:
		return nil, fmt.Errorf("the Secret %s/%s key %q does not hold this ApiToken's current token (its fingerprint differs from status.tokenHash): someone edited it; the operator will write the token again", kc.namespace, secret.Name, key)
	}
	return value, nil
}
