package live

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ask2live/ask2live"
)

var fence = regexp.MustCompile("(?s)```json (client|server)( [a-z_]+)?\n(.*?)```")

// TestProtocolDocExamples decodes every example of docs/PROTOCOL.md with the
// code that handles it, so the document cannot drift from the protocol.
func TestProtocolDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/PROTOCOL.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := fence.FindAllSubmatch(doc, -1)
	if len(blocks) < 15 {
		t.Fatalf("found %d examples; the pattern or the document changed", len(blocks))
	}
	strictly := func(b []byte, v any) error {
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		return dec.Decode(v)
	}
	for _, b := range blocks {
		side, kind, body := string(b[1]), strings.TrimSpace(string(b[2])), b[3]
		if side == "client" {
			if _, err := DecodeCommand(body); err != nil {
				t.Errorf("client example does not decode: %v\n%s", err, body)
			}
			continue
		}
		var head struct{ Type string }
		if err := json.Unmarshal(body, &head); err != nil || head.Type != kind {
			t.Errorf("server example says %q, has type %q (%v)", kind, head.Type, err)
			continue
		}
		var v any
		switch kind {
		case MsgSnapshot:
			v = &Snapshot{}
		case MsgResume:
			v = &Resume{}
		case MsgAck:
			v = &struct {
				Ack
				Result json.RawMessage `json:"result"`
			}{}
		case MsgError:
			v = &ErrorMsg{}
		case MsgSpeaking:
			v = &Speaking{}
		case MsgRTC:
			v = &RTCMessage{}
		default:
			v = &Event{}
		}
		if err := strictly(body, v); err != nil {
			t.Errorf("server example %s does not match its Go type: %v", kind, err)
		}
	}
}

// FuzzDecodeCommand: any frame is a command or a typed error, never a panic.
func FuzzDecodeCommand(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello","v":1}`, `{"type":"hello","v":1,"last_seq":3,"epoch":"x"}`, `{"type":"ask","cid":"1","text":"q"}`,
		`{"type":"mute","cid":"1","muted":true}`, `{"type":"rtc","signal":{"type":"offer","sdp":"v=0"}}`,
		`{"type":"set_question_state","cid":"1","question_id":"q","state":"answered"}`, `{}`, `[]`, `null`, `{"type":1}`,
		`{"type":"ask","cid":"` + strings.Repeat("x", 100) + `"}`, "\xff", `{"type":"chat","cid":"1","text":"a"} {}`,
		`{"type":"vote","cid":"c\u0000","question_id":"06h116k0000000000000000001"}`, `{"type":"delete_chat","cid":"1","message_id":"a\u0000b"}`,
		`{"type":"grant_mic","cid":"1","username":"Guest\u202e"}`, `{"type":"chat","cid":"1","text":"` + "\xc3\x28" + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		c, err := DecodeCommand(frame)
		if err != nil {
			if c != nil {
				t.Fatal("a command and an error")
			}
			if ask2live.ErrorCode(err) != ask2live.EInvalid || ask2live.ErrorMessage(err) == "" {
				t.Fatalf("frame %q: %v, want a typed invalid_input error", frame, err)
			}
			return
		}
		if c.Type == "" || len(c.CID) > MaxCIDLen || !utf8.Valid(frame) || ask2live.CheckLine("cid", c.CID) != nil ||
			ask2live.CheckLine("epoch", c.Epoch) != nil {
			t.Fatalf("accepted an invalid command: %+v", c)
		}
		for _, id := range []string{c.QuestionID, c.MessageID} {
			if id != "" && !ask2live.ValidID(id) {
				t.Fatalf("accepted an id that cannot exist: %q", id)
			}
		}
		if c.Username != "" && ask2live.ValidateUsername(c.Username) != nil {
			t.Fatalf("accepted a username that cannot exist: %q", c.Username)
		}
	})
}
