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

package webhooks

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	. "github.com/onsi/gomega"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
	"k8s.io/client-go/util/cert"

	"github.com/apitoken-io/apitoken-operator/internal/notification"
)

// signingSecret is the Standard Webhooks secret the specs' webhooks sign
// with.
const signingSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// Delivery is one request the receiver took.
type Delivery struct {
	At     time.Time
	Header http.Header
	Body   []byte
	// Event is the body read by the CloudEvents SDK (CloudEvents paths).
	Event *cloudevents.Event
	// Problem is what was wrong with it: a signature the Standard
	// Webhooks library refused, a body that is no valid CloudEvent.
	Problem string
	// Code is what the receiver answered.
	Code int
}

// Receiver is an HTTPS server on 127.0.0.1 that keeps every request by
// path and answers by a script per path (200 when none).
type Receiver struct {
	srv *httptest.Server
	// CA is its certificate authority, for spec.caBundle.
	CA []byte

	mu      sync.Mutex
	got     map[string][]Delivery
	scripts map[string][]int
}

func NewReceiver() *Receiver {
	r := &Receiver{got: map[string][]Delivery{}, scripts: map[string][]int{}}
	certPEM, keyPEM, err := cert.GenerateSelfSignedCertKey("127.0.0.1", []net.IP{net.ParseIP("127.0.0.1")}, nil)
	Expect(err).NotTo(HaveOccurred())
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	Expect(err).NotTo(HaveOccurred())
	r.CA = certPEM
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	r.srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	r.srv.StartTLS()
	return r
}

func (r *Receiver) Close() { r.srv.Close() }

// URL is the receiver's URL for path.
func (r *Receiver) URL(path string) string { return r.srv.URL + path }

// Script makes path answer codes in turn, then 200.
func (r *Receiver) Script(path string, codes ...int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scripts[path] = codes
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	d := Delivery{At: time.Now(), Header: req.Header.Clone(), Body: body, Code: http.StatusOK}
	if strings.HasPrefix(req.Header.Get("Content-Type"), notification.ContentTypeCloudEvents) {
		wh, err := standardwebhooks.NewWebhook(signingSecret)
		if err != nil {
			d.Problem = err.Error()
		} else if err := wh.Verify(body, req.Header); err != nil {
			d.Problem = "signature: " + err.Error()
		}
		ev := &cloudevents.Event{}
		if err := json.Unmarshal(body, ev); err != nil {
			d.Problem += " CloudEvent: " + err.Error()
		} else if err := ev.Validate(); err != nil {
			d.Problem += " CloudEvent: " + err.Error()
		} else {
			d.Event = ev
		}
	}
	r.mu.Lock()
	if s := r.scripts[req.URL.Path]; len(s) > 0 {
		d.Code, r.scripts[req.URL.Path] = s[0], s[1:]
	}
	r.got[req.URL.Path] = append(r.got[req.URL.Path], d)
	r.mu.Unlock()
	w.WriteHeader(d.Code)
}

// Got is what path took, in order.
func (r *Receiver) Got(path string) []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.got[path]...)
}

// Types are the CloudEvents types path took with a 2xx, as <subject> <type>.
func (r *Receiver) Types(path string) []string {
	var out []string
	for _, d := range r.Got(path) {
		if d.Event != nil && d.Code < 300 {
			out = append(out, d.Event.Subject()+" "+strings.TrimPrefix(d.Event.Type(), notification.TypePrefix))
		}
	}
	return out
}
