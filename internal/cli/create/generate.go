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
	"fmt"

	"github.com/spf13/cobra"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/flags"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

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
	f.StringVar(&g.charset, "charset", string(authv1alpha1.DefaultCharset), "Alphabet: "+flags.JoinNames(flags.EnumNames(authv1alpha1.Charsets)))
	f.StringVar(&g.prefix, "prefix", "", "Prepended to the value so that secret scanners recognise it (at_)")
	f.BoolVar(&g.checksum, "checksum", false, "Make the last 6 characters a CRC32 checksum, so clients and scanners tell a real token from a typo offline")
	_ = cmd.RegisterFlagCompletionFunc("charset", flags.CompleteFixed(flags.EnumNames(authv1alpha1.Charsets)...))
}

// source checks the flags against the generator's rules (the CRD's own):
// a weak value is refused here, before anything is drawn or sent.
func (g *generateFlags) source() (authv1alpha1.GenerateSource, error) {
	c, err := flags.ParseCharset(g.charset)
	if err != nil {
		return authv1alpha1.GenerateSource{}, err
	}
	if g.length < token.MinLength || g.length > token.MaxLength {
		return authv1alpha1.GenerateSource{}, clierrors.Usagef("--length %d: must be between %d and %d (fewer random characters are guessable)", g.length, token.MinLength, token.MaxLength)
	}
	if !token.ValidPrefix(g.prefix) {
		return authv1alpha1.GenerateSource{}, clierrors.Usagef("--prefix %q: at most 32 characters of A-Z a-z 0-9 _ -", g.prefix)
	}
	return authv1alpha1.GenerateSource{Length: g.length, Charset: c, Prefix: g.prefix, Checksum: g.checksum}, nil
}
