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

// Package layout checks the package boundaries docs/architecture.md
// promises: the domain packages know nothing of HTTP, and verify does not
// reach into query.
package layout

import (
	"bytes"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/apitoken-io/apitoken-operator/"

func TestDomainPackagesDoNotSpeakHTTP(t *testing.T) {
	forbidden := map[string][]string{
		"internal/readmodel":    {"net/http"},
		"internal/query":        {"net/http"},
		"internal/verify":       {"net/http", module + "internal/query", module + "internal/httpserver"},
		"internal/policy":       {"net/http"},
		"internal/tokensecret":  {"net/http"},
		"internal/token":        {"net/http"},
		"internal/scope":        {"net/http"},
		"internal/selfservice":  {"net/http"},
		"internal/jsonbody":     {"net/http"},
		"internal/notification": {"net/http", module + "internal/outbound"},
		"internal/accesstoken":  {"net/http", module + "internal/httpserver"},
		"internal/signing":      {"net/http", module + "internal/httpserver"},
		"internal/guessing":     {"net/http", module + "internal/httpserver"},
		"internal/tombstone":    {"net/http", module + "internal/httpserver"},
		// The server knows no API; an API knows no other, but for the one
		// write path (writeapi) the sideband API and the issuer take.
		"internal/httpserver": {module + "internal/queryapi", module + "internal/verifyapi", module + "internal/writeapi", module + "internal/issuer", module + "internal/sideband"},
		"internal/queryapi":   {module + "internal/verifyapi", module + "internal/writeapi", module + "internal/issuer", module + "internal/sideband"},
		"internal/verifyapi":  {module + "internal/queryapi", module + "internal/writeapi", module + "internal/issuer", module + "internal/sideband"},
		"internal/writeapi":   {module + "internal/queryapi", module + "internal/verifyapi", module + "internal/issuer", module + "internal/sideband"},
	}
	for dir, banned := range forbidden {
		imports := packageImports(t, filepath.Join("..", "..", dir))
		if len(imports) == 0 {
			t.Fatalf("%s: no imports read; has the package moved?", dir)
		}
		for _, b := range banned {
			if file, ok := imports[b]; ok {
				t.Errorf("%s imports %s (in %s); only internal/httpserver, the API packages (queryapi, verifyapi, writeapi, issuer, sideband) and internal/console may speak HTTP, and verify must not use query", dir, b, file)
			}
		}
	}
}

// packageImports maps each import of the non-test Go files in dir to a file
// that has it.
func packageImports(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			out[path] = filepath.Base(f)
		}
	}
	return out
}

// The plugin is a package per command over a shared core (#42 item 2): a
// command never imports another command or the root, and the core imports
// no command, so that each command reads on its own.
func TestPluginCommandsStandAlone(t *testing.T) {
	commands := []string{"get", "create", "lifecycle", "status", "reveal", "exchange"}
	core := []string{"clierrors", "clitest", "factory", "flags", "printing", "tokenvalue", "waiting"}
	banned := []string{module + "internal/cli"}
	for _, c := range commands {
		banned = append(banned, module+"internal/cli/"+c)
	}
	for _, dir := range append(commands, core...) {
		imports := packageImports(t, filepath.Join("..", "..", "internal", "cli", dir))
		if len(imports) == 0 {
			t.Fatalf("internal/cli/%s: no imports read; has the package moved?", dir)
		}
		for _, b := range banned {
			if b == module+"internal/cli/"+dir {
				continue
			}
			if file, ok := imports[b]; ok {
				t.Errorf("internal/cli/%s imports %s (in %s): a command uses only the core, and the core no command", dir, b, file)
			}
		}
	}
}

// maxPackageLines is where a package is split along its subjects
// (docs/architecture.md): past it, it has more than one.
const maxPackageLines = 1500

// TestPackagesStaySmall counts the lines of each package's Go files,
// tests and generated code aside.
func TestPackagesStaySmall(t *testing.T) {
	root := filepath.Join("..", "..")
	counted := 0
	for _, top := range []string{"api", "cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return err
			}
			files, err := filepath.Glob(filepath.Join(path, "*.go"))
			if err != nil {
				return err
			}
			lines := 0
			for _, f := range files {
				if strings.HasSuffix(f, "_test.go") {
					continue
				}
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				if bytes.Contains(b, []byte("\n// Code generated ")) || bytes.HasPrefix(b, []byte("// Code generated ")) {
					continue // controller-gen's deepcopy: nobody reads it
				}
				lines += bytes.Count(b, []byte("\n"))
			}
			if lines > 0 {
				counted++
			}
			if lines > maxPackageLines {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s has %d lines of Go (tests aside), more than %d: split it along its subjects", rel, lines, maxPackageLines)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if counted < 10 {
		t.Fatalf("only %d packages counted: has the layout moved?", counted)
	}
}
