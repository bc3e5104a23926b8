package httpapi

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
)

// TestRetryLater: a busy server says when to come back.
func TestRetryLater(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	rec := httptest.NewRecorder()
	busy := ask2live.Errorf(ask2live.EUnavailable, "busy")
	s.writeProblem(rec, httptest.NewRequest("PUT", "/api/v1/me/avatar", nil), retryLater(busy, 2500*time.Millisecond))
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "3" {
		t.Fatalf("%d, Retry-After %q; want 503 and 3", rec.Code, rec.Header().Get("Retry-After"))
	}
}
