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

package tokenvalue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apitoken-io/apitoken-operator/internal/cli/factory"
	"github.com/apitoken-io/apitoken-operator/internal/cli/printing"
	"github.com/apitoken-io/apitoken-operator/internal/cli/waiting"
	"github.com/apitoken-io/apitoken-operator/internal/selfservice"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// Deliver waits for the hash-only token to be Active with value and puts
// the value out once. A token still pending when the wait ends gets its
// value out anyway (it will verify once the operator catches up), with the
// error; a Failed one does not.
func Deliver(ctx context.Context, f *factory.Factory, kc *factory.Clients, out *Output, name string, value token.Value, after int64, verb string, timeout time.Duration) error {
	tok, werr := waiting.For(ctx, kc, name, timeout, "Active", waiting.ActiveWith(value.Fingerprint(), after))
	if werr != nil && (tok == nil || errors.Is(waiting.ActiveWith(value.Fingerprint(), after)(tok), waiting.ErrFailed)) {
		out.Abandon()
		return werr
	}
	note := fmt.Sprintf("%s %s in namespace %q: hash-only, fingerprint %s (last characters %q)%s.",
		printing.ResourceName(name), verb, kc.Namespace, value.Fingerprint(), value.LastChars(selfservice.LastChars), printing.Expiry(tok, f.Clock.Now()))
	if err := out.Put(f.Out, value, note); err != nil {
		return err
	}
	return werr
}
