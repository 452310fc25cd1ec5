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

// Package cli is kubectl-apitoken, the kubectl plugin: commands that manage
// ApiTokens through the Kubernetes API as the user running them, so that
// RBAC checks and the audit log see that user. Hash-only values are drawn
// here, on the user's machine, and only their fingerprints are sent.
package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/create"
	"github.com/apitoken-io/apitoken-operator/internal/cli/exchange"
	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/get"
	"github.com/apitoken-io/apitoken-operator/internal/cli/lifecycle"
	"github.com/apitoken-io/apitoken-operator/internal/cli/reveal"
	"github.com/apitoken-io/apitoken-operator/internal/cli/status"
)

// Exit codes a script can rely on.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Env is what the commands read and write besides the cluster: the
// streams, the clock and the entropy source (tests inject them).
type Env struct {
	genericiooptions.IOStreams
	// Clock is the time relative dates are computed from; nil means the real one.
	Clock clock.PassiveClock
	// Rand draws token values; nil means crypto/rand.
	Rand io.Reader
}

// Main runs the plugin with args (without the program name) and returns
// its exit code: 0 done, 1 failure (one line on stderr), 2 usage.
func Main(args []string, env Env) int {
	if env.Clock == nil {
		env.Clock = clock.RealClock{}
	}
	cmd := NewCommand(env)
	cmd.SetArgs(args)
	err := cmd.Execute()
	klog.Flush()
	if err == nil {
		return ExitOK
	}
	if clierrors.IsUsage(err) {
		fmt.Fprintf(env.ErrOut, "error: %s\nSee '%s --help' for usage.\n", clierrors.OneLine(err.Error()), commandPath(cmd, args))
		return ExitUsage
	}
	fmt.Fprintf(env.ErrOut, "error: %s\n", clierrors.OneLine(err.Error()))
	return ExitFailure
}

// NewCommand is the root command, "kubectl apitoken".
func NewCommand(env Env) *cobra.Command {
	f := factory.New(env.IOStreams, env.Clock, env.Rand, "kubectl-apitoken/"+Version())
	root := &cobra.Command{
		Use:   "kubectl-apitoken",
		Short: "Manage ApiTokens: create hash-only tokens whose value never leaves this machine, rotate, revoke, inspect",
		Long: `kubectl apitoken manages ApiTokens (auth.apitoken.io) through the Kubernetes API,
as you: every action is checked by RBAC and recorded in the audit log under your name.

A hash-only token's value is drawn on this machine and printed once; the cluster
receives only its SHA-256 fingerprint.`,
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: "kubectl apitoken"},
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          clierrors.NoArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
		PersistentPreRunE: func(*cobra.Command, []string) error {
			// Requests, responses and client-go's own messages go to stderr,
			// never stdout, which holds only what the command prints.
			klog.SetOutput(env.ErrOut)
			ctrl.SetLogger(klog.NewKlogr())
			return nil
		},
	}
	root.SetIn(env.In)
	root.SetOut(env.Out)
	root.SetErr(env.ErrOut)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return clierrors.Usagef("%s", err.Error()) })
	f.AddFlags(root.PersistentFlags())
	root.AddCommand(
		get.NewCmd(f, "get"), get.NewCmd(f, "list"),
		create.NewCmdCreate(f), create.NewCmdImport(f), lifecycle.NewCmdRegenerate(f),
		lifecycle.NewCmdRevoke(f), lifecycle.NewCmdDelete(f), reveal.NewCmd(f),
		status.NewCmd(f), exchange.NewCmd(f), newVersionCommand(f),
	)
	for _, c := range root.Commands() {
		c.Flags().SortFlags = false
	}
	return root
}

// commandPath is "kubectl apitoken create" for the help hint.
func commandPath(root *cobra.Command, args []string) string {
	if c, _, err := root.Find(args); err == nil && c != nil {
		return strings.Replace(c.CommandPath(), "kubectl-apitoken", "kubectl apitoken", 1)
	}
	return "kubectl apitoken"
}
