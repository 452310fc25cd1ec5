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

package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/go-logr/logr/funcr"
)

func TestValueNeverPrints(t *testing.T) {
	const secret = "s3cr3tt0k3nv4lu3s3cr3tt0k3nv4lu3"
	v := NewValue([]byte(secret))
	type wrapper struct {
		Token Value
		Ptr   *Value
	}
	j, err := json.Marshal(wrapper{Token: v, Ptr: &v})
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	log := funcr.New(func(prefix, args string) { logged.WriteString(prefix + args) }, funcr.Options{Verbosity: 10})
	log.Info("token", "value", v, "ptr", &v, "wrapped", wrapper{Token: v})

	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", v), "%s": fmt.Sprintf("%s", v), "%q": fmt.Sprintf("%q", v), "%x": fmt.Sprintf("%x", v),
		"%#v": fmt.Sprintf("%#v", v), "%+v struct": fmt.Sprintf("%+v", wrapper{Token: v}), "String": v.String(),
		"json": string(j), "logr": logged.String(), "error": fmt.Errorf("failed with %v", v).Error(),
	}
	for name, out := range outputs {
		if strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", secret)) {
			t.Errorf("%s printed the value: %s", name, out)
		}
		if !strings.Contains(out, Redacted) {
			t.Errorf("%s = %q, want it to say %s", name, out, Redacted)
		}
	}
	if got := string(v.Reveal()); got != secret {
		t.Fatalf("Reveal = %q", got)
	}
}

func TestFingerprintAndLastChars(t *testing.T) {
	v := NewValue([]byte("abcdefghij"))
	if fp := v.Fingerprint(); fp != "sha256:72399361da6a7754fec986dca5b7cbaf1c810a28ded4abaf56b2106d06cb78b0" {
		t.Fatalf("Fingerprint = %s", fp)
	}
	cases := map[string]struct{ value, want string }{
		"last five":             {value: "abcdefghij", want: "fghij"},
		"too short to show":     {value: "abcde", want: ""},
		"multi-byte characters": {value: "ääääääää", want: "ääääää"[:10]},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := NewValue([]byte(tc.value)).LastChars(5); got != tc.want {
				t.Fatalf("LastChars(5) = %q, want %q", got, tc.want)
			}
		})
	}
}
