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
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// chromium is the headless browser the console's tests drive: Debian's
// chromium. Without it the browser specs skip, except under CI=true, where
// a missing browser fails the run.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		Fail("no Chromium on PATH under CI=true: .ci/run installs Debian's chromium (apt-get install -y chromium)")
	}
	Skip("browser tests need Chromium: apt-get install -y chromium (Debian), then run make test again")
	return ""
}

// browserSession is one headless Chromium with its own profile, and every
// console message, exception and CSP report it saw.
type browserSession struct {
	ctx    context.Context
	cancel func()
	mu     sync.Mutex
	logs   []string
}

func newBrowser() *browserSession {
	GinkgoHelper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium()),
		chromedp.UserDataDir(GinkgoT().TempDir()),
		chromedp.IgnoreCertErrors,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &browserSession{ctx: ctx, cancel: func() { cancelCtx(); cancelAlloc() }}
	DeferCleanup(b.cancel)
	// The first Run starts the browser and must have no deadline.
	Expect(chromedp.Do(ctx)).To(Succeed())
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.logs = append(b.logs, string(m.Type)+" "+m.Source+": "+m.Text)
			b.mu.Unlock()
		}
	}()
	return b
}

// run runs actions with a deadline.
func (b *browserSession) run(actions ...chromedp.Action[chromedp.Void]) {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	Expect(chromedp.Do(ctx, actions...)).To(Succeed())
}

// get runs one action that returns a value.
func get[T any](b *browserSession, a chromedp.Action[T]) T {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	Expect(err).NotTo(HaveOccurred())
	return v
}

// messages is what the browser reported so far: console calls,
// exceptions, and its own log (CSP violations among them).
func (b *browserSession) messages() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.logs...)
}

// html is the current page's markup.
func (b *browserSession) html() string {
	GinkgoHelper()
	return get(b, chromedp.OuterHTML(chromedp.CSS("html")))
}

// text is the visible text of the first element matching sel.
func (b *browserSession) text(sel string) string {
	GinkgoHelper()
	return get(b, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

// location is the current URL.
func (b *browserSession) location() string {
	GinkgoHelper()
	return get(b, chromedp.Location())
}

// cookies are the browser's cookies for the console.
func (b *browserSession) cookies() []*network.Cookie {
	GinkgoHelper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{baseURL + "/console/"}})
	Expect(err).NotTo(HaveOccurred())
	return res.Cookies
}

// screenshot writes the page to $CONSOLE_SCREENSHOTS/name.png when that
// directory is set (make console-screenshots).
func (b *browserSession) screenshot(name string) {
	GinkgoHelper()
	dir := os.Getenv("CONSOLE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png := get(b, chromedp.FullScreenshot(100))
	Expect(os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)).To(Succeed())
}

// count counts the elements matching sel.
func (b *browserSession) count(sel string) int {
	GinkgoHelper()
	return len(get(b, chromedp.Nodes(chromedp.CSSAll(sel), chromedp.AtLeast(0))))
}

// behindProxy makes every request of the spec carry bearer in
// Authorization, as an auth proxy in front of the console sends it.
func (b *browserSession) behindProxy(bearer string) {
	GinkgoHelper()
	_, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": "Bearer " + bearer}})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		_, _ = chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{}})
	})
}
