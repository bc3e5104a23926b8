package live

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// tcpPair is a loopback connection whose server end has a small send
// buffer and whose client end a small receive buffer, so that it fills
// quickly when the client does not read.
func tcpPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		rc.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return err
	}}
	client, err = d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	server.(*net.TCPConn).SetWriteBuffer(4096)
	t.Cleanup(func() { server.Close(); client.Close() })
	return server, client
}

func testConn(t *testing.T, nc net.Conn, sendQueue int) *conn {
	h := &Hub{cfg: Config{SendQueue: sendQueue, WriteTimeout: 5 * time.Second, PingInterval: time.Hour},
		metrics: newHubMetrics(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	c := newConn(h, nil, newWSConn(nc, nil), nil, false)
	if c.ws.raw == nil {
		t.Fatal("a TCP connection should be written to without blocking")
	}
	return c
}

// readFrame reads one frame as it came, header and all.
func readFrame(r *bufio.Reader) ([]byte, error) {
	head := make([]byte, 2, ws.MaxHeaderSize)
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, err
	}
	var n int
	switch l := head[1] & 0x7f; l {
	case 126:
		head = append(head, 0, 0)
		if _, err := io.ReadFull(r, head[2:]); err != nil {
			return nil, err
		}
		n = int(head[2])<<8 | int(head[3])
	case 127:
		return nil, fmt.Errorf("a frame over 64 KiB")
	default:
		n = int(l)
	}
	f := append(head, make([]byte, n)...)
	_, err := io.ReadFull(r, f[len(head):])
	return f, err
}

// TestQueuedFramesGoOutTogether: frames that find the socket full wait,
// in order, and the writer sends all of them once there is room; nothing
// is lost, repeated or reordered, and the close frame comes last.
func TestQueuedFramesGoOutTogether(t *testing.T) {
	server, client := tcpPair(t)
	c := testConn(t, server, 1000)
	var want [][]byte
	for i := range 400 {
		f := textFrame(fmt.Appendf(nil, `{"seq":%d,"text":%q}`, i, bytes.Repeat([]byte("x"), 300)))
		want = append(want, f)
		c.send(f)
	}
	c.wmu.Lock()
	waiting, writing := len(c.queue), c.writing
	c.wmu.Unlock()
	if waiting == 0 || !writing {
		t.Fatalf("%d frames waiting (writer called: %v); the socket should have filled up", waiting, writing)
	}
	close(c.readDone) // no reader here
	done := make(chan struct{})
	go func() { c.writeLoop(); close(done) }()
	r := bufio.NewReader(client)
	for i, w := range want {
		f, err := readFrame(r)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(f, w) {
			t.Fatalf("frame %d:\n%q\nwant\n%q", i, f, w)
		}
	}
	c.finish(ws.StatusNormalClosure, "bye", true)
	f, err := readFrame(r)
	if err != nil || f[0] != 0x88 {
		t.Fatalf("after the frames: %q, %v; want a close frame", f, err)
	}
	if code, reason := ws.ParseCloseFrameData(f[2:]); code != ws.StatusNormalClosure || reason != "bye" {
		t.Fatalf("close %d %q", code, reason)
	}
	<-done
}

// TestFullQueueDropsConnection: a peer that reads nothing is closed with
// CloseSlow once SendQueue frames wait for it.
func TestFullQueueDropsConnection(t *testing.T) {
	server, _ := tcpPair(t)
	c := testConn(t, server, 8)
	f := textFrame(bytes.Repeat([]byte("y"), 1000))
	for i := 0; i < 1000; i++ {
		c.send(f)
		select {
		case <-c.quit:
			c.wmu.Lock()
			code, waiting := c.closeCode, len(c.queue)
			c.wmu.Unlock()
			if code != CloseSlow || waiting != 8 {
				t.Fatalf("closed with %d, %d frames waiting; want %d with 8", code, waiting, CloseSlow)
			}
			return
		default:
		}
	}
	t.Fatal("1000 frames sent to a peer that reads nothing, and it is still open")
}

// TestBroadcastReachesEveryConnection: a broadcast split between
// goroutines still gives every connection each frame once, in order, also
// after connections left.
func TestBroadcastReachesEveryConnection(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	h := &Hub{cfg: Config{SendQueue: 8, WriteTimeout: time.Second}, metrics: newHubMetrics()}
	r := &Room{hub: h, conns: map[*conn]int{}}
	for range 3 * fanoutShare {
		a, _ := net.Pipe() // no descriptor: frames wait in the queue
		c := newConn(h, r, newWSConn(a, nil), nil, false)
		r.conns[c] = len(r.list)
		r.list = append(r.list, c)
	}
	left := map[*conn]bool{}
	for _, c := range r.list[:100] {
		left[c] = true
	}
	f1, f2 := textFrame([]byte(`{"seq":1}`)), textFrame([]byte(`{"seq":2}`))
	r.broadcast(&ringEvent{frame: f1})
	for c := range left {
		r.leave(c)
	}
	r.broadcast(&ringEvent{frame: f2})
	if len(r.list) != len(r.conns) || len(r.list) != 3*fanoutShare-100 {
		t.Fatalf("%d in the list, %d in the map after 100 of %d left", len(r.list), len(r.conns), 3*fanoutShare)
	}
	for c, i := range r.conns {
		if r.list[i] != c {
			t.Fatalf("connection at %d of the list is not the one the map places there", i)
		}
		if len(c.queue) != 2 || !bytes.Equal(c.queue[0], f1) || !bytes.Equal(c.queue[1], f2) {
			t.Fatalf("a connection holds %q", c.queue)
		}
	}
	for c := range left {
		if len(c.queue) != 1 || !bytes.Equal(c.queue[0], f1) {
			t.Fatalf("a connection that left holds %q", c.queue)
		}
	}
}
