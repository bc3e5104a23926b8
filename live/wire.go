package live

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"
)

// The live socket below the message level. Frames from a server are not
// masked (RFC 6455 §5.1), so a message framed once is the same bytes on
// every socket: a room frames each event once and writes those bytes to
// each of its connections, usually with one non-blocking system call made
// on the room's own goroutine (see conn.send). The handshake and the frame
// headers come from github.com/gobwas/ws, which leaves the connection to us;
// what is built here is only what that library leaves to its user: who
// writes when, and the close handshake.
//
// permessage-deflate is not negotiated (it never was): the messages are
// small JSON, and a compressed frame is no longer the same bytes for every
// socket unless each is compressed without context, which saves little.

// wsConn is one upgraded connection.
type wsConn struct {
	nc  net.Conn
	br  *bufio.Reader
	raw syscall.RawConn // nil when there is no descriptor to write to without blocking

	// tryWrite's argument and results live here, so handing rawWrite to
	// the runtime allocates nothing per write.
	wb       []byte
	wn       int
	werr     error
	rawWrite func(fd uintptr) bool

	// bufs is writeFrames' argument: a field, so the runtime's writev
	// allocates nothing either.
	bufs net.Buffers
	hdr  [ws.MaxHeaderSize]byte
	// unread is what is left of the frame reading stopped in: its payload
	// bytes, or -1 when the stream can no longer be read frame by frame.
	unread int64
}

// errForbiddenOrigin refuses an upgrade from a page of another site.
var errForbiddenOrigin = errors.New("origin not allowed")

// upgrade checks the request's origin against the server's own host and
// allowed, and answers the WebSocket handshake. On failure it has answered
// the request (403, 400, 426, 405).
func upgrade(w http.ResponseWriter, r *http.Request, allowed []string) (*wsConn, error) {
	if !originAllowed(r, allowed) {
		http.Error(w, "request Origin is not allowed for this host", http.StatusForbidden)
		return nil, errForbiddenOrigin
	}
	// No Negotiate: no extension (permessage-deflate) is accepted.
	nc, rw, _, err := ws.HTTPUpgrader{}.Upgrade(r, w)
	if err != nil {
		if nc != nil {
			nc.Close()
		}
		return nil, err
	}
	return newWSConn(nc, rw.Reader), nil
}

// newWSConn wraps an upgraded connection; br holds what was read past the
// handshake.
func newWSConn(nc net.Conn, br *bufio.Reader) *wsConn {
	s := &wsConn{nc: nc, br: br}
	if br == nil || br.Buffered() == 0 {
		// The server's 4 KiB read buffer is more than client commands need.
		s.br = bufio.NewReaderSize(nc, 512)
	}
	s.useRawWrites()
	return s
}

// originAllowed: no Origin (not a browser), the server's own host, or one
// of the allowed hosts.
func originAllowed(r *http.Request, allowed []string) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, h := range allowed {
		if strings.EqualFold(u.Host, h) {
			return true
		}
	}
	return false
}

// textFrame frames an encoded message as one final, unmasked text frame.
func textFrame(msg []byte) []byte {
	h := ws.Header{Fin: true, OpCode: ws.OpText, Length: int64(len(msg))}
	b := bytes.NewBuffer(make([]byte, 0, ws.HeaderSize(h)+len(msg)))
	var hdr [ws.MaxHeaderSize]byte
	_ = ws.WriteHeaderBuffer(b, h, hdr[:])
	b.Write(msg)
	return b.Bytes()
}

var (
	pingFrame = ws.MustCompileFrame(ws.NewPingFrame(nil))
	// noStatus stands for a close frame without a code (which is 1005 to
	// the other side, a code never sent itself).
	noStatus ws.StatusCode
)

// controlFrame frames a ping, pong or close payload (at most 125 bytes).
func controlFrame(op ws.OpCode, payload []byte) []byte {
	return ws.MustCompileFrame(ws.NewFrame(op, true, payload))
}

// closeFrame frames a close with a code and a reason cut to fit.
func closeFrame(code ws.StatusCode, reason string) []byte {
	if code == noStatus {
		return controlFrame(ws.OpClose, nil)
	}
	for len(reason) > ws.MaxControlFramePayloadSize-2 {
		_, size := utf8.DecodeLastRuneInString(reason)
		reason = reason[:len(reason)-size]
	}
	return controlFrame(ws.OpClose, ws.NewCloseFrameBody(code, reason))
}

// mayBeSent reports whether a code can go in a close frame: 1005 and 1006
// only describe closes that had none.
func mayBeSent(code ws.StatusCode) bool {
	return code != ws.StatusAbnormalClosure && code != ws.StatusNoStatusRcvd
}

// closeError is why reading stopped, as the close code to answer with.
type closeError struct {
	code   ws.StatusCode
	reason string
	peer   bool // the peer sent a close frame with this code
}

func (e *closeError) Error() string {
	if e.peer {
		return fmt.Sprintf("the peer closed with %d %q", e.code, e.reason)
	}
	return fmt.Sprintf("closing with %d: %s", e.code, e.reason)
}

// closeFor is the close code that answers a reading error: the peer's own
// code, 1009 for a message over the limit, 1002 for a broken frame, and
// none (1006) when the connection itself failed.
func closeFor(err error) (ws.StatusCode, string) {
	var ce *closeError
	if errors.As(err, &ce) {
		return ce.code, ""
	}
	return ws.StatusAbnormalClosure, ""
}

// readMessage returns the next text or binary message, put together from
// its fragments and at most limit bytes long. Control frames on the way
// are handled: a pong or any other frame sets heard, a ping is answered
// through pong, a close frame ends reading with a closeError.
func (s *wsConn) readMessage(limit int64, pong func(payload []byte), heard func()) (_ []byte, err error) {
	defer func() {
		var ce *closeError
		if err != nil && s.unread == 0 && !errors.As(err, &ce) {
			s.unread = -1 // it broke off anywhere, perhaps inside a frame
		}
	}()
	var msg []byte
	state := ws.StateServerSide
	for {
		h, err := ws.ReadHeaderBuffer(s.br, s.hdr[:2])
		if err != nil {
			return nil, err
		}
		if err := ws.CheckHeader(h, state); err != nil {
			s.unread = -1
			return nil, &closeError{code: ws.StatusProtocolError, reason: err.Error()}
		}
		if heard != nil {
			heard()
		}
		if h.OpCode.IsControl() {
			p := make([]byte, h.Length)
			if _, err := io.ReadFull(s.br, p); err != nil {
				return nil, err
			}
			ws.Cipher(p, h.Mask, 0)
			switch h.OpCode {
			case ws.OpPing:
				pong(p)
			case ws.OpClose:
				return nil, peerClose(p)
			}
			continue
		}
		if int64(len(msg))+h.Length > limit {
			s.unread = h.Length
			return nil, &closeError{code: ws.StatusMessageTooBig, reason: fmt.Sprintf("a message over %d bytes", limit)}
		}
		n := len(msg)
		msg = append(msg, make([]byte, h.Length)...)
		if _, err := io.ReadFull(s.br, msg[n:]); err != nil {
			return nil, err
		}
		ws.Cipher(msg[n:], h.Mask, 0)
		if h.Fin {
			return msg, nil
		}
		state = state.Set(ws.StateFragmented)
	}
}

// peerClose reads a close frame's payload: its code is echoed back, and a
// malformed one is a protocol error.
func peerClose(p []byte) error {
	if len(p) == 0 {
		return &closeError{code: noStatus, peer: true}
	}
	code, reason := ws.ParseCloseFrameData(p)
	if len(p) == 1 || ws.CheckCloseFrameData(code, reason) != nil {
		return &closeError{code: ws.StatusProtocolError, reason: "bad close frame"}
	}
	return &closeError{code: code, reason: reason, peer: true}
}

// tryWrite writes b with one non-blocking system call and reports how much
// of it went out: all, part or nothing when the socket's buffer is full.
// The caller orders writes (conn.wmu); s.raw must be set.
func (s *wsConn) tryWrite(b []byte) (int, error) {
	s.wb = b
	err := s.raw.Write(s.rawWrite)
	n := s.wn
	if err == nil {
		err = s.werr
	}
	s.wb, s.werr = nil, nil
	return n, err
}

// writeFrames writes frames with as few system calls as the kernel allows
// (one writev), waiting at most timeout for room in the socket.
func (s *wsConn) writeFrames(frames [][]byte, timeout time.Duration) error {
	s.nc.SetWriteDeadline(time.Now().Add(timeout))
	s.bufs = frames
	_, err := s.bufs.WriteTo(s.nc)
	s.bufs = nil
	s.nc.SetWriteDeadline(time.Time{})
	return err
}

// closeWait bounds how long a closing side waits for the peer's close
// frame before it drops the connection.
const closeWait = 5 * time.Second

// close ends a connection that no conn runs yet: a close frame, the
// peer's answer (briefly), then the connection itself.
func (s *wsConn) close(code ws.StatusCode, reason string, timeout time.Duration) {
	defer s.nc.Close()
	if !mayBeSent(code) {
		return
	}
	if s.writeFrames([][]byte{closeFrame(code, reason)}, timeout) != nil {
		return
	}
	s.drain()
}

// drain reads and drops what the peer sends until its close frame (or
// closeWait), after this side sent its own. Closing a socket with unread
// data would reset it, and the peer might lose the close frame: a client
// still sending the message that was too big would never learn why.
func (s *wsConn) drain() {
	s.nc.SetReadDeadline(time.Now().Add(closeWait))
	if s.unread < 0 {
		io.Copy(io.Discard, s.br) // until the peer closes
		return
	}
	if _, err := io.CopyN(io.Discard, s.br, s.unread); err != nil {
		return
	}
	for {
		h, err := ws.ReadHeaderBuffer(s.br, s.hdr[:2])
		if err != nil {
			return
		}
		if _, err := io.CopyN(io.Discard, s.br, h.Length); err != nil || h.OpCode == ws.OpClose {
			return
		}
	}
}
