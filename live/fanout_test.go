package live_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
)

// rawSocket is a live socket read frame by frame, each frame as the bytes
// that came: what the server writes, unparsed.
type rawSocket struct {
	nc net.Conn
	r  *bufio.Reader
}

// rawDial connects and says hello; tiny gives the socket a 4 KiB receive
// buffer, so that a socket that is not read fills up quickly.
func (e *env) rawDial(m member, sessionID string, tiny bool) *rawSocket {
	e.t.Helper()
	nd := net.Dialer{}
	if tiny {
		nd.Control = func(_, _ string, rc syscall.RawConn) error {
			var err error
			rc.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
			return err
		}
	}
	d := ws.Dialer{
		Header:  ws.HandshakeHeaderHTTP(http.Header{"Authorization": {"Bearer " + m.token}}),
		NetDial: nd.DialContext,
	}
	u := strings.Replace(e.url, "http", "ws", 1) + "/api/v1/sessions/" + sessionID + "/live"
	nc, br, _, err := d.Dial(timeout(10*time.Second), u)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	e.t.Cleanup(func() { nc.Close() })
	if br == nil {
		br = bufio.NewReader(nc)
	}
	if err := wsutil.WriteClientText(nc, []byte(`{"type":"hello","v":1}`)); err != nil {
		e.t.Fatal(err)
	}
	return &rawSocket{nc: nc, r: br}
}

// frame reads the next frame, header and payload as they came.
func (s *rawSocket) frame() ([]byte, error) {
	head := make([]byte, 2, 4)
	if _, err := io.ReadFull(s.r, head); err != nil {
		return nil, err
	}
	n := int(head[1] & 0x7f)
	switch n {
	case 126:
		head = head[:4]
		if _, err := io.ReadFull(s.r, head[2:]); err != nil {
			return nil, err
		}
		n = int(head[2])<<8 | int(head[3])
	case 127:
		return nil, fmt.Errorf("a frame over 64 KiB")
	}
	f := append(head, make([]byte, n)...)
	_, err := io.ReadFull(s.r, f[len(head):])
	return f, err
}

// payload is a frame's payload (frames from the server are not masked).
func payload(f []byte) []byte {
	if f[1]&0x7f == 126 {
		return f[4:]
	}
	return f[2:]
}

// closeCode reads frames until the close frame and returns its code.
func (s *rawSocket) closeCode(t *testing.T) ws.StatusCode {
	t.Helper()
	s.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		f, err := s.frame()
		if err != nil {
			t.Fatalf("no close frame: %v", err)
		}
		if ws.OpCode(f[0]&0x0f) == ws.OpClose {
			code, _ := ws.ParseCloseFrameData(payload(f))
			return code
		}
	}
}

// TestBroadcastIsTheSameBytesOnEverySocket: every socket gets each room
// event as the very same bytes (a final, unmasked text frame holding one
// message), in one order with no gap, while a socket that reads nothing is
// dropped alone, with CloseSlow; the Go client reads the same stream.
func TestBroadcastIsTheSameBytesOnEverySocket(t *testing.T) {
	e := newEnv(t, func(c *live.Config) { c.SendQueue = 16 })
	host := e.user("host")
	s := e.liveSession(host)
	hc := e.dial(host, s.ID)
	const readers, n = 4, 200

	type reading struct {
		frames   [][]byte // data frames, as they came
		err      error
		question chan struct{} // one per question event
		done     chan struct{}
	}
	var rs []*reading
	for i := range readers {
		sock := e.rawDial(e.user(fmt.Sprintf("reader%d", i)), s.ID, false)
		rd := &reading{question: make(chan struct{}, n), done: make(chan struct{})}
		rs = append(rs, rd)
		go func() {
			defer close(rd.done)
			for questions := 0; questions < n; {
				f, err := sock.frame()
				if err != nil {
					rd.err = err
					return
				}
				if ws.OpCode(f[0] & 0x0f).IsControl() {
					if ws.OpCode(f[0]&0x0f) == ws.OpClose {
						rd.err = fmt.Errorf("closed: %q", payload(f))
						return
					}
					continue
				}
				rd.frames = append(rd.frames, f)
				var head struct{ Type string }
				if json.Unmarshal(payload(f), &head) == nil && head.Type == live.EvQuestion {
					questions++
					rd.question <- struct{}{}
				}
			}
		}()
	}
	slow := e.rawDial(e.user("slow"), s.ID, true)
	// Everyone is in the room before the first question: the stream from
	// there on is the same for all.
	collect(t, hc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Presence != nil && evs[len(evs)-1].Presence.Count == readers+2
	})

	text := strings.Repeat("같은 바이트 ", 30) // frames over 125 bytes: a 16-bit length
	ctx := timeout(60 * time.Second)
	for i := range n {
		if _, err := e.svc.Ask(context.Background(), host.user, s.ID, ask2live.QuestionInput{Text: fmt.Sprintf("%s%d", text, i)}); err != nil {
			t.Fatal(err)
		}
		// Each question once every reader has it: their queues stay
		// short, while the slow socket's only grows.
		for j, rd := range rs {
			select {
			case <-rd.question:
			case <-rd.done:
				select {
				case <-rd.question: // its last: it stopped reading after it
				default:
					t.Fatalf("reader %d stopped after %d questions: %v", j, i, rd.err)
				}
			case <-ctx.Done():
				t.Fatalf("reader %d never got question %d", j, i)
			}
		}
	}
	if code := slow.closeCode(t); code != live.CloseSlow {
		t.Fatalf("the socket that read nothing closed with %d, want %d", code, live.CloseSlow)
	}

	// From the first question on, every reader holds the same frames.
	var want [][]byte
	for j, rd := range rs {
		<-rd.done
		if rd.err != nil {
			t.Fatalf("reader %d: %v", j, rd.err)
		}
		first := 0
		for first < len(rd.frames) && !bytes.Contains(rd.frames[first], []byte(`"type":"question"`)) {
			first++
		}
		got := rd.frames[first:]
		if j == 0 {
			want = got
			var last uint64
			for k, f := range got {
				if f[0] != 0x81 || f[1]&0x80 != 0 {
					t.Fatalf("frame %d starts %#x %#x: want a final text frame, unmasked", k, f[0], f[1])
				}
				var ev live.Event
				if err := json.Unmarshal(payload(f), &ev); err != nil {
					t.Fatalf("frame %d holds %q: %v", k, payload(f), err)
				}
				if k > 0 && ev.Seq != last+1 {
					t.Fatalf("frame %d has seq %d after %d", k, ev.Seq, last)
				}
				last = ev.Seq
			}
			continue
		}
		if len(got) != len(want) {
			t.Fatalf("reader %d got %d frames from the first question on, reader 0 got %d", j, len(got), len(want))
		}
		for k := range got {
			if !bytes.Equal(got[k], want[k]) {
				t.Fatalf("reader %d, frame %d:\n%q\nreader 0:\n%q", j, k, got[k], want[k])
			}
		}
	}
	// The Go client got the same events, in the same order.
	evs := collect(t, hc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Type == live.EvQuestion && strings.HasSuffix(evs[len(evs)-1].Question.Text, fmt.Sprint(n-1))
	})
	var firstSeq uint64
	json.Unmarshal(payload(want[0]), &struct{ Seq *uint64 }{&firstSeq})
	k := 0
	for _, ev := range evs {
		if ev.Seq < firstSeq {
			continue
		}
		var w live.Event
		json.Unmarshal(payload(want[k]), &w)
		if ev.Seq != w.Seq || ev.Type != w.Type {
			t.Fatalf("the Go client's event %d is %d %s, the readers' %d %s", k, ev.Seq, ev.Type, w.Seq, w.Type)
		}
		k++
	}
	if k != len(want) {
		t.Fatalf("the Go client got %d events from the first question on, the readers %d", k, len(want))
	}
}

// TestHeartbeats: the server pings; a socket that answers nothing is
// closed with CloseIdle, one that answers stays; a ping from the client
// gets its pong.
func TestHeartbeats(t *testing.T) {
	e := newEnv(t, func(c *live.Config) { c.PingInterval = 100 * time.Millisecond })
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	hc := e.dial(host, s.ID) // the Go client answers pings while it reads
	mute := e.rawDial(guest, s.ID, false)

	mute.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	pings := 0
	for {
		f, err := mute.frame()
		if err != nil {
			t.Fatalf("after %d pings: %v", pings, err)
		}
		op := ws.OpCode(f[0] & 0x0f)
		if op == ws.OpPing {
			pings++
		}
		if op == ws.OpClose {
			if code, _ := ws.ParseCloseFrameData(payload(f)); code != live.CloseIdle {
				t.Fatalf("closed with %d, want %d", code, live.CloseIdle)
			}
			break
		}
	}
	if pings == 0 {
		t.Fatal("closed for silence without a ping")
	}
	// The host's socket, which answered, is still open after the same time.
	if _, err := hc.Do(timeout(5*time.Second), live.Command{Type: live.CmdParticipants}); err != nil {
		t.Fatalf("the socket that answered pings: %v", err)
	}

	// A client's ping is answered with its payload.
	talker := e.rawDial(guest, s.ID, false)
	if err := wsutil.WriteClientMessage(talker.nc, ws.OpPing, []byte("are you there")); err != nil {
		t.Fatal(err)
	}
	talker.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		f, err := talker.frame()
		if err != nil {
			t.Fatalf("no pong: %v", err)
		}
		if ws.OpCode(f[0]&0x0f) == ws.OpPong {
			if string(payload(f)) != "are you there" {
				t.Fatalf("pong payload %q", payload(f))
			}
			break
		}
	}
}
