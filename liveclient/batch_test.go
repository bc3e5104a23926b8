package liveclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ask2live/ask2live/live"
)

// frameServer is a live room that answers a hello with the given frames
// and then waits for the client to go.
func frameServer(t *testing.T, frames ...string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer ws.CloseNow()
		ctx := r.Context()
		if _, _, err := ws.Read(ctx); err != nil { // hello
			return
		}
		for _, f := range frames {
			if ws.Write(ctx, websocket.MessageText, []byte(f)) != nil {
				return
			}
		}
		_, _, _ = ws.Read(ctx) // until the client goes
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestFrameWithSeveralMessages: a frame that joins messages with newlines
// (which the protocol allows a server to send) yields each message, in
// order, with the sequence tracked.
func TestFrameWithSeveralMessages(t *testing.T) {
	srv := frameServer(t, `{"type":"snapshot","seq":4,"epoch":"e1"}`+"\n"+
		`{"type":"chat","seq":5,"chat":{"text":"one"}}`+"\n"+
		`{"type":"chat","seq":6,"chat":{"text":"two"}}`)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, srv.URL, "s1", "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Drop()
	if c.First.Type != live.MsgSnapshot || c.First.Seq != 4 {
		t.Fatalf("first message: %s seq %d", c.First.Type, c.First.Seq)
	}
	for _, want := range []uint64{5, 6} {
		m, err := c.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Type != live.EvChat || m.Seq != want || m.Event == nil || m.Event.Chat == nil {
			t.Fatalf("message %d: %+v", want, m)
		}
	}
	if seq, epoch := c.LastSeq(); seq != 6 || epoch != "e1" {
		t.Fatalf("position %d %q, want 6 e1", seq, epoch)
	}
}

// TestOnMessage: with a handler, the first message is still First and the
// rest reach the handler in order, on the reading goroutine.
func TestOnMessage(t *testing.T) {
	srv := frameServer(t, `{"type":"snapshot","seq":1,"epoch":"e"}`+"\n"+`{"type":"chat","seq":2}`, `{"type":"chat","seq":3}`)
	got := make(chan uint64, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := Dial(ctx, srv.URL, "s1", "", Options{Lazy: true, OnMessage: func(m *Message) { got <- m.Seq }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Drop()
	if c.First.Type != live.MsgSnapshot {
		t.Fatalf("first: %s", c.First.Type)
	}
	for _, want := range []uint64{2, 3} {
		select {
		case seq := <-got:
			if seq != want {
				t.Fatalf("seq %d, want %d", seq, want)
			}
		case <-ctx.Done():
			t.Fatalf("message %d never reached the handler", want)
		}
	}
}
