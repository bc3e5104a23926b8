package httpapi_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/ask2live/ask2live/httpapi"
)

// TestSpoofedForwardedFor: behind a proxy that appends the client's address
// (nginx's $proxy_add_x_forwarded_for), a client that sends a different
// made-up X-Forwarded-For each time still spends one address's log-in
// budget.
func TestSpoofedForwardedFor(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *httpapi.Config) {
		c.LoginRate = 3
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	var statuses []int
	for i := 0; i < 6; i++ {
		xff := fmt.Sprintf("203.0.113.%d, 198.51.100.7", i+1)
		r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": fmt.Sprint("user", i), "password": "guess-guess"},
			"X-Forwarded-For", xff)
		statuses = append(statuses, r.status)
	}
	if fmt.Sprint(statuses) != "[401 401 401 429 429 429]" {
		t.Fatalf("statuses %v: rotating the first hop got past the per-address limit", statuses)
	}
	// Another client behind the same proxy has its own budget.
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "user0", "password": "guess-guess"},
		"X-Forwarded-For", "198.51.100.8")
	if r.status != 401 {
		t.Fatalf("another client: %d %s", r.status, r.body)
	}
}
