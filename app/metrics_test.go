package app

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ask2live/ask2live/store/storetest"
)

// TestMetricsOnTheirOwnAddress: with -metrics-addr, /metrics is served there
// and not on the public address.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	a, stop := bootApp(t, storetest.URL(t, "sqlite"), "-metrics-addr", "127.0.0.1:0")
	defer stop()
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, _ := get("http://" + a.Addr() + "/healthz"); status != 200 {
		t.Fatalf("healthz: %d", status)
	}
	if status, body := get("http://" + a.Addr() + "/metrics"); status != 404 {
		t.Fatalf("/metrics on the public address: %d %.200s", status, body)
	}
	status, body := get("http://" + a.MetricsAddr() + "/metrics")
	if status != 200 || !strings.Contains(body, `ask2live_http_requests_total{route="GET /healthz",status="200"}`) {
		t.Fatalf("/metrics on -metrics-addr: %d %.500s", status, body)
	}
	if status, _ := get("http://" + a.MetricsAddr() + "/api/v1/feed"); status != 404 {
		t.Fatalf("the metrics address serves the API: %d", status)
	}
}
