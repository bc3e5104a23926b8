package live

import (
	"bytes"
	"fmt"
	"testing"
)

// TestWriteBatch: messages queued behind the first go out joined by
// newlines, in order, in frames no larger than BatchBytes unless a single
// message is larger; nothing is lost or repeated.
func TestWriteBatch(t *testing.T) {
	c := &conn{hub: &Hub{cfg: Config{BatchBytes: 40}}, send: make(chan []byte, 16)}
	msg := func(i int) []byte { return []byte(fmt.Sprintf(`{"seq":%d}`, i)) } // 9–10 bytes
	for i := 2; i <= 6; i++ {
		c.send <- msg(i)
	}
	big := bytes.Repeat([]byte("x"), 100)
	c.send <- big
	c.send <- msg(8)

	var frames [][]byte
	err := c.writeBatch(msg(1), func(b []byte) error {
		frames = append(frames, append([]byte(nil), b...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	for _, f := range frames {
		if len(f) > 40 && bytes.IndexByte(f, '\n') >= 0 {
			t.Errorf("a joined frame of %d bytes is over the limit: %q", len(f), f)
		}
		got = append(got, bytes.Split(f, []byte("\n"))...)
	}
	want := [][]byte{msg(1), msg(2), msg(3), msg(4), msg(5), msg(6), big, msg(8)}
	if len(got) != len(want) {
		t.Fatalf("got %d messages in %d frames, want %d", len(got), len(frames), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("message %d: %q, want %q", i, got[i], want[i])
		}
	}
	if len(frames) >= len(want) {
		t.Fatalf("%d frames for %d messages: nothing was joined", len(frames), len(want))
	}
	if len(c.send) != 0 {
		t.Fatalf("%d messages left in the queue", len(c.send))
	}
}
