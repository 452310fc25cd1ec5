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

package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// wrkDuration is how long wrk drives each server.
const wrkDuration = "10s"

// BenchmarkWrk measures the HTTP path from outside the process: wrk (a
// separate process; Debian's wrk) drives, over TLS with keep-alive (2
// threads, 16 connections), forward auth and POST /api/v1/tokens/verify
// (Kubernetes auth, cached) with 100k tokens indexed, and beside them, in
// the same run, a minimal Go TLS handler that answers 200: req/s, p99, and
// each endpoint's ratio to the minimal handler. Run with -benchtime 1x.
func BenchmarkWrk(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not on PATH (apt-get install wrk)")
	}
	api, values, callerToken := verificationAPI(b)

	// The scripts present 1,000 of the tokens in turn (wrk's Lua builds
	// each request), the same way for the minimal handler.
	dir := b.TempDir()
	var list strings.Builder
	for _, val := range values[:1000] {
		fmt.Fprintf(&list, "%q,", string(val.Reveal()))
	}
	scripts := map[string]string{
		"get": `tokens = {` + list.String() + `}
i = 0
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", "/", {["Authorization"] = "Bearer " .. tokens[i]})
end`,
		"verify": `tokens = {` + list.String() + `}
i = 0
request = function()
  i = i % #tokens + 1
  return wrk.format("POST", "/api/v1/tokens/verify", {["Authorization"] = "Bearer ` + callerToken + `",
    ["Content-Type"] = "application/json"}, '{"token":"' .. tokens[i] .. '"}')
end`,
	}
	for name, s := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name+".lua"), []byte(s), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	minimal := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	run := func(name string, h http.Handler, script string) wrkResult {
		srv := httptest.NewUnstartedServer(h)
		srv.EnableHTTP2 = false
		srv.StartTLS()
		defer srv.Close()
		r := runWrk(b, wrk, srv.URL, filepath.Join(dir, script+".lua"))
		b.Logf("%-14s %8.0f req/s  p99 %s  (%d non-2xx)", name, r.rate, r.p99, r.non2xx)
		if r.non2xx > 0 {
			b.Fatalf("%s: %d answers were not 2xx", name, r.non2xx)
		}
		return r
	}
	base := run("minimal", minimal, "get")
	fwd := run("forward-auth", api.ForwardAuth, "get")
	baseVerify := run("minimal (POST)", minimal, "verify")
	ver := run("verify", api.Query, "verify")
	b.ReportMetric(base.rate, "minimal-req/s")
	b.ReportMetric(fwd.rate, "forward-auth-req/s")
	b.ReportMetric(ver.rate, "verify-req/s")
	b.ReportMetric(fwd.rate/base.rate, "forward-auth-ratio")
	b.ReportMetric(ver.rate/baseVerify.rate, "verify-ratio")
	b.ReportMetric(float64(base.p99.Microseconds()), "minimal-p99-µs")
	b.ReportMetric(float64(fwd.p99.Microseconds()), "forward-auth-p99-µs")
	b.ReportMetric(float64(ver.p99.Microseconds()), "verify-p99-µs")
}

type wrkResult struct {
	rate   float64
	p99    time.Duration
	non2xx int
}

var (
	wrkRate   = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99    = regexp.MustCompile(`\n\s+99%\s+([0-9.]+)(us|ms|s)\b`)
	wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
)

// runWrk runs wrk against url with script and parses its report.
func runWrk(b *testing.B, wrk, url, script string) wrkResult {
	b.Helper()
	out, err := exec.Command(wrk, "-t2", "-c16", "-d"+wrkDuration, "--latency", "-s", script, url).CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	var r wrkResult
	m := wrkRate.FindSubmatch(out)
	p := wrkP99.FindSubmatch(out)
	if m == nil || p == nil {
		b.Fatalf("cannot read wrk's report:\n%s", out)
	}
	r.rate, _ = strconv.ParseFloat(string(m[1]), 64)
	d, _ := strconv.ParseFloat(string(p[1]), 64)
	r.p99 = time.Duration(d * float64(map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(p[2])]))
	if n := wrkNon2xx.FindSubmatch(out); n != nil {
		r.non2xx, _ = strconv.Atoi(string(n[1]))
	}
	return r
}
