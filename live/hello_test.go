package live_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ask2live/ask2live/live"
)

// TestNoHelloClosesWith4400: a socket that never sends hello is closed with
// a close frame carrying 4400, not dropped.
func TestNoHelloClosesWith4400(t *testing.T) {
	e := newEnv(t, func(c *live.Config) { c.HelloTimeout = 100 * time.Millisecond })
	host := e.user("host")
	s := e.liveSession(host)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := strings.Replace(e.url, "http", "ws", 1) + "/api/v1/sessions/" + s.ID + "/live"
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + host.token}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	_, _, err = ws.Read(ctx)
	if got := websocket.CloseStatus(err); got != live.CloseBadFrame {
		t.Fatalf("close status %d (%v), want %d", got, err, live.CloseBadFrame)
	}
}
