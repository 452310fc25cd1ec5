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

// Package plugin tests the kubectl plugin's release: the archives and the
// krew manifest `make plugin-release` writes.
package plugin

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// manifest is the part of a krew Plugin the test reads.
type manifest struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version   string `json:"version"`
		Platforms []struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			URI    string `json:"uri"`
			Sha256 string `json:"sha256"`
			Bin    string `json:"bin"`
		} `json:"platforms"`
	} `json:"spec"`
}

func TestReleaseRendersTheKrewManifest(t *testing.T) {
	out := t.TempDir()
	platform := runtime.GOOS + "/" + runtime.GOARCH
	cmd := exec.Command("bash", filepath.Join("..", "..", "hack", "plugin-release.sh"))
	cmd.Env = append(os.Environ(), "VERSION=v9.8.7", "OUT="+out, "PLUGIN_PLATFORMS="+platform)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plugin-release.sh: %v\n%s", err, b)
	}
	raw, err := os.ReadFile(filepath.Join(out, "apitoken.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "{{") {
		t.Fatalf("the manifest still holds template actions:\n%s", raw)
	}
	var m manifest
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatalf("the manifest is not YAML: %v\n%s", err, raw)
	}
	if m.Kind != "Plugin" || m.Metadata.Name != "apitoken" || m.Spec.Version != "v9.8.7" {
		t.Fatalf("kind %q, name %q, version %q: want Plugin, apitoken, v9.8.7", m.Kind, m.Metadata.Name, m.Spec.Version)
	}
	if len(m.Spec.Platforms) != 1 {
		t.Fatalf("%d platforms: only the one built (%s) belongs in the manifest", len(m.Spec.Platforms), platform)
	}
	p := m.Spec.Platforms[0]
	archive := "kubectl-apitoken_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	if p.Selector.MatchLabels["os"] != runtime.GOOS || p.Selector.MatchLabels["arch"] != runtime.GOARCH || !strings.HasSuffix(p.URI, "/v9.8.7/"+archive) {
		t.Fatalf("platform %+v does not describe %s", p, archive)
	}
	b, err := os.ReadFile(filepath.Join(out, archive))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if p.Sha256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("sha256 %s in the manifest, %x of the archive", p.Sha256, sum)
	}

	bin := filepath.Join(t.TempDir(), "bin")
	files := extract(t, filepath.Join(out, archive), bin)
	for _, want := range []string{p.Bin, "kubectl_complete-apitoken"} {
		if !files[want] {
			t.Fatalf("the archive holds %v, not %s", files, want)
		}
	}
	version, err := exec.Command(filepath.Join(bin, p.Bin), "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(version), "kubectl-apitoken v9.8.7 ") {
		t.Fatalf("version printed %q: the release's version is stamped in", version)
	}
}

func extract(t *testing.T, archive, dir string) map[string]bool {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(h.Name)
		files[name] = true
		w, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, io.LimitReader(tr, 256<<20)); err != nil {
			t.Fatal(err)
		}
		_ = w.Close()
	}
}
