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

// Package tokenvalue is a token value on the user's machine: read from a
// file or stdin, put out exactly once (stdout or a new 0600 file) when the
// operator has made the token Active.
package tokenvalue

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/apitoken-io/apitoken-operator/internal/cli/clierrors"
	"github.com/apitoken-io/apitoken-operator/internal/token"
)

// Output is where a value drawn here goes, exactly once: stdout
// (with a note on stderr, or alone with --token-only), or a new file of
// mode 0600 with --output-file.
type Output struct {
	// TokenOnly is --token-only, File --output-file.
	TokenOnly bool
	File      string
	// opened is the --output-file, created before anything is sent to the
	// cluster so that a bad path fails while nothing has happened.
	opened *os.File
}

// AddFlags adds --token-only (-t) and --output-file.
func (v *Output) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&v.TokenOnly, "token-only", "t", false, "Print the value alone on stdout and nothing else, for scripts (TOKEN=$(kubectl apitoken create ... -t))")
	fs.StringVar(&v.File, "output-file", "", "Write the value to this new file (mode 0600) instead of stdout; the file must not exist")
}

// Open creates the --output-file, refusing one that exists.
func (v *Output) Open() error {
	if v.File == "" {
		return nil
	}
	if v.TokenOnly {
		return clierrors.Usagef("--token-only and --output-file cannot be used together: the value goes to one place")
	}
	f, err := os.OpenFile(v.File, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("--output-file %q exists: remove it or choose another path (a token value is never written over a file)", v.File)
	}
	if err != nil {
		return fmt.Errorf("--output-file: %w", err)
	}
	v.opened = f
	return nil
}

// Abandon removes the --output-file when nothing was created.
func (v *Output) Abandon() {
	if v.opened != nil {
		_ = v.opened.Close()
		_ = os.Remove(v.File)
		v.opened = nil
	}
}

// Put puts the value where it goes; note is what the person reads
// besides it (nothing with --token-only).
func (v *Output) Put(out io.Writer, value token.Value, note string) error {
	if v.opened != nil {
		_, err := v.opened.Write(append(value.Reveal(), '\n'))
		if cerr := v.opened.Close(); err == nil {
			err = cerr
		}
		v.opened = nil
		if err != nil {
			return fmt.Errorf("writing --output-file %q: %w", v.File, err)
		}
		fmt.Fprintf(out, "%s\nThe value is in %s (mode 0600); it is not stored anywhere else.\n", note, v.File)
		return nil
	}
	if !v.TokenOnly {
		fmt.Fprintf(out, "%s\n\n", note)
	}
	if _, err := out.Write(append(value.Reveal(), '\n')); err != nil {
		return err
	}
	if !v.TokenOnly {
		fmt.Fprintln(out, "\nThis is the only time the value is shown: store it now. The cluster holds only its fingerprint.")
	}
	return nil
}
