// Package liveclient is a Go client for the live-room protocol
// (docs/PROTOCOL.md): it dials a room, says hello, keeps the last sequence
// number, sends commands with client ids and waits for their answers, and
// reconnects by sequence. Tests and benchmarks use it.
package liveclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
)

// Message is one server message. Raw keeps the exact bytes; Type, Seq and
// CID are read from it, and Event is filled for sequenced events.
type Message struct {
	Type  string
	Seq   uint64
	CID   string
	Raw   []byte
	Event *live.Event
}

// Decode unmarshals the message into v.
func (m *Message) Decode(v any) error { return json.Unmarshal(m.Raw, v) }

// CommandError is a typed error answer to a command.
type CommandError struct {
	Code    ask2live.Code
	Message string
	// RetryAfter comes with rate_limited: when the command may be retried.
	RetryAfter time.Duration
}

func (e *CommandError) Error() string { return string(e.Code) + ": " + e.Message }

// Client is one connection to a live room.
type Client struct {
	base, session, token string

	ws       *websocket.Conn
	incoming chan *Message
	readErr  atomic.Pointer[error]
	pending  []*Message

	mu      sync.Mutex
	lastSeq uint64
	epoch   string
	nextCID atomic.Uint64
	// cidPrefix makes the cids this client fills in its own: the server
	// answers a repeated (user, cid) from its record, whichever socket
	// sends it.
	cidPrefix string

	lazy    bool
	handler func(*Message)

	// First is the first message after hello: a snapshot or a resume.
	First *Message
}

// Options tune Dial.
type Options struct {
	// Resume from this sequence of this epoch (from an earlier connection).
	LastSeq *uint64
	Epoch   string
	// Buffer is how many messages may wait unread before the reader stops
	// reading (and the server, seeing a slow client, drops it). Default 4096.
	Buffer int
	HTTP   *http.Client
	Origin string
	// Lazy leaves Message.Event nil for events; read them from Raw. A
	// benchmark holding thousands of sockets saves the decoding.
	Lazy bool
	// OnMessage, when set, gets every message after the first (which is
	// still First) on the reading goroutine, instead of a queue for Next:
	// no extra goroutine or hand-off per message. Next then only reports
	// that the socket closed; Do cannot be used.
	OnMessage func(*Message)
}

// Dial connects to the live room of a session as the holder of token.
func Dial(ctx context.Context, baseURL, sessionID, token string, o Options) (*Client, error) {
	if o.Buffer <= 0 {
		o.Buffer = 4096
	}
	u := strings.Replace(strings.TrimRight(baseURL, "/"), "http", "ws", 1) + "/api/v1/sessions/" + sessionID + "/live"
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	if o.Origin != "" {
		h.Set("Origin", o.Origin)
	}
	ws, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h, HTTPClient: o.HTTP})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: %d: %w", u, resp.StatusCode, err)
		}
		return nil, fmt.Errorf("dial %s: %w", u, err)
	}
	ws.SetReadLimit(8 << 20)
	c := &Client{base: baseURL, session: sessionID, token: token, ws: ws, incoming: make(chan *Message, o.Buffer), lazy: o.Lazy, handler: o.OnMessage,
		cidPrefix: randomPrefix()}
	hello := map[string]any{"type": live.CmdHello, "v": live.ProtocolVersion}
	if o.LastSeq != nil {
		hello["last_seq"], hello["epoch"] = *o.LastSeq, o.Epoch
		c.lastSeq, c.epoch = *o.LastSeq, o.Epoch
	}
	if err := c.sendJSON(ctx, hello); err != nil {
		ws.CloseNow()
		return nil, err
	}
	go c.readLoop()
	first, err := c.Next(ctx)
	if err != nil {
		ws.CloseNow()
		return nil, err
	}
	c.First = first
	return c, nil
}

func (c *Client) readLoop() {
	defer close(c.incoming)
	first := true
	for {
		_, frame, err := c.ws.Read(context.Background())
		if err != nil {
			c.readErr.Store(&err)
			return
		}
		// A frame holds one message, or several separated by newlines
		// (the protocol allows it; see docs/PROTOCOL.md).
		for len(frame) > 0 {
			b := frame
			if i := bytes.IndexByte(frame, '\n'); i >= 0 {
				b, frame = frame[:i], frame[i+1:]
			} else {
				frame = nil
			}
			if err := c.dispatch(b, first); err != nil {
				c.readErr.Store(&err)
				return
			}
			first = false
		}
	}
}

// dispatch decodes the head of one server message and queues it for Next.
func (c *Client) dispatch(b []byte, first bool) error {
	m := &Message{Raw: b}
	typ, seq, cid, ok := sniff(b)
	if !ok || typ == live.MsgSnapshot || typ == live.MsgResume {
		var head struct {
			Type  string `json:"type"`
			Seq   uint64 `json:"seq"`
			CID   string `json:"cid"`
			Epoch string `json:"epoch"`
			From  uint64 `json:"from"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			return err
		}
		typ, seq, cid = head.Type, head.Seq, head.CID
		if typ == live.MsgSnapshot || typ == live.MsgResume {
			c.mu.Lock()
			c.lastSeq, c.epoch = head.Seq, head.Epoch
			if typ == live.MsgResume {
				// The replayed events follow and advance it again.
				c.lastSeq = head.From - 1
			}
			c.mu.Unlock()
		}
	}
	m.Type, m.Seq, m.CID = typ, seq, cid
	switch typ {
	case live.MsgSnapshot, live.MsgResume, live.MsgAck, live.MsgError, live.MsgRTC, live.MsgSpeaking:
	default:
		if !c.lazy {
			var ev live.Event
			if json.Unmarshal(b, &ev) == nil {
				m.Event = &ev
			}
		}
		c.mu.Lock()
		if m.Seq > c.lastSeq {
			c.lastSeq = m.Seq
		}
		c.mu.Unlock()
	}
	if c.handler != nil && !first {
		c.handler(m)
		return nil
	}
	c.incoming <- m
	return nil
}

// Next returns the next server message, waiting for it.
func (c *Client) Next(ctx context.Context) (*Message, error) {
	if len(c.pending) > 0 {
		m := c.pending[0]
		c.pending = c.pending[1:]
		return m, nil
	}
	select {
	case m, ok := <-c.incoming:
		if !ok {
			return nil, c.err()
		}
		return m, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// NextEvent returns the next sequenced event, skipping other messages.
func (c *Client) NextEvent(ctx context.Context) (*live.Event, error) {
	for {
		m, err := c.Next(ctx)
		if err != nil {
			return nil, err
		}
		if m.Event != nil {
			return m.Event, nil
		}
	}
}

// err returns why the connection ended, with its close code if any.
// Stopped returns why the socket stopped reading, or nil while it reads.
func (c *Client) Stopped() error {
	if p := c.readErr.Load(); p != nil {
		return *p
	}
	return nil
}

func (c *Client) err() error {
	if p := c.readErr.Load(); p != nil {
		return *p
	}
	return errors.New("connection closed")
}

// CloseCode returns the close status of an error from Next, or -1.
func CloseCode(err error) int { return int(websocket.CloseStatus(err)) }

// LastSeq returns the sequence of the last event received and its epoch, for
// resuming.
func (c *Client) LastSeq() (uint64, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastSeq, c.epoch
}

func (c *Client) sendJSON(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// SendRaw writes a frame as is (for tests of bad input).
func (c *Client) SendRaw(ctx context.Context, frame []byte) error {
	return c.ws.Write(ctx, websocket.MessageText, frame)
}

// Send writes a command without waiting; a missing cid is filled in and
// returned.
func (c *Client) Send(ctx context.Context, cmd live.Command) (string, error) {
	if cmd.CID == "" && cmd.Type != live.CmdRTC {
		cmd.CID = c.cidPrefix + strconv.FormatUint(c.nextCID.Add(1), 10)
	}
	return cmd.CID, c.sendJSON(ctx, cmd)
}

// Do sends a command and waits for its ack (returned) or error (as
// *CommandError). Messages that arrive meanwhile are kept for Next.
func (c *Client) Do(ctx context.Context, cmd live.Command) (*Message, error) {
	cid, err := c.Send(ctx, cmd)
	if err != nil {
		return nil, err
	}
	var held []*Message
	// Messages already pending arrived before these: keep them first.
	defer func() { c.pending = append(c.pending, held...) }()
	for {
		var m *Message
		select {
		case m = <-c.incoming:
			if m == nil {
				return nil, c.err()
			}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if (m.Type == live.MsgAck || m.Type == live.MsgError) && m.CID == cid {
			if m.Type == live.MsgError {
				var e live.ErrorMsg
				_ = m.Decode(&e)
				return nil, &CommandError{Code: e.Code, Message: e.Message, RetryAfter: time.Duration(e.RetryAfterMS) * time.Millisecond}
			}
			return m, nil
		}
		held = append(held, m)
	}
}

// Close closes the connection normally.
func (c *Client) Close() error { return c.ws.Close(websocket.StatusNormalClosure, "bye") }

// Drop closes the TCP connection without a close frame, like a lost network.
func (c *Client) Drop() { c.ws.CloseNow() }

// sniff reads the type, and the seq or cid, from the start of a server
// frame without decoding it: the server writes "type" first, then "seq" for
// events and "cid" for answers. It reports false for anything else.
func sniff(b []byte) (typ string, seq uint64, cid string, ok bool) {
	const pre = `{"type":"`
	if !bytes.HasPrefix(b, []byte(pre)) {
		return "", 0, "", false
	}
	rest := b[len(pre):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return "", 0, "", false
	}
	typ, rest = string(rest[:end]), rest[end+1:]
	switch {
	case bytes.HasPrefix(rest, []byte(`,"seq":`)):
		rest = rest[len(`,"seq":`):]
		n := 0
		for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
			seq = seq*10 + uint64(rest[n]-'0')
			n++
		}
		return typ, seq, "", n > 0
	case bytes.HasPrefix(rest, []byte(`,"cid":"`)):
		rest = rest[len(`,"cid":"`):]
		end := bytes.IndexByte(rest, '"')
		if end < 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
			return "", 0, "", false
		}
		return typ, 0, string(rest[:end]), true
	}
	return typ, 0, "", typ == live.MsgRTC || typ == live.MsgSpeaking || typ == live.MsgError
}

// randomPrefix returns a short random cid prefix, unique per client.
func randomPrefix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b) + "-"
}
