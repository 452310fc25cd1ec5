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
	"strings"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/validation"
)

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
