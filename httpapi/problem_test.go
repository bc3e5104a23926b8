package httpapi

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
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

// TestAbandonedRequestIsNotAnError: a request whose client has gone away
// (a closed tab, a browser shutting down) fails its database call with a
// cancelled context; that is not a failure of the server, so nothing is
// logged as an error.
func TestAbandonedRequestIsNotAnError(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := ask2live.NewService(storetest.Open(t, "sqlite"), log)
	api := New(Config{}, svc, log)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/feed", nil).WithContext(ctx))
	if rec.Code < 500 {
		t.Fatalf("status %d: the cancelled request did not reach the database", rec.Code)
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Fatalf("an abandoned request was logged as an error:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "abandoned") {
		t.Fatalf("the abandoned request is not in the debug log:\n%s", logs.String())
	}
}
