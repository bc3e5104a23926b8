package httpapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ask2live/ask2live"
)

// The server has no overall ReadTimeout, which would cut live-room sockets
// and event streams. A request that has a body gets a read deadline of its
// own instead: the body must arrive within BodyReadTimeout (UploadReadTimeout
// for uploads), so a client trickling a byte every few seconds holds its
// connection for that long and no longer. Requests without a body — among
// them every WebSocket upgrade and event stream — get none.

const bodyKey ctxKey = 2

// deadlineBody is a request body read under a deadline. At its end the
// deadline is lifted: net/http goes on reading the connection in the
// background to notice a client that goes away, and an expired deadline
// there would cancel a request that is merely slow to answer.
type deadlineBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	done     atomic.Bool
	timedOut atomic.Bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF && b.done.CompareAndSwap(false, true):
		_ = b.rc.SetReadDeadline(time.Time{})
	case errors.Is(err, os.ErrDeadlineExceeded):
		b.timedOut.Store(true)
	}
	return n, err
}

// limitBodyTime puts the request's body, if it has one, under a read
// deadline; the request returned carries it for bodyTimedOut.
func (s *Server) limitBodyTime(w http.ResponseWriter, r *http.Request, upload bool) *http.Request {
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return r
	}
	d := s.cfg.BodyReadTimeout
	if upload {
		d = s.cfg.UploadReadTimeout
	}
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(d)) != nil {
		return r // not a connection with deadlines (a test recorder)
	}
	b := &deadlineBody{ReadCloser: r.Body, rc: rc}
	r.Body = b
	return r.WithContext(context.WithValue(r.Context(), bodyKey, b))
}

// bodyTimedOut turns any error into a 408 when the request's body did not
// arrive in time: the handler's own error (malformed JSON, a broken
// multipart body) only describes the cut.
func bodyTimedOut(r *http.Request, err error) error {
	if b, ok := r.Context().Value(bodyKey).(*deadlineBody); ok && b.timedOut.Load() {
		return &httpError{status: http.StatusRequestTimeout,
			err: ask2live.Errorf(ask2live.EInvalid, "the request body did not arrive in time")}
	}
	return err
}

// LimitConnections caps the connections one client address (IPv6: one /64)
// holds open at once; connections over the cap are closed as soon as they
// are accepted. Addresses in exempt — the trusted reverse proxies, whose
// connections carry many clients — are not counted. A cap of 0 or less
// returns ln unchanged.
func LimitConnections(ln net.Listener, perAddress int, exempt []netip.Prefix) net.Listener {
	if perAddress <= 0 {
		return ln
	}
	return &connLimiter{Listener: ln, max: perAddress, exempt: exempt, open: map[string]int{}}
}

type connLimiter struct {
	net.Listener
	max    int
	exempt []netip.Prefix
	mu     sync.Mutex
	open   map[string]int
}

func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
		if err != nil || inPrefixes(l.exempt, ap.Addr().Unmap()) {
			return c, nil
		}
		key := addressKey(ap.Addr().Unmap())
		l.mu.Lock()
		over := l.open[key] >= l.max
		if !over {
			l.open[key]++
		}
		l.mu.Unlock()
		if over {
			c.Close()
			continue
		}
		return &countedConn{Conn: c, release: func() { l.release(key) }}, nil
	}
}

func (l *connLimiter) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key]--; l.open[key] <= 0 {
		delete(l.open, key)
	}
}

// countedConn gives its slot back once, however often it is closed (the
// server and a WebSocket that hijacked it may both close it).
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
