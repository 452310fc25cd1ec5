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
	"net/http"
	"net/netip"
	"testing"
)

func TestEndClient(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		remote string
		header http.Header
		want   string
	}{
		"direct client":                        {remote: "203.0.113.5:4711", want: "203.0.113.5"},
		"untrusted peer's header is ignored":   {remote: "203.0.113.5:4711", header: http.Header{"X-Forwarded-For": {"198.51.100.1"}}, want: "203.0.113.5"},
		"trusted proxy names the client":       {remote: "10.1.2.3:80", header: http.Header{"X-Forwarded-For": {"198.51.100.1"}}, want: "198.51.100.1"},
		"spoofed hop before the real client":   {remote: "10.1.2.3:80", header: http.Header{"X-Forwarded-For": {"1.2.3.4, 198.51.100.1"}}, want: "198.51.100.1"},
		"chain of trusted proxies":             {remote: "10.1.2.3:80", header: http.Header{"X-Forwarded-For": {"198.51.100.1, 192.0.2.1", "10.9.9.9"}}, want: "198.51.100.1"},
		"X-Real-IP without X-Forwarded-For":    {remote: "192.0.2.1:80", header: http.Header{"X-Real-Ip": {"198.51.100.2"}}, want: "198.51.100.2"},
		"trusted proxy without headers":        {remote: "10.1.2.3:80", want: "10.1.2.3"},
		"garbage in the header stops the walk": {remote: "10.1.2.3:80", header: http.Header{"X-Forwarded-For": {"nonsense"}}, want: "10.1.2.3"},
		"IPv6 peer":                            {remote: "[2001:db8::1]:443", want: "2001:db8::/64"},
		"IPv6 peers of one /64 share a bucket": {remote: "[2001:db8::ffff:1234:5678:9abc]:443", want: "2001:db8::/64"},
		"IPv6 of another /64":                  {remote: "[2001:db8:0:1::1]:443", want: "2001:db8:0:1::/64"},
		"IPv6 client named by a proxy":         {remote: "10.1.2.3:80", header: http.Header{"X-Forwarded-For": {"2001:db8:aa:bb:1::2"}}, want: "2001:db8:aa:bb::/64"},
		"IPv4-mapped IPv6 is IPv4":             {remote: "[::ffff:203.0.113.5]:443", want: "203.0.113.5"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := &http.Request{RemoteAddr: tc.remote, Header: tc.header}
			if r.Header == nil {
				r.Header = http.Header{}
			}
			if got := EndClient(r, trusted); got != tc.want {
				t.Fatalf("endClient = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8 ,,fd00::/8,192.0.2.1")
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("192.0.2.1/32")}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ParseTrustedProxies = %v, %v; want %v", got, err, want)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil || err.Error() != `--trusted-proxies: "10.0.0.0/33" is neither a CIDR (10.0.0.0/8) nor an IP address` {
		t.Fatalf("error = %v; want one naming the flag and the bad entry", err)
	}
}
