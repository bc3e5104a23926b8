package app_test

import (
	"testing"

	"github.com/ask2live/ask2live/app"
)

// TestOpenURL: the start-up log names an address a browser can open.
func TestOpenURL(t *testing.T) {
	for addr, want := range map[string]string{
		"[::]:8080":      "http://localhost:8080/",
		"0.0.0.0:8080":   "http://localhost:8080/",
		":8080":          "http://localhost:8080/",
		"127.0.0.1:4321": "http://127.0.0.1:4321/",
		"[::1]:8080":     "http://[::1]:8080/",
		"10.0.0.5:80":    "http://10.0.0.5:80/",
	} {
		if got := app.OpenURL(addr); got != want {
			t.Errorf("OpenURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
