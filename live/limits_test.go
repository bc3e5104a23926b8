package live_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// TestCommandBudgets: every command but rtc spends from the user's budget,
// shared by the user's sockets; invalid frames spend nothing; rtc has a
// budget of its own per socket.
func TestCommandBudgets(t *testing.T) {
	e := newEnv(t, func(c *live.Config) { c.CommandRate = 5; c.SignalRate = 10 })
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	g1, g2 := e.dial(guest, s.ID), e.dial(guest, s.ID)
	hc := e.dial(host, s.ID)
	ctx := timeout(10 * time.Second)
	for i := range 20 {
		if err := g1.SendRaw(ctx, []byte(fmt.Sprintf(`{"type":"vote","cid":"bad%d"}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	for range 15 {
		// No voice on this server: unavailable, until rtc's own budget is spent.
		g1.Send(ctx, live.Command{Type: live.CmdRTC, Signal: []byte(`{"type":"join"}`)})
	}
	codes := map[ask2live.Code]int{}
	for len(codes) == 0 || codes[ask2live.EInvalid]+codes[ask2live.EUnavailable]+codes[ask2live.ERateLimited] < 35 {
		m, err := g1.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Type == live.MsgError {
			var em live.ErrorMsg
			m.Decode(&em)
			codes[em.Code]++
		}
	}
	if codes[ask2live.EInvalid] != 20 || codes[ask2live.EUnavailable] != 10 || codes[ask2live.ERateLimited] != 5 {
		t.Fatalf("answers to 20 invalid frames and 15 rtc messages: %v, want 20 invalid_input, 10 unavailable, 5 rate_limited", codes)
	}
	// None of that spent the command budget; the user's two sockets share it.
	for i := range 5 {
		e.must([]*liveclient.Client{g1, g2}[i%2].Do(ctx, live.Command{Type: live.CmdChat, Text: fmt.Sprint("채팅 ", i)}))
	}
	for _, c := range []*liveclient.Client{g1, g2} {
		_, err := c.Do(ctx, live.Command{Type: live.CmdParticipants})
		wantCode(t, err, ask2live.ERateLimited)
		var ce *liveclient.CommandError
		errors.As(err, &ce)
		if ce.RetryAfter < 5*time.Second || ce.RetryAfter > 12*time.Second {
			t.Fatalf("retry after %s, want about 12 s (5 a minute)", ce.RetryAfter)
		}
	}
	// Another user's budget is their own.
	e.must(hc.Do(ctx, live.Command{Type: live.CmdChat, Text: "호스트"}))
}

// TestSocketsPerUserCapped: a user's ninth socket into one room is closed
// with 4429 after its hello; other users and other rooms are not affected,
// and a socket that closes frees its place.
func TestSocketsPerUserCapped(t *testing.T) {
	e := newEnv(t)
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	var open []*liveclient.Client
	for range 8 {
		open = append(open, e.dial(guest, s.ID))
	}
	ctx := timeout(10 * time.Second)
	_, err := liveclient.Dial(ctx, e.url, s.ID, guest.token, liveclient.Options{})
	if code := liveclient.CloseCode(err); code != live.CloseTooManySockets {
		t.Fatalf("ninth socket: %v (close %d), want close %d", err, code, live.CloseTooManySockets)
	}
	e.dial(host, s.ID)
	other := e.liveSession(e.user("host2"))
	e.dial(guest, other.ID)
	open[0].Close()
	for {
		c, err := liveclient.Dial(ctx, e.url, s.ID, guest.token, liveclient.Options{})
		if err == nil {
			c.Drop()
			break
		}
		if liveclient.CloseCode(err) != live.CloseTooManySockets || ctx.Err() != nil {
			t.Fatalf("after one socket closed: %v", err)
		}
	}
}
