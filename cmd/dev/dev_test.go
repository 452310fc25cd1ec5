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

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"

	authv1alpha1 "github.com/apitoken-io/apitoken-operator/api/v1alpha1"
	"github.com/apitoken-io/apitoken-operator/internal/operator"
	"github.com/apitoken-io/apitoken-operator/internal/testutil"
)

// TestDev runs make dev's program as a user would: it must bring up a
// control plane with the samples Active and the query API answering, and
// Ctrl-C must stop it and every process it started.
func TestDev(t *testing.T) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Skip("KUBEBUILDER_ASSETS is not set: run make test")
	}
	if runtime.GOOS != "linux" {
		t.Skip("checks child processes through /proc")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "dev")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building cmd/dev: %v\n%s", err, out)
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	queryAddr, issuerAddr := testutil.MustFreeAddress(t), testutil.MustFreeAddress(t)
	cmd := exec.Command(bin, "--kubeconfig-out", kubeconfig, "--query-bind-address", queryAddr, "--issuer-bind-address", issuerAddr,
		"--crds", "../../config/crd/bases", "--samples", "../../config/samples")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	printed := make(chan string, 100)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			printed <- s.Text()
		}
		close(printed)
	}()
	waitForLine(t, printed, "Ctrl-C stops", 2*time.Minute)

	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: operator.NewScheme()})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, func() error {
		tok := &authv1alpha1.ApiToken{}
		if err := c.Get(t.Context(), client.ObjectKey{Namespace: "default", Name: "ci-deployer"}, tok); err != nil {
			return err
		}
		if tok.Status.TokenStatus != authv1alpha1.TokenStatusActive {
			return fmt.Errorf("ci-deployer is %q", tok.Status.TokenStatus)
		}
		return nil
	})
	eventually(t, time.Minute, func() error {
		resp, err := http.Get("http://" + queryAddr + "/api/v1/tokens?namespace=default")
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		var body struct{ PageInfo struct{ TotalCount int } }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || body.PageInfo.TotalCount != 3 {
			return fmt.Errorf("query API: status %d, %d tokens", resp.StatusCode, body.PageInfo.TotalCount)
		}
		return nil
	})

	// The printed exchange: ci-deployer's token for an access token.
	secret := &corev1.Secret{}
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: "default", Name: "ci-deployer"}, secret); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Minute, func() error {
		req, err := http.NewRequest(http.MethodPost, "http://"+issuerAddr+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape("default/ci-deployer"), url.QueryEscape(string(secret.Data["token"])))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer func() { _ = resp.Body.Close() }()
		var body struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK || strings.Count(body.AccessToken, ".") != 2 {
			return fmt.Errorf("token endpoint: status %d, no JWT", resp.StatusCode)
		}
		return nil
	})

	children := childrenOf(cmd.Process.Pid)
	if len(children) < 2 {
		t.Fatalf("expected etcd and kube-apiserver as children, found pids %v", children)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("dev exited with %v after Ctrl-C", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("dev did not stop within a minute of Ctrl-C")
	}
	for _, pid := range children {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil {
			if stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); !strings.Contains(string(stat), ") Z ") {
				t.Errorf("process %d outlived dev", pid)
			}
		}
	}
}

func waitForLine(t *testing.T, lines <-chan string, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("dev exited before printing %q", want)
			}
			if strings.Contains(l, want) {
				go func() {
					// Drain, so that dev never blocks on stdout.
					for range lines {
					}
				}()
				return
			}
		case <-deadline:
			t.Fatalf("dev did not print %q within %s", want, timeout)
		}
	}
}

func eventually(t *testing.T, timeout time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %v", timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// childrenOf lists the pids whose parent is pid.
func childrenOf(pid int) []int {
	var out []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses: state, ppid, ...
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, child)
		}
	}
	return out
}
