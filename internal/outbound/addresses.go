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

// Package outbound calls URLs that namespace users chose (ApiTokenWebhook
// receivers) without lending them the operator's network position: https
// only, every address checked when the connection is made (so a DNS
// answer that changes after the check cannot reach loopback, link-local,
// private or cloud metadata addresses), no proxy, no redirects, a bounded
// time and a bounded read of the answer.
package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Timeout bounds one request: connection, TLS, request and answer.
const Timeout = 10 * time.Second

// forbidden are the address ranges no receiver may be in unless an
// administrator allowed them, each with the rule it breaks.
var forbidden = []struct {
	prefix netip.Prefix
	rule   string
}{
	{netip.MustParsePrefix("169.254.169.254/32"), "the cloud metadata address"},
	{netip.MustParsePrefix("fd00:ec2::254/128"), "the cloud metadata address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("fc00::/7"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"},
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
}

// RefusedError says why an address may not be called. It never carries
// the URL's path or query (they may hold a Slack webhook's secret).
type RefusedError struct {
	Addr netip.Addr
	Rule string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("address %s is %s: refused unless inside --webhook-allowed-cidrs", e.Addr, e.Rule)
}

// Addresses is the rule of which addresses may be called: any public
// one, and the forbidden ones only inside Allowed.
type Addresses struct {
	Allowed []netip.Prefix
}

// ParseCIDRs parses --webhook-allowed-cidrs' list; the error names the
// entry.
func ParseCIDRs(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR (like 10.0.0.0/8 or fd00::/8)", s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Check refuses a forbidden address outside Allowed.
func (a Addresses) Check(addr netip.Addr) error {
	addr = addr.Unmap()
	for _, p := range a.Allowed {
		if p.Contains(addr) {
			return nil
		}
	}
	for _, f := range forbidden {
		if f.prefix.Contains(addr) {
			return &RefusedError{Addr: addr, Rule: f.rule}
		}
	}
	return nil
}

// CheckURL refuses what can be refused before connecting: a scheme
// other than https, credentials in the URL, a missing host, and a
// literal address Check refuses. The error names the rule, not the URL.
func (a Addresses) CheckURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("spec.url is not a URL")
	}
	switch {
	case u.Scheme != "https":
		return nil, fmt.Errorf("spec.url: only https is allowed, not %q", u.Scheme)
	case u.User != nil:
		return nil, errors.New("spec.url: credentials in the URL are not allowed")
	case u.Hostname() == "":
		return nil, errors.New("spec.url: a host is required")
	}
	if addr, err := netip.ParseAddr(u.Hostname()); err == nil {
		if err := a.Check(addr); err != nil {
			return nil, fmt.Errorf("spec.url: %w", err)
		}
	}
	return u, nil
}

// ErrLookup is a failed DNS lookup of the receiver's host.
var ErrLookup = errors.New("looking up")

// Resolve looks host up and refuses it when any of its addresses is
// refused: what Ready says before anything is sent. The connection checks
// again (the answer may change).
func (a Addresses) Resolve(ctx context.Context, host string) error {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("spec.url: %w %s: %w", ErrLookup, host, err)
	}
	for _, ip := range ips {
		if err := a.Check(ip); err != nil {
			return fmt.Errorf("spec.url: %s resolves to %w", host, err)
		}
	}
	return nil
}

// Client is an HTTP client for one receiver: the address of every
// connection checked, caBundle (when set) the only roots trusted, no
// proxy from the environment, redirects answered as they are.
func (a Addresses) Client(caBundle []byte) (*http.Client, error) {
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(caBundle) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caBundle) {
			return nil, errors.New("spec.caBundle holds no PEM certificate")
		}
		tlsConfig.RootCAs = pool
	}
	dialer := &net.Dialer{
		Timeout: Timeout,
		// Control runs for each address the dialer tries, after the
		// name is resolved and before the connection is made.
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("unexpected address %q", address)
			}
			return a.Check(ap.Addr())
		},
	}
	return &http.Client{
		Timeout: Timeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSClientConfig:       tlsConfig,
			TLSHandshakeTimeout:   Timeout,
			ResponseHeaderTimeout: Timeout,
			MaxIdleConnsPerHost:   2,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}
