package live

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/ask2live/ask2live"
)

// conn is one participant's socket. The reader goroutine decodes commands and
// runs them; the writer goroutine drains a bounded queue of encoded frames
// and sends heartbeats. A full queue means the client cannot keep up: it is
// closed with CloseSlow and resumes by sequence when it reconnects.
type conn struct {
	id   string // unique in the cluster: presence counts connections
	hub  *Hub
	room *Room
	ws   *websocket.Conn
	user *ask2live.User
	host bool

	send chan []byte
	quit chan struct{}
	// Writes carry no context (the library would register it with every
	// frame); instead the socket is closed outright a write timeout after
	// the connection finishes: a write stuck on a peer that stopped reading
	// then fails, while a peer that is merely slow still gets its last
	// frames and close code.

	// busy is held while the reader runs a command, so that a graceful
	// close waits for the command's answer before the close frame.
	busy sync.Mutex

	mu          sync.Mutex
	closeCode   websocket.StatusCode
	closeReason string
	drain       bool
	once        sync.Once

	media MediaPeer // set once voice is joined; used only by the reader
}

func newConn(h *Hub, r *Room, ws *websocket.Conn, u *ask2live.User, host bool) *conn {
	c := &conn{id: randomID("c"), hub: h, room: r, ws: ws, user: u, host: host,
		send: make(chan []byte, h.cfg.SendQueue), quit: make(chan struct{})}
	return c
}

// enqueue queues an encoded frame without ever blocking the room.
func (c *conn) enqueue(b []byte) {
	select {
	case c.send <- b:
	default:
		c.hub.metrics.slow.Inc()
		c.finish(CloseSlow, "too far behind; reconnect with last_seq", false)
	}
}

func (c *conn) enqueueJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.hub.log.Error("encoding a message", slog.Any("err", err))
		return
	}
	c.enqueue(b)
}

// finish closes the connection with a code. With drain, frames already
// queued are sent first (the session ended, the server restarts).
func (c *conn) finish(code websocket.StatusCode, reason string, drain bool) {
	c.once.Do(func() {
		c.mu.Lock()
		c.closeCode, c.closeReason, c.drain = code, reason, drain
		c.mu.Unlock()
		close(c.quit)
		time.AfterFunc(c.hub.cfg.WriteTimeout, func() { _ = c.ws.CloseNow() })
	})
}

// writeLoop sends queued frames and pings until the connection finishes.
func (c *conn) writeLoop() {
	ping := time.NewTicker(c.hub.cfg.PingInterval)
	defer ping.Stop()
	write := func(b []byte) error { return c.ws.Write(context.Background(), websocket.MessageText, b) }
	for {
		select {
		case b := <-c.send:
			var err error
			if len(c.send) == 0 {
				err = write(b)
			} else {
				// Behind: the queued messages go out together, one system
				// call for many instead of one each.
				err = c.writeBatch(b, write)
			}
			if err != nil {
				c.finish(websocket.StatusAbnormalClosure, "write failed", false)
			}
		case <-ping.C:
			// A peer that does not answer a ping within the interval is gone.
			ctx, cancel := context.WithTimeout(context.Background(), c.hub.cfg.PingInterval)
			err := c.ws.Ping(ctx)
			cancel()
			if err != nil {
				c.finish(CloseIdle, "no answer to heartbeats", false)
			}
		case <-c.quit:
			c.mu.Lock()
			code, reason, drain := c.closeCode, c.closeReason, c.drain
			c.mu.Unlock()
			if drain {
				c.busy.Lock()
				defer c.busy.Unlock()
			}
			for drain {
				select {
				case b := <-c.send:
					if write(b) != nil {
						drain = false
					}
				default:
					drain = false
				}
			}
			_ = c.ws.Close(code, reason)
			return
		}
	}
}

var batchPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// writeBatch sends first and the messages queued behind it (at most a
// queue's worth), joined by newlines into frames of at most BatchBytes;
// encoded JSON has no raw newlines.
func (c *conn) writeBatch(first []byte, write func([]byte) error) error {
	bp := batchPool.Get().(*[]byte)
	b := append((*bp)[:0], first...)
	var err error
	for range cap(c.send) {
		var next []byte
		select {
		case next = <-c.send:
		default:
		}
		if next == nil {
			break
		}
		if len(b)+1+len(next) > c.hub.cfg.BatchBytes {
			if err = write(b); err != nil {
				break
			}
			b = append(b[:0], next...)
			continue
		}
		b = append(append(b, '\n'), next...)
	}
	if err == nil {
		err = write(b)
	}
	*bp = b[:0]
	batchPool.Put(bp)
	return err
}

// readLoop runs commands until the socket closes.
func (c *conn) readLoop(ctx context.Context) {
	for {
		_, frame, err := c.ws.Read(ctx)
		if err != nil {
			// The peer closed, the socket broke, or a frame exceeded the read
			// limit (the library has then already closed with 1009).
			c.finish(websocket.StatusNormalClosure, "", false)
			return
		}
		cmd, err := DecodeCommand(frame)
		if err != nil {
			c.hub.metrics.badFrames.Inc()
			c.enqueueJSON(errorMsg("", err))
			continue
		}
		c.busy.Lock()
		c.handle(ctx, cmd)
		c.busy.Unlock()
	}
}

// handle runs one command and answers with an ack or a typed error. A
// repeated cid gets the first answer again without running twice (see
// commandLog).
func (c *conn) handle(ctx context.Context, cmd *Command) {
	if cmd.Type == CmdHello {
		c.enqueueJSON(ErrorMsg{Type: MsgError, Code: ask2live.EInvalid, Message: "hello is sent once, first"})
		return
	}
	if cmd.Type == CmdRTC {
		if ok, wait := c.hub.signalLimit.Allow(ctx, c.id); !ok {
			c.hub.metrics.limited.Inc()
			c.enqueueJSON(errorMsg("", rateLimited(wait, "too many signalling messages")))
			return
		}
		c.signal(cmd)
		return
	}
	// The budget is spent before the command record is claimed: a refused
	// command costs no database write, and is not remembered, so the same
	// cid runs when it is retried after the wait.
	if ok, wait := c.hub.commandLimit.Allow(ctx, c.room.id+"/"+c.user.ID); !ok {
		c.hub.metrics.limited.Inc()
		c.enqueueJSON(errorMsg(cmd.CID, rateLimited(wait, "too many commands")))
		return
	}
	if cmd.Type == CmdParticipants {
		// Reads change nothing: answered afresh each time.
		c.enqueue(c.reply(ctx, cmd))
		return
	}
	k := ask2live.CommandKey{SessionID: c.room.id, UserID: c.user.ID, CID: cmd.CID}
	reply, err := c.hub.commands.run(ctx, k, func() ([]byte, bool) {
		b := c.reply(ctx, cmd)
		return b, !bytes.HasPrefix(b, errorPrefix)
	})
	if err != nil {
		reply, _ = json.Marshal(errorMsg(cmd.CID, err))
	}
	c.enqueue(reply)
}

var errorPrefix = []byte(`{"type":"error"`)

// reply runs a command and encodes its ack or typed error.
func (c *conn) reply(ctx context.Context, cmd *Command) []byte {
	result, err := c.run(ctx, cmd)
	if err != nil {
		if ask2live.ErrorCode(err) == ask2live.EInternal || ask2live.ErrorCode(err) == ask2live.EUnavailable {
			c.hub.log.Error("live command failed", slog.String("type", cmd.Type), slog.String("session", c.room.id), slog.Any("err", err))
		}
		b, _ := json.Marshal(errorMsg(cmd.CID, err))
		return b
	}
	b, _ := json.Marshal(Ack{Type: MsgAck, CID: cmd.CID, Result: result})
	return b
}

func (c *conn) requireHost() error {
	if !c.host {
		return ask2live.Errorf(ask2live.EForbidden, "only the host can do this")
	}
	return nil
}

// run executes a command. Question and session commands go through the
// Service (which stores them and notifies the hub, which publishes the
// event); stage commands run on the room goroutine.
func (c *conn) run(ctx context.Context, cmd *Command) (any, error) {
	svc, h := c.hub.svc, c.hub
	switch cmd.Type {
	case CmdAsk:
		if ok, wait := h.questionLimit.Allow(ctx, c.room.id+"/"+c.user.ID); !ok {
			return nil, rateLimited(wait, "too many questions")
		}
		return svc.Ask(ctx, c.user, c.room.id, ask2live.QuestionInput{Text: cmd.Text, Kind: cmd.Kind})
	case CmdVote:
		return svc.Vote(ctx, c.user, cmd.QuestionID)
	case CmdUnvote:
		return svc.Unvote(ctx, c.user, cmd.QuestionID)
	case CmdEditQuestion:
		return svc.EditQuestion(ctx, c.user, cmd.QuestionID, cmd.Text)
	case CmdDeleteQuestion:
		return nil, svc.DeleteQuestion(ctx, c.user, cmd.QuestionID)
	case CmdSetQuestionState:
		return svc.SetQuestionState(ctx, c.user, cmd.QuestionID, cmd.State)
	case CmdEnd:
		_, err := svc.End(ctx, c.user, c.room.id)
		return nil, err
	case CmdChat:
		return h.chat(ctx, c, cmd.Text)
	case CmdDeleteChat:
		if err := c.requireHost(); err != nil {
			return nil, err
		}
		if err := svc.Store.DeleteChatMessage(ctx, c.room.id, cmd.MessageID); err != nil {
			return nil, err
		}
		h.publish(c.room.id, Event{Type: EvChatDeleted, MessageID: cmd.MessageID})
		return nil, nil
	case CmdParticipants:
		if err := c.requireHost(); err != nil {
			return nil, err
		}
		var list []ask2live.UserSummary
		c.room.do(func() { list = c.room.participantList(nil) })
		return list, nil
	}
	return c.stage(cmd)
}

// stage runs the microphone commands on the room goroutine.
func (c *conn) stage(cmd *Command) (any, error) {
	var err error
	me := c.user.Username
	ran := c.room.do(func() {
		switch cmd.Type {
		case CmdGrantMic:
			if err = c.requireHost(); err == nil {
				err = c.room.grant(cmd.Username)
			}
		case CmdRevokeMic:
			switch {
			case cmd.Username == "" || cmd.Username == me:
				err = c.room.takeBack(me, "gave_back")
			case c.host:
				err = c.room.takeBack(cmd.Username, "revoked")
			default:
				err = ask2live.Errorf(ask2live.EForbidden, "only the host can take someone else's mic")
			}
		case CmdGiveBackMic:
			err = c.room.takeBack(me, "gave_back")
		case CmdDeclineMic:
			err = c.room.takeBack(me, "declined")
		case CmdMute:
			target := me
			if cmd.Username != "" && cmd.Username != me {
				if err = c.requireHost(); err != nil {
					return
				}
				target = cmd.Username
			}
			err = c.room.setMuted(target, *cmd.Muted)
		case CmdRemove, CmdReadmit:
			if err = c.requireHost(); err == nil {
				if cmd.Username == me {
					err = ask2live.Errorf(ask2live.EInvalid, "the host cannot remove themselves; end the session instead")
				} else {
					err = c.room.setRemoved(cmd.Username, cmd.Type == CmdRemove)
				}
			}
		default:
			err = ask2live.Errorf(ask2live.EInvalid, "unknown command %q", cmd.Type)
		}
	})
	if !ran {
		return nil, ask2live.Errorf(ask2live.EWrongState, "the room has closed")
	}
	return nil, err
}

// signal passes WebRTC signalling to the media server.
func (c *conn) signal(cmd *Command) {
	if c.hub.media == nil || c.hub.media == noMedia {
		c.enqueueJSON(ErrorMsg{Type: MsgError, CID: cmd.CID, Code: ask2live.EUnavailable, Message: "voice is not available on this server"})
		return
	}
	var head struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(cmd.Signal, &head)
	if head.Type == "join" {
		// (Re)join the audio: the server answers with an offer. Whoever is
		// on the stage now is on air in the media server too.
		if c.media != nil {
			c.media.Leave()
		}
		p, err := c.hub.media.Join(c.room.id, c.user.Username, func(sig json.RawMessage) {
			c.enqueueJSON(RTCMessage{Type: MsgRTC, Signal: sig})
		}, func(err error) {
			c.enqueueJSON(errorMsg("", ask2live.Wrap(ask2live.EInvalid, err, "bad signalling message")))
		})
		if err != nil {
			c.media = nil
			c.enqueueJSON(errorMsg(cmd.CID, err))
			return
		}
		c.media = p
		var onAir bool
		c.room.do(func() { onAir = slices.Contains(c.room.speakers, c.user.Username) && !c.room.muted[c.user.Username] })
		c.hub.media.SetOnAir(c.room.id, c.user.Username, onAir)
		return
	}
	if c.media == nil {
		c.enqueueJSON(ErrorMsg{Type: MsgError, CID: cmd.CID, Code: ask2live.EWrongState, Message: `send {"type":"join"} first`})
		return
	}
	if err := c.media.Signal(cmd.Signal); err != nil {
		c.enqueueJSON(errorMsg(cmd.CID, ask2live.Wrap(ask2live.EInvalid, err, "bad signalling message")))
	}
}
