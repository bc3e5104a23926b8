package live

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"

	"github.com/ask2live/ask2live"
)

// conn is one participant's socket, an actor of two goroutines: the reader
// decodes commands and runs them; the writer sends heartbeats, waits on the
// socket when it is full and writes the close. Frames reach the socket
// through send, without waking the writer while the socket has room: the
// room writes each event's frame to every connection itself, one
// non-blocking system call each. Frames that find the socket full, or
// others already waiting, queue up to SendQueue; the writer then writes
// all that waits in one system call. A full queue means the client cannot
// keep up: it is closed with CloseSlow and resumes by sequence when it
// reconnects.
type conn struct {
	id   string // unique in the cluster: presence counts connections
	hub  *Hub
	room *Room
	ws   *wsConn
	user *ask2live.User
	host bool

	quit     chan struct{} // closed by finish
	wake     chan struct{} // the writer has frames to write
	readDone chan struct{} // closed when the reader ends

	// busy is held while the reader runs a command, so that a graceful
	// close waits for the command's answer before the close frame.
	busy sync.Mutex

	// wmu orders every write to the socket and guards the fields below.
	wmu   sync.Mutex
	queue [][]byte // frames not yet written, oldest first
	sent  int      // bytes of queue[0] already written
	spare [][]byte // the writer's last batch, reused
	// writing: the writer owns the socket until the queue is empty.
	// ending: finish was called, with these code, reason and drain.
	// done: the writer took its last frames; nothing more is queued.
	// broken: a write failed, maybe in the middle of a frame: nothing more
	// can be written.
	writing, ending, done, broken bool
	closeCode                     ws.StatusCode
	closeReason                   string
	drain                         bool
	once                          sync.Once

	heard atomic.Bool // the peer sent something since the last ping
	// running: the reader runs a command, so whatever the peer sent since
	// waits unread; the peer is not blamed for that.
	running atomic.Bool
	media   MediaPeer // set once voice is joined; used only by the reader
}

func newConn(h *Hub, r *Room, s *wsConn, u *ask2live.User, host bool) *conn {
	return &conn{id: randomID("c"), hub: h, room: r, ws: s, user: u, host: host,
		quit: make(chan struct{}), wake: make(chan struct{}, 1), readDone: make(chan struct{})}
}

// send queues a frame without ever blocking the caller (the room): when
// nothing waits before it, it is written at once.
func (c *conn) send(f []byte) { c.put(f, false) }

// enqueue frames an encoded message and sends it.
func (c *conn) enqueue(msg []byte) { c.put(textFrame(msg), false) }

func (c *conn) enqueueJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.hub.log.Error("encoding a message", slog.Any("err", err))
		return
	}
	c.enqueue(b)
}

// put writes or queues a frame. Control frames (pings, pongs) do not count
// towards the queue's limit.
func (c *conn) put(f []byte, control bool) {
	c.wmu.Lock()
	switch {
	case c.done || c.ending && !c.drain:
		c.wmu.Unlock()
		return
	case !control && len(c.queue) >= c.hub.cfg.SendQueue:
		c.wmu.Unlock()
		c.hub.metrics.slow.Inc()
		c.finish(CloseSlow, "too far behind; reconnect with last_seq", false)
		return
	case len(c.queue) == 0 && !c.writing && !c.ending && c.ws.raw != nil:
		n, err := c.ws.tryWrite(f)
		if err != nil {
			c.broken = true
			c.wmu.Unlock()
			c.finish(ws.StatusAbnormalClosure, "write failed", false)
			return
		}
		if n == len(f) {
			c.wmu.Unlock()
			return
		}
		c.sent = n // the socket is full: the writer waits for room
	}
	c.queue = append(c.queue, f)
	if !c.writing {
		c.writing = true
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	c.wmu.Unlock()
}

// finish closes the connection with a code. With drain, frames already
// queued are sent first (the session ended, the server restarts).
func (c *conn) finish(code ws.StatusCode, reason string, drain bool) {
	c.once.Do(func() {
		c.wmu.Lock()
		c.ending, c.closeCode, c.closeReason, c.drain = true, code, reason, drain
		c.wmu.Unlock()
		close(c.quit)
		// A write stuck on a peer that stopped reading fails then, while a
		// peer that is merely slow still gets its last frames and the code.
		time.AfterFunc(c.hub.cfg.WriteTimeout, func() { _ = c.ws.nc.Close() })
	})
}

// writeLoop writes what waits and pings until the connection finishes.
func (c *conn) writeLoop() {
	ping := time.NewTicker(c.hub.cfg.PingInterval)
	defer ping.Stop()
	pinged := false
	for {
		select {
		case <-c.wake:
			if err := c.flush(); err != nil {
				c.finish(ws.StatusAbnormalClosure, "write failed", false)
			}
		case <-ping.C:
			// A peer that sent nothing, not even the pong, within an
			// interval after a ping is gone (unless its frames wait behind
			// a command of its own that is still running).
			if pinged && !c.heard.Load() && !c.running.Load() {
				c.finish(CloseIdle, "no answer to heartbeats", false)
				continue
			}
			c.heard.Store(false)
			c.put(pingFrame, true)
			pinged = true
		case <-c.quit:
			c.end()
			return
		}
	}
}

// flush writes what waits, all of it with one system call, until nothing
// does; then the socket is the senders' to write to again.
func (c *conn) flush() error {
	for {
		c.wmu.Lock()
		if len(c.queue) == 0 || c.ending {
			if !c.ending {
				c.writing = false
			}
			c.wmu.Unlock()
			return nil
		}
		batch := c.queue
		batch[0] = batch[0][c.sent:]
		c.queue, c.sent = c.spare[:0], 0
		c.wmu.Unlock()
		err := c.ws.writeFrames(batch, c.hub.cfg.WriteTimeout)
		clear(batch)
		c.spare = batch[:0]
		if err != nil {
			c.wmu.Lock()
			c.broken = true
			c.wmu.Unlock()
			return err
		}
	}
}

// end sends what the close leaves to send, then the close frame; it waits
// for the peer's answer (the reader ends with it) before dropping the
// connection.
func (c *conn) end() {
	c.wmu.Lock()
	drain := c.drain
	c.wmu.Unlock()
	if drain {
		c.busy.Lock() // the command running now answers first
	}
	c.wmu.Lock()
	rest := c.queue
	switch {
	case len(rest) == 0:
	case drain:
		rest[0] = rest[0][c.sent:]
	case c.sent > 0:
		rest = [][]byte{rest[0][c.sent:]} // only the rest of a frame begun
	default:
		rest = nil
	}
	code, reason, broken := c.closeCode, c.closeReason, c.broken
	c.queue, c.done = nil, true
	c.wmu.Unlock()
	if drain {
		c.busy.Unlock()
	}
	if mayBeSent(code) && !broken {
		frames := append(rest, closeFrame(code, reason))
		if c.ws.writeFrames(frames, c.hub.cfg.WriteTimeout) == nil {
			select {
			case <-c.readDone:
			case <-time.After(closeWait):
			}
		}
	}
	_ = c.ws.nc.Close()
}

// readLoop runs commands until the socket closes.
func (c *conn) readLoop(ctx context.Context) {
	defer close(c.readDone)
	pong := func(p []byte) { c.put(controlFrame(ws.OpPong, p), true) }
	heard := func() { c.heard.Store(true) }
	for {
		frame, err := c.ws.readMessage(c.hub.cfg.MaxFrameBytes, pong, heard)
		if err != nil {
			// The peer closed (its code is echoed), the socket broke, or a
			// frame broke the protocol or the size limit (1002, 1009).
			code, reason := closeFor(err)
			c.finish(code, reason, false)
			if ce := (*closeError)(nil); errors.As(err, &ce) && !ce.peer {
				c.ws.drain() // until the peer's answer to the close
			}
			return
		}
		select {
		case <-c.quit:
			continue // closing: commands are no longer run
		default:
		}
		cmd, err := DecodeCommand(frame)
		if err != nil {
			c.hub.metrics.badFrames.Inc()
			c.enqueueJSON(errorMsg(cidOf(frame), err))
			continue
		}
		c.busy.Lock()
		c.running.Store(true)
		c.handle(ctx, cmd)
		c.running.Store(false)
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

// role returns what the connection's user is in the session now (the team
// can change during the session). Not for the room goroutine: it asks it.
func (c *conn) role() ask2live.TeamRole {
	var role ask2live.TeamRole
	if !c.room.do(func() { role = c.room.roleOf(c) }) && c.host {
		role = ask2live.TeamHost
	}
	return role
}

// mayModerate and mayRunStage check a role for the queue and chat, and for
// the stage (see ask2live.TeamRole).
func mayModerate(role ask2live.TeamRole) error {
	if !role.Moderates() {
		return ask2live.Errorf(ask2live.EForbidden, "only the host and moderators can do this")
	}
	return nil
}

func mayRunStage(role ask2live.TeamRole) error {
	if !role.RunsStage() {
		return ask2live.Errorf(ask2live.EForbidden, "only the host and co-hosts can do this")
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
		return svc.Ask(ctx, c.user, c.room.id, ask2live.QuestionInput{Text: cmd.Text, Kind: cmd.Kind, Anonymous: cmd.Anonymous})
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
	case CmdPin, CmdUnpin:
		return svc.PinQuestion(ctx, c.user, cmd.QuestionID, cmd.Type == CmdPin)
	case CmdEnd:
		_, err := svc.End(ctx, c.user, c.room.id)
		return nil, err
	case CmdSetSlowMode:
		_, err := svc.SetChatSlowMode(ctx, c.user, c.room.id, cmd.Seconds)
		return nil, err
	case CmdChat:
		return h.chat(ctx, c, cmd.Text)
	case CmdDeleteChat:
		if err := mayModerate(c.role()); err != nil {
			return nil, err
		}
		if err := svc.Store.DeleteChatMessage(ctx, c.room.id, cmd.MessageID); err != nil {
			return nil, err
		}
		h.publish(c.room.id, Event{Type: EvChatDeleted, MessageID: cmd.MessageID})
		return nil, nil
	case CmdParticipants:
		if err := mayModerate(c.role()); err != nil {
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
		role := c.room.roleOf(c)
		switch cmd.Type {
		case CmdGrantMic:
			if err = mayRunStage(role); err == nil {
				err = c.room.grant(cmd.Username, time.Duration(cmd.Seconds)*time.Second)
			}
		case CmdExtendMic:
			if err = mayRunStage(role); err == nil {
				err = c.room.extend(cmd.Username, time.Duration(cmd.Seconds)*time.Second)
			}
		case CmdRevokeMic:
			switch {
			case cmd.Username == "" || cmd.Username == me:
				err = c.room.takeBack(me, "gave_back")
			case cmd.Username == c.room.session.Host.Username && !c.host:
				err = ask2live.Errorf(ask2live.EForbidden, "only the host can take their own mic")
			case role.RunsStage():
				err = c.room.takeBack(cmd.Username, "revoked")
			default:
				err = ask2live.Errorf(ask2live.EForbidden, "only the host and co-hosts can take someone else's mic")
			}
		case CmdGiveBackMic:
			err = c.room.takeBack(me, "gave_back")
		case CmdDeclineMic:
			err = c.room.takeBack(me, "declined")
		case CmdMute:
			target := me
			if cmd.Username != "" && cmd.Username != me {
				if err = mayRunStage(role); err != nil {
					return
				}
				target = cmd.Username
			}
			err = c.room.setMuted(target, *cmd.Muted)
		case CmdRemove, CmdReadmit:
			switch err = mayRunStage(role); {
			case err != nil:
			case cmd.Username == me:
				err = ask2live.Errorf(ask2live.EInvalid, "you cannot remove yourself; leave the room instead")
			case cmd.Username == c.room.session.Host.Username:
				err = ask2live.Errorf(ask2live.EForbidden, "the host cannot be removed")
			case !c.host && teamRole(c.room.team, cmd.Username) != "":
				err = ask2live.Errorf(ask2live.EForbidden, "only the host can remove a member of the team")
			default:
				err = c.room.setRemoved(cmd.Username, cmd.Type == CmdRemove)
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
		c.room.do(func() { onAir = c.room.onStage(c.user.Username) })
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
