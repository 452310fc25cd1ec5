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
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
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
	var usage *usageError
	if errors.As(err, &usage) || isCobraUsage(err) {
		fmt.Fprintf(env.ErrOut, "error: %s\nSee '%s --help' for usage.\n", oneLine(err.Error()), commandPath(cmd, args))
		return ExitUsage
	}
	fmt.Fprintf(env.ErrOut, "error: %s\n", oneLine(err.Error()))
	return ExitFailure
}

// NewCommand is the root command, "kubectl apitoken".
func NewCommand(env Env) *cobra.Command {
	o := newOptions(env)
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
		Args:          noArgs,
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
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err.Error()} })
	o.config.AddFlags(root.PersistentFlags())
	addKlogFlags(root)
	root.AddCommand(
		newGetCommand(o, "get"), newGetCommand(o, "list"),
		newCreateCommand(o), newImportCommand(o), newRegenerateCommand(o),
		newRevokeCommand(o), newDeleteCommand(o), newRevealCommand(o),
		newStatusCommand(o), newExchangeCommand(o), newVersionCommand(o),
	)
	for _, c := range root.Commands() {
		c.Flags().SortFlags = false
	}
	return root
}

// options are the flags and clients every command shares.
type options struct {
	Env
	config *genericclioptions.ConfigFlags
	// clients is built on first use, from config.
	clients *clients
}

func newOptions(env Env) *options {
	return &options{Env: env, config: genericclioptions.NewConfigFlags(true)}
}

// addKlogFlags adds -v, the verbosity of client-go's request log (as in
// kubectl): -v=6 logs requests, -v=8 and above their bodies too.
func addKlogFlags(root *cobra.Command) {
	fs := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(fs)
	_ = fs.Set("logtostderr", "false")
	_ = fs.Set("alsologtostderr", "false")
	// klog's flags are process-wide: each run starts from -v=0.
	_ = fs.Set("v", "0")
	verbosity = fs.Lookup("v")
	root.PersistentFlags().AddGoFlag(verbosity)
}

// verbosity is klog's -v flag.
var verbosity *flag.Flag

// maxBodyQuietLevel is the highest -v at which client-go logs no bodies.
const maxBodyQuietLevel = 7

// quietBodies turns client-go's body log off (below -v=8) until the
// returned func is called: a read whose response holds a token value
// must not print it to stderr.
func quietBodies() (restore func()) {
	if verbosity == nil {
		return func() {}
	}
	old := verbosity.Value.String()
	if n, err := strconv.Atoi(old); err != nil || n <= maxBodyQuietLevel {
		return func() {}
	}
	_ = verbosity.Value.Set(strconv.Itoa(maxBodyQuietLevel))
	return func() { _ = verbosity.Value.Set(old) }
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// isCobraUsage recognises cobra's own usage errors, which are not typed.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "invalid argument", "accepts ", "requires at least", "flag needs an argument"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// commandPath is "kubectl apitoken create" for the help hint.
func commandPath(root *cobra.Command, args []string) string {
	if c, _, err := root.Find(args); err == nil && c != nil {
		return strings.Replace(c.CommandPath(), "kubectl-apitoken", "kubectl apitoken", 1)
	}
	return "kubectl apitoken"
}

// oneLine folds an error onto one line, as scripts read it.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// noArgs refuses arguments as a usage error.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command or argument %q", args[0])
	}
	return nil
}

// exactlyOneName takes the ApiToken's name and nothing else.
func exactlyOneName(_ *cobra.Command, args []string) error {
	switch len(args) {
	case 0:
		return usagef("NAME is required: the ApiToken's name")
	case 1:
		return nil
	default:
		return usagef("one NAME only, got %d arguments: %s", len(args), strings.Join(args, " "))
	}
}
