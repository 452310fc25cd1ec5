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

package clierrors

import (
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// Describe turns an API error into the one line a person or a script
// reads: a denial names the verb and resource that are missing, as
// `kubectl auth can-i` would check them.
func Describe(err error, verb, resource, namespace string) error {
	if err == nil {
		return nil
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return err
	}
	msg := OneLine(status.Status().Message)
	switch {
	case apierrors.IsForbidden(err) && strings.Contains(msg, " cannot "):
		// RBAC: the API server already names the user, verb and resource.
		return fmt.Errorf("%s (missing permission: %s %s%s; check with: kubectl auth can-i %s %s%s)",
			msg, verb, resource, InNamespace(namespace), verb, resource, nsFlag(namespace))
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%s%s", msg, InNamespace(namespace))
	default:
		return errors.New(msg)
	}
}

// InNamespace is ' in namespace "ns"', or nothing for all namespaces.
func InNamespace(ns string) string {
	if ns == "" {
		return ""
	}
	return fmt.Sprintf(" in namespace %q", ns)
}

func nsFlag(ns string) string {
	if ns == "" {
		return " --all-namespaces"
	}
	return " -n " + ns
}
