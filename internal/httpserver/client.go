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

package httpserver

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// ParseTrustedProxies reads --trusted-proxies: comma-separated CIDRs or
// addresses of the proxies (ingress controllers, gateways) whose
// X-Forwarded-For and X-Real-IP headers name the end client.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxies: %q is neither a CIDR (10.0.0.0/8) nor an IP address", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// EndClient names the client behind a request for the limiter: its
// address (IPv6 addresses by their /64, which one host usually holds whole,
// so that it cannot draw a fresh bucket per address), taken from the peer
// or, when the peer is a trusted proxy, the last address in X-Forwarded-For
// that is not a trusted proxy itself (else X-Real-IP). A client cannot
// spoof it by sending its own X-Forwarded-For: only entries appended by
// trusted proxies are believed.
func EndClient(r *http.Request, trusted []netip.Prefix) string {
	return Bucket(endAddr(r, trusted))
}

func endAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := remoteIP(r.RemoteAddr)
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return peer
	}
	if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
		hops := strings.Split(strings.Join(xff, ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			if a = a.Unmap(); !isTrusted(a, trusted) || i == 0 {
				return a
			}
		}
	}
	if a, err := netip.ParseAddr(strings.TrimSpace(r.Header.Get("X-Real-IP"))); err == nil {
		return a.Unmap()
	}
	return peer
}

// Bucket is an IPv4 address itself, an IPv6 address's /64.
func Bucket(a netip.Addr) string {
	if a.Is6() {
		return netip.PrefixFrom(a.WithZone(""), 64).Masked().String()
	}
	return a.String()
}

func remoteIP(remoteAddr string) netip.Addr {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// SetRetryAfter sets Retry-After to wait in whole seconds and returns them.
func SetRetryAfter(w http.ResponseWriter, wait time.Duration) int {
	secs := int(wait / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return secs
}

// WriteThrottled answers 429 with Retry-After: in the JSON error shape, or
// as plain text (forward auth).
func WriteThrottled(w http.ResponseWriter, wait time.Duration, jsonBody bool) {
	secs := SetRetryAfter(w, wait)
	if jsonBody {
		WriteError(w, http.StatusTooManyRequests, fmt.Sprintf("too many failed verifications from this client: retry after %ds", secs))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Error(w, "Too Many Requests", http.StatusTooManyRequests)
}

// EndClientKey is the limiter's key of the end client behind a request
// whose own credential is a presented token (self paths, the issuer): its
// address, as a trusted proxy names it.
func EndClientKey(r *http.Request, trusted []netip.Prefix) string {
	return "addr:" + EndClient(r, trusted)
}
