package httpapi

import (
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the address of whoever sent the request, as far as this server
// can know it. Without trusted proxies it is the peer address. Behind them it
// is the right-most X-Forwarded-For entry that is not itself a trusted proxy:
// each proxy appends the address it received the request from (nginx's
// $proxy_add_x_forwarded_for), so the entries left of that one were written
// by the client and prove nothing.
func (s *Server) clientIP(r *http.Request) netip.Addr {
	addr, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		// Not host:port (a unix socket, a test): nobody to trust.
		a, _ := netip.ParseAddr(r.RemoteAddr)
		return a.Unmap()
	}
	client := addr.Addr().Unmap()
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0 && s.trustedProxy(client); i-- {
		entries := strings.Split(hops[i], ",")
		for j := len(entries) - 1; j >= 0 && s.trustedProxy(client); j-- {
			hop, ok := parseHop(entries[j])
			if !ok {
				// A trusted proxy writes addresses; anything else came
				// from further left. Stop at the nearest proxy.
				return client
			}
			client = hop
		}
	}
	return client
}

func (s *Server) trustedProxy(a netip.Addr) bool { return inPrefixes(s.cfg.TrustedProxies, a) }

func inPrefixes(list []netip.Prefix, a netip.Addr) bool {
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port ("192.0.2.1:4711", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

// clientKey names the client for per-address limits: its IPv4 address, or
// the /64 network of an IPv6 one — one subscriber's IPv6 link usually has a
// whole /64, and every address in it would otherwise get its own budget.
func (s *Server) clientKey(r *http.Request) string {
	a := s.clientIP(r)
	if !a.IsValid() {
		return r.RemoteAddr
	}
	return addressKey(a)
}

func addressKey(a netip.Addr) string {
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
