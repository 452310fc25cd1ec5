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

package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// MaxAnswerBytes is how much of an answer's body is read (and dropped)
// so that the connection can be reused; the rest is not read.
const MaxAnswerBytes = 4 << 10

// Outcome is what an attempt came to.
type Outcome int

const (
	// Delivered is a 2xx.
	Delivered Outcome = iota
	// Retry is a timeout, a connection or TLS error, 5xx, 408 or 429.
	Retry
	// Final is any other answer (4xx, 3xx: redirects are not followed).
	Final
	// Refused says the receiver's address is not allowed; nothing was sent.
	Refused
)

func (o Outcome) String() string {
	return [...]string{"delivered", "retried", "failed", "refused"}[o]
}

// Answer is one attempt's result.
type Answer struct {
	// Code is the HTTP status; 0 when none came.
	Code int
	// RetryAfter is the receiver's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Err is why no answer came (the URL is never in it).
	Err error
}

// Outcome classifies the answer.
func (a Answer) Outcome() Outcome {
	var refused *RefusedError
	switch {
	case errors.As(a.Err, &refused):
		return Refused
	case a.Err != nil:
		return Retry
	case a.Code >= 200 && a.Code < 300:
		return Delivered
	case a.Code >= 500, a.Code == http.StatusRequestTimeout, a.Code == http.StatusTooManyRequests:
		return Retry
	}
	return Final
}

// Post sends body to url with header and reads at most MaxAnswerBytes of
// the answer. now is for an HTTP-date Retry-After.
func Post(ctx context.Context, c *http.Client, target string, header http.Header, body []byte, now time.Time) Answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return Answer{Err: errors.New("spec.url cannot be requested")}
	}
	req.Header = header.Clone()
	req.Header.Set("User-Agent", "apitoken-operator")
	resp, err := c.Do(req)
	if err != nil {
		return Answer{Err: redactURL(err)}
	}
	defer func() { _ = resp.Body.Close() }()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, MaxAnswerBytes))
	return Answer{Code: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get("Retry-After"), now)}
}

// redactURL drops the URL from a client error: a Slack webhook's URL is
// its secret.
func redactURL(err error) error {
	var refused *RefusedError
	if errors.As(err, &refused) {
		return refused
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return errors.New("POST: no answer within " + Timeout.String())
		}
		return fmt.Errorf("POST: %w", ue.Err)
	}
	return errors.New("POST failed")
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
