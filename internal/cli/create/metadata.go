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
	"time"

	"github.com/spf13/cobra"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/cli/flags"
	"github.com/apitoken-io/apitoken-operator/internal/scope"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
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
	f.StringVar(&m.tokenType, "type", string(authv1alpha1.TokenTypeUser), "Kind of holder: "+flags.TypeNames())
	f.StringVar(&m.principal, "principal", "", "Who or what the token is for; defaults to you (your Kubernetes user name) for a User token")
	flags.DaysVar(f, &m.ttl, "ttl", 0, "How long the token is valid (30d, 720h); absent: it never expires")
	f.StringSliceVar(&m.scopes, "scopes", nil, "What the token may be used for, comma-separated (read:reports,deploy/prod)")
	f.StringVar(&m.description, "description", "", "What the token is used for")
	f.StringVar(&m.displayName, "display-name", "", "A human-readable name")
	_ = cmd.RegisterFlagCompletionFunc("type", flags.CompleteFixed(flags.EnumNames(authv1alpha1.TokenTypes)...))
}

// metadata checks the flags and fills the principal: the caller for a
// User token without one.
func (m *metadataFlags) metadata(namespace, name string, user func() (string, error)) (selfservice.Metadata, error) {
	t, err := flags.ParseType(m.tokenType)
	if err != nil {
		return selfservice.Metadata{}, err
	}
	if err := scope.Validate(m.scopes); err != nil {
		return selfservice.Metadata{}, clierrors.Usagef("--scopes: %v", err)
	}
	if m.ttl != 0 && m.ttl < time.Second {
		return selfservice.Metadata{}, clierrors.Usagef("--ttl %s: must be at least 1s", m.ttl)
	}
	principal := m.principal
	if principal == "" {
		if t != authv1alpha1.TokenTypeUser {
			return selfservice.Metadata{}, clierrors.Usagef("--principal is required for a %s token: name the team, workflow or client it is for", t)
		}
		if principal, err = user(); err != nil {
			return selfservice.Metadata{}, err
		}
	}
	return selfservice.Metadata{Namespace: namespace, Name: name, Type: t, Principal: principal,
		DisplayName: m.displayName, Description: m.description, TTL: m.ttl, Scopes: m.scopes}, nil
}
