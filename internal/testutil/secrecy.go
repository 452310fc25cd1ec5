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

package testutil

import (
	"encoding/base64"
	"io"
	"strings"

	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/apitoken-io/apitoken-operator/internal/logging"
)

// MostVerboseLogger logs to w at the most verbose level zap allows,
// clamped the way cmd/main.go clamps it, so that a suite can scan
// everything the manager could ever log.
func MostVerboseLogger(w io.Writer) logr.Logger {
	return logging.Clamp(zap.New(zap.WriteTo(w), zap.UseDevMode(true), zap.Level(zapcore.Level(-10))))
}

// Leak is a token value found where it must never be.
type Leak struct {
	// Where names the place (the key of the places map).
	Where string
	// Context is the text around the value, the value replaced by <VALUE>.
	Context string
}

// FindLeak looks for each value, raw and base64-encoded, in each place
// (name → text) and returns the first it finds.
func FindLeak(places map[string]string, values []string) (Leak, bool) {
	for _, v := range values {
		for where, text := range places {
			for _, form := range []string{v, base64.StdEncoding.EncodeToString([]byte(v))} {
				if i := strings.Index(text, form); i >= 0 {
					ctx := text[max(0, i-300):min(len(text), i+len(form)+100)]
					return Leak{Where: where, Context: strings.ReplaceAll(ctx, form, "<VALUE>")}, true
				}
			}
		}
	}
	return Leak{}, false
}
