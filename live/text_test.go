package live_test

import (
	"context"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
)

// TestRoomRefusesBadText: chat and command fields with a NUL, other control
// characters or ids that cannot exist get a typed invalid_input error and
// store nothing; the connection stays usable.
func TestRoomRefusesBadText(t *testing.T) {
	e := newEnv(t)
	host := e.user("host")
	s := e.liveSession(host)
	c := e.dial(host, s.ID)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	for _, cmd := range []live.Command{
		{Type: live.CmdChat, Text: "a\x00b"},
		{Type: live.CmdChat, Text: "\x1b[2J"},
		{Type: live.CmdChat, Text: "a\rb"},
		{Type: live.CmdAsk, Text: "a\x00b"},
		{Type: live.CmdVote, QuestionID: "a\x00b"},
		{Type: live.CmdDeleteChat, MessageID: "a\x00b"},
		{Type: live.CmdGrantMic, Username: "a\x00b"},
		{Type: live.CmdChat, Text: "ok", CID: "c\x00"},
	} {
		// Frames the decoder refuses are answered without their cid, so
		// wait for the next error rather than for this command's answer.
		if _, err := c.Send(ctx, cmd); err != nil {
			t.Fatal(err)
		}
		for {
			m, err := c.Next(ctx)
			if err != nil {
				t.Fatalf("%s: %v", cmd.Type, err)
			}
			if m.Type == live.MsgAck {
				t.Fatalf("%s %+v accepted", cmd.Type, cmd)
			}
			if m.Type != live.MsgError {
				continue
			}
			var em live.ErrorMsg
			if err := m.Decode(&em); err != nil || em.Code != ask2live.EInvalid {
				t.Fatalf("%s %+v: %s, want invalid_input", cmd.Type, cmd, m.Raw)
			}
			break
		}
	}
	chat, err := e.svc.Store.RecentChat(ctx, s.ID, 100)
	if err != nil || len(chat) != 0 {
		t.Fatalf("chat stored from refused messages: %d %v", len(chat), err)
	}
	if _, err := c.Do(ctx, live.Command{Type: live.CmdChat, Text: "두 줄\r\n\t둘째"}); err != nil {
		t.Fatalf("multi-line chat: %v", err)
	}
	chat, _ = e.svc.Store.RecentChat(ctx, s.ID, 100)
	if len(chat) != 1 || chat[0].Text != "두 줄\n\t둘째" {
		t.Fatalf("chat = %+v", chat)
	}
}
