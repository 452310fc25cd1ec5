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
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// enumNames spells every value as the CRD does (User, ApiClient).
func enumNames[T ~string](all []T) []string {
	out := make([]string, len(all))
	for i, v := range all {
		out[i] = string(v)
	}
	return out
}

func joinNames(names []string) string { return strings.Join(names, ", ") }

func typeNames() string { return joinNames(enumNames(authv1alpha1.TokenTypes)) }

// parseType reads --type in any spelling (User, USER, api-client).
func parseType(s string) (authv1alpha1.TokenType, error) {
	t, ok := authv1alpha1.ParseEnum(authv1alpha1.TokenTypes, s)
	if !ok {
		return "", usagef("--type %q: use one of %s", s, typeNames())
	}
	return t, nil
}

// parseCharset reads --charset in any spelling.
func parseCharset(s string) (authv1alpha1.Charset, error) {
	c, ok := authv1alpha1.ParseEnum(authv1alpha1.Charsets, s)
	if !ok {
		return "", usagef("--charset %q: use one of %s", s, joinNames(enumNames(authv1alpha1.Charsets)))
	}
	return c, nil
}

// fixedCompletions completes a flag from a fixed list.
func fixedCompletions(values ...string) cobra.CompletionFunc {
	return func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeNames completes NAME with the ApiTokens of the namespace, as
// kubectl completes resource names: it lists them as the user.
func completeNames(o *options) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := o.kube()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var list authv1alpha1.ApiTokenList
		if err := c.List(cmd.Context(), &list, client.InNamespace(c.namespace)); err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var out []cobra.Completion
		for _, t := range list.Items {
			if strings.HasPrefix(t.Name, prefix) {
				out = append(out, t.Name)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
