package liveclient

import (
	"encoding/json"
	"testing"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
)

// TestSniffMatchesEncoding: the fast header read agrees with what the
// server's types encode to, and refuses what it cannot read.
func TestSniffMatchesEncoding(t *testing.T) {
	enc := func(v any) []byte { b, _ := json.Marshal(v); return b }
	cases := []struct {
		frame []byte
		typ   string
		seq   uint64
		cid   string
		ok    bool
	}{
		{enc(live.Event{Type: live.EvChat, Seq: 1234, Chat: &ask2live.ChatMessage{Text: `"quoted"`}}), live.EvChat, 1234, "", true},
		{enc(live.Ack{Type: live.MsgAck, CID: "c42"}), live.MsgAck, 0, "c42", true},
		{enc(live.ErrorMsg{Type: live.MsgError, CID: "c7", Code: "forbidden"}), live.MsgError, 0, "c7", true},
		{enc(live.ErrorMsg{Type: live.MsgError, Code: "invalid_input"}), live.MsgError, 0, "", true},
		{enc(live.Speaking{Type: live.MsgSpeaking, Username: "a"}), live.MsgSpeaking, 0, "", true},
		{enc(live.Snapshot{Type: live.MsgSnapshot}), "", 0, "", false},
		{[]byte(`{"seq":1,"type":"chat"}`), "", 0, "", false},
		{[]byte(`{"type":"ack","cid":"a\"b"}`), "", 0, "", false},
	}
	for _, c := range cases {
		typ, seq, cid, ok := sniff(c.frame)
		if ok != c.ok || (ok && (typ != c.typ || seq != c.seq || cid != c.cid)) {
			t.Errorf("sniff(%s) = %q %d %q %v, want %q %d %q %v", c.frame, typ, seq, cid, ok, c.typ, c.seq, c.cid, c.ok)
		}
	}
}
