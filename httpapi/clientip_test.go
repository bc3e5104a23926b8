package httpapi

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct {
		name, remote string
		xff          []string
		trusted      []netip.Prefix
		want         string
	}{
		{"no proxies: the peer", "198.51.100.7:5000", []string{"203.0.113.1"}, nil, "198.51.100.7"},
		{"untrusted peer: its header is ignored", "198.51.100.7:5000", []string{"203.0.113.1"}, proxies, "198.51.100.7"},
		{"nginx appends the client", "127.0.0.1:5000", []string{"198.51.100.7"}, proxies, "198.51.100.7"},
		{"a spoofed first hop is skipped", "127.0.0.1:5000", []string{"203.0.113.1, 198.51.100.7"}, proxies, "198.51.100.7"},
		{"two trusted proxies", "127.0.0.1:5000", []string{"203.0.113.1, 198.51.100.7, 10.1.2.3"}, proxies, "198.51.100.7"},
		{"headers read right to left", "127.0.0.1:5000", []string{"203.0.113.1", "198.51.100.7, 10.1.2.3"}, proxies, "198.51.100.7"},
		{"ports and IPv6", "127.0.0.1:5000", []string{"[2001:db8::1]:4711"}, proxies, "2001:db8::1"},
		{"v4-mapped", "[::ffff:127.0.0.1]:5000", []string{"::ffff:198.51.100.7"}, proxies, "198.51.100.7"},
		{"garbage stops at the nearest proxy", "127.0.0.1:5000", []string{"198.51.100.7, junk"}, proxies, "127.0.0.1"},
		{"only proxies: the left-most", "127.0.0.1:5000", []string{"10.0.0.1"}, proxies, "10.0.0.1"},
		{"no header", "127.0.0.1:5000", nil, proxies, "127.0.0.1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Server{cfg: Config{TrustedProxies: c.trusted}}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			for _, h := range c.xff {
				r.Header.Add("X-Forwarded-For", h)
			}
			if got := s.clientIP(r).String(); got != c.want {
				t.Fatalf("clientIP = %s, want %s", got, c.want)
			}
		})
	}
	s := &Server{}
	r := httptest.NewRequest("GET", "/", nil)
	for remote, want := range map[string]string{"[2001:db8:1:2:3:4:5:6]:1": "2001:db8:1:2::/64", "198.51.100.7:1": "198.51.100.7"} {
		r.RemoteAddr = remote
		if got := s.clientKey(r); got != want {
			t.Fatalf("clientKey(%s) = %s, want %s", remote, got, want)
		}
	}
}
