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

package v1alpha1_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// durationField is a duration field of the generated CRD schema.
type durationField struct {
	path    string
	pattern *regexp.Regexp
	// celChecked: an x-kubernetes-validations rule calls duration(self),
	// which fails (and so rejects the object) when the value does not parse.
	celChecked bool
	maxLength  int
}

// generatedSchema is the ApiToken schema of the CRD that make manifests
// generates from the markers.
func generatedSchema(t testing.TB) *apiextensionsv1.JSONSchemaProps {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "config", "crd", "bases", "auth.apitoken.io_apitokens.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.Unmarshal(raw, &crd); err != nil {
		t.Fatal(err)
	}
	return crd.Spec.Versions[0].Schema.OpenAPIV3Schema
}

// crdDurationFields reads the duration fields from the CRD that `make
// manifests` generates, so that the fuzz target checks the real schema.
func crdDurationFields(t testing.TB) []durationField {
	t.Helper()
	spec := generatedSchema(t).Properties["spec"]
	props := map[string]apiextensionsv1.JSONSchemaProps{
		"spec.ttl":                  spec.Properties["ttl"],
		"spec.rotation.renewBefore": spec.Properties["rotation"].Properties["renewBefore"],
		"spec.rotation.gracePeriod": spec.Properties["rotation"].Properties["gracePeriod"],
	}
	var fields []durationField
	for path, p := range props {
		if p.Pattern == "" || p.MaxLength == nil {
			t.Fatalf("%s: the CRD has no pattern or maxLength for it", path)
		}
		f := durationField{path: path, pattern: regexp.MustCompile(p.Pattern), maxLength: int(*p.MaxLength)}
		for _, rule := range p.XValidations {
			f.celChecked = f.celChecked || strings.Contains(rule.Rule, "duration(self)")
		}
		fields = append(fields, f)
	}
	return fields
}

// FuzzDurationSchema: whatever the API server accepts in a duration field,
// the operator can decode. A value that passes the CRD's pattern and length
// but does not parse (it overflows 290 years) would otherwise be stored and
// then break decoding of that ApiToken in every informer; each such field
// must carry a CEL rule that parses it, so the API server refuses it.
func FuzzDurationSchema(f *testing.F) {
	fields := crdDurationFields(f)
	for _, s := range []string{"1s", "90m", "1h30m", "0.5h", "24h", "1.5s", "9999999999h", "99999999999999999999s", "1", "h", "-1s", "1d", "1h 30m", "1e3s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, field := range fields {
			if len(s) > field.maxLength || !field.pattern.MatchString(s) {
				continue
			}
			d, err := time.ParseDuration(s)
			if err != nil {
				if !field.celChecked {
					t.Fatalf("%s %q passes the CRD schema but does not parse (%v), and no CEL rule parses it", field.path, s, err)
				}
				continue
			}
			// The stored object round-trips through the Go type.
			raw, _ := json.Marshal(map[string]string{"d": s})
			var got struct {
				D metav1.Duration `json:"d"`
			}
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("%s %q parses but does not decode: %v", field.path, s, err)
			}
			if got.D.Duration != d {
				t.Fatalf("%s %q decodes to %s, ParseDuration says %s", field.path, s, got.D.Duration, d)
			}
		}
	})
}
