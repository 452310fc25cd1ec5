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
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/validation"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// metadataFlags are the descriptive fields create and import share.
type metadataFlags struct {
	tokenType   string
	principal   string
	ttl         time.Duration
	scopes      []string
	description string
	displayName string
}

func (m *metadataFlags) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&m.tokenType, "type", string(authv1alpha1.TokenTypeUser), "Kind of holder: "+typeNames())
	f.StringVar(&m.principal, "principal", "", "Who or what the token is for; defaults to you (your Kubernetes user name) for a User token")
	daysFlag(f, &m.ttl, "ttl", 0, "How long the token is valid (30d, 720h); absent: it never expires")
	f.StringSliceVar(&m.scopes, "scopes", nil, "What the token may be used for, comma-separated (read:reports,deploy/prod)")
	f.StringVar(&m.description, "description", "", "What the token is used for")
	f.StringVar(&m.displayName, "display-name", "", "A human-readable name")
	_ = cmd.RegisterFlagCompletionFunc("type", fixedCompletions(enumNames(authv1alpha1.TokenTypes)...))
}

// metadata checks the flags and fills the principal: the caller for a
// User token without one.
func (m *metadataFlags) metadata(namespace, name string, user func() (string, error)) (selfservice.Metadata, error) {
	t, err := parseType(m.tokenType)
	if err != nil {
		return selfservice.Metadata{}, err
	}
	if err := scope.Validate(m.scopes); err != nil {
		return selfservice.Metadata{}, usagef("--scopes: %v", err)
	}
	if m.ttl != 0 && m.ttl < time.Second {
		return selfservice.Metadata{}, usagef("--ttl %s: must be at least 1s", m.ttl)
	}
	principal := m.principal
	if principal == "" {
		if t != authv1alpha1.TokenTypeUser {
			return selfservice.Metadata{}, usagef("--principal is required for a %s token: name the team, workflow or client it is for", t)
		}
		if principal, err = user(); err != nil {
			return selfservice.Metadata{}, err
		}
	}
	return selfservice.Metadata{Namespace: namespace, Name: name, Type: t, Principal: principal,
		DisplayName: m.displayName, Description: m.description, TTL: m.ttl, Scopes: m.scopes}, nil
}

// generateFlags are how a value is drawn: the operator's own generator.
type generateFlags struct {
	length   int32
	charset  string
	prefix   string
	checksum bool
}

func (g *generateFlags) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Int32Var(&g.length, "length", authv1alpha1.DefaultLength, fmt.Sprintf("Random characters, not counting the prefix (%d to %d)", token.MinLength, token.MaxLength))
	f.StringVar(&g.charset, "charset", string(authv1alpha1.DefaultCharset), "Alphabet: "+joinNames(enumNames(authv1alpha1.Charsets)))
	f.StringVar(&g.prefix, "prefix", "", "Prepended to the value so that secret scanners recognise it (at_)")
	f.BoolVar(&g.checksum, "checksum", false, "Make the last 6 characters a CRC32 checksum, so clients and scanners tell a real token from a typo offline")
	_ = cmd.RegisterFlagCompletionFunc("charset", fixedCompletions(enumNames(authv1alpha1.Charsets)...))
}

// source checks the flags against the generator's rules (the CRD's own):
// a weak value is refused here, before anything is drawn or sent.
func (g *generateFlags) source() (authv1alpha1.GenerateSource, error) {
	c, err := parseCharset(g.charset)
	if err != nil {
		return authv1alpha1.GenerateSource{}, err
	}
	if g.length < token.MinLength || g.length > token.MaxLength {
		return authv1alpha1.GenerateSource{}, usagef("--length %d: must be between %d and %d (fewer random characters are guessable)", g.length, token.MinLength, token.MaxLength)
	}
	if !token.ValidPrefix(g.prefix) {
		return authv1alpha1.GenerateSource{}, usagef("--prefix %q: at most 32 characters of A-Z a-z 0-9 _ -", g.prefix)
	}
	return authv1alpha1.GenerateSource{Length: g.length, Charset: c, Prefix: g.prefix, Checksum: g.checksum}, nil
}

// secretFlag is --secret NAME[:KEY].
type secretFlag struct{ name, key string }

func (s *secretFlag) String() string {
	if s.key == "" {
		return s.name
	}
	return s.name + ":" + s.key
}

func (s *secretFlag) Set(v string) error {
	name, key, _ := strings.Cut(v, ":")
	if errs := validation.NameIsDNSSubdomain(name, false); len(errs) > 0 {
		return fmt.Errorf("the Secret name %q: %s", name, strings.Join(errs, "; "))
	}
	if key != "" && strings.Trim(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._") != "" {
		return fmt.Errorf("key %q: use A-Z a-z 0-9 - . _", key)
	}
	s.name, s.key = name, key
	return nil
}

func (s *secretFlag) Type() string { return "NAME[:KEY]" }

var _ pflag.Value = &secretFlag{}

type createOptions struct {
	*options
	meta   metadataFlags
	gen    generateFlags
	secret secretFlag
	wait   time.Duration
	out    valueOutput
}

func newCreateCommand(o *options) *cobra.Command {
	c := &createOptions{options: o}
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
		Args: exactlyOneName,
		RunE: func(cmd *cobra.Command, args []string) error { return c.run(cmd, args[0]) },
	}
	c.meta.addFlags(cmd)
	c.gen.addFlags(cmd)
	f := cmd.Flags()
	f.Var(&c.secret, "secret", "Make a Secret-held token in this Secret (and key, default \"token\") instead of a hash-only one")
	f.DurationVar(&c.wait, "wait", DefaultWait, "How long to wait for the token to be Active (0: do not wait)")
	c.out.addFlags(f)
	return cmd
}

func (c *createOptions) run(cmd *cobra.Command, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	gen, err := c.gen.source()
	if err != nil {
		return err
	}
	secretHeld := c.secret.name != ""
	if secretHeld && (c.out.tokenOnly || c.out.file != "") {
		return usagef("--secret makes a Secret-held token, whose value is not printed: --token-only and --output-file apply to hash-only tokens")
	}
	kc, err := c.kube()
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	user, err := kc.whoami(ctx)
	if err != nil {
		return err
	}
	m, err := c.meta.metadata(kc.namespace, name, func() (string, error) { return user, nil })
	if err != nil {
		return err
	}
	req := selfservice.CreateRequest{Metadata: m, Generate: gen}
	if secretHeld {
		req.Secret = &authv1alpha1.SecretTarget{Name: c.secret.name, Key: c.secret.key}
		if err := kc.Create(ctx, req.SecretHeld(user)); err != nil {
			return describe(err, "create", apiTokens, kc.namespace)
		}
		tok, err := kc.waitFor(ctx, name, c.wait, "Active", activeWith("", 0))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(c.Out, "%s created in namespace %q: Secret-held, in Secret %q key %q%s.\nRead it with: kubectl apitoken reveal %s -n %s\n",
			resourceName(name), kc.namespace, tok.SecretName(), tok.SecretKey(), expiry(tok, c.Clock.Now()), name, kc.namespace)
		return err
	}
	value, err := token.Generator{Rand: c.Rand}.Generate(gen)
	if err != nil {
		return err
	}
	if err := c.out.open(); err != nil {
		return err
	}
	if err := kc.Create(ctx, req.HashOnly(user, value)); err != nil {
		c.out.abandon()
		return describe(err, "create", apiTokens, kc.namespace)
	}
	return deliverValue(cmd, kc, &c.out, c.Env, name, value, 0, "created", c.wait)
}

// deliverValue waits for the hash-only token to be Active with value and
// puts the value out once. A token still pending when the wait ends gets
// its value out anyway (it will verify once the operator catches up), with
// the error; a Failed one does not.
func deliverValue(cmd *cobra.Command, kc *clients, out *valueOutput, env Env, name string, value token.Value, after int64, verb string, timeout time.Duration) error {
	tok, werr := kc.waitFor(cmd.Context(), name, timeout, "Active", activeWith(value.Fingerprint(), after))
	if werr != nil && (tok == nil || errors.Is(activeWith(value.Fingerprint(), after)(tok), errFailed)) {
		out.abandon()
		return werr
	}
	note := fmt.Sprintf("%s %s in namespace %q: hash-only, fingerprint %s (last characters %q)%s.",
		resourceName(name), verb, kc.namespace, value.Fingerprint(), value.LastChars(selfservice.LastChars), expiry(tok, env.Clock.Now()))
	if err := out.write(env.Out, value, note); err != nil {
		return err
	}
	return werr
}

// expiry is ", expires in 30d (2027-01-02T08:00:00Z)" or ", never expires".
func expiry(tok *authv1alpha1.ApiToken, now time.Time) string {
	switch {
	case tok == nil || tok.Status.TokenStatus != authv1alpha1.TokenStatusActive:
		return ""
	case tok.Status.ExpirationDate == nil:
		return ", never expires"
	default:
		e := tok.Status.ExpirationDate.Time
		return fmt.Sprintf(", expires %s (%s)", relative(e, now), e.UTC().Format(time.RFC3339))
	}
}

func resourceName(name string) string { return "apitoken.auth.apitoken.io/" + name }

// checkName refuses a name the API server would, before anything is drawn.
func checkName(name string) error {
	if errs := validation.NameIsDNSSubdomain(name, false); len(errs) > 0 {
		return usagef("NAME %q: %s", name, strings.Join(errs, "; "))
	}
	return nil
}
