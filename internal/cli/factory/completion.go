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

package factory

import (
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
)

// CompleteNames completes NAME with the ApiTokens of the namespace, as
// kubectl completes resource names: it lists them as the user.
func (f *Factory) CompleteNames() cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, prefix string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := f.Clients()
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var list authv1alpha1.ApiTokenList
		if err := c.List(cmd.Context(), &list, client.InNamespace(c.Namespace)); err != nil {
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
