package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ask2live/ask2live"
)

// Room is the live room of one session on this node. One goroutine owns its
// state: it applies the room's events from the bus in sequence order, encodes
// each once and queues the bytes to every connection, and runs the commands
// that depend on room state (joins, the stage). Everything else reaches it
// through r.do or the bus.
type Room struct {
	hub *Hub
	id  string
	// epoch is the bus's log the room follows; it was read before the
	// subscription, so a change during the load shows as a difference.
	epoch string
	ops   chan func()
	mail  *mailbox
	quit  chan struct{}
	done  chan struct{}

	// Owned by the room goroutine.
	session   *SessionInfo
	hostID    string
	questions map[string]*ask2live.Question
	chat      []*ask2live.ChatMessage
	stage     stage
	micTimers map[string]micTimer // this node's timers for the stage's time limits
	// members is everyone present, on any node, as of the room's events:
	// the bus keeps presence (see Bus.UpdatePresence), so every node's copy
	// is the same at the same seq. presenceSeq is where the copy loaded at
	// start stands; presence events up to it are already in it.
	members     map[string]ask2live.UserSummary
	presenceSeq uint64
	// conns are this node's connections, each with its place in list,
	// the order broadcast writes to them in.
	conns map[*conn]int
	list  []*conn
	turn  int // where the last broadcast started in list
	seq   uint64
	ring  []ringEvent
	// ready is the seq the room must reach before it answers joins (the
	// replayed log); joins that come earlier wait in held.
	ready uint64
	held  []func()
	// This node's connections that came or went since the last flush.
	arrive   []Arrival
	depart   []string
	count    atomic.Int64 // len(members), readable from other goroutines
	hostGone *time.Timer
	hostAway bool
	maxLive  *time.Timer
	closing  bool
	// The count last told to the main page's stream, and when.
	countSent   int64
	countSentAt time.Time
	// removed is who the host removed for the rest of the session
	// (username → summary): stored, and kept by the room's events.
	removed map[string]ask2live.UserSummary
	// team is the host's team as of the room's events (see EvTeam).
	team []ask2live.TeamMember
	// lastChat is when each person last sent a chat message, as of the
	// room's events and this node's sends, for slow mode.
	lastChat map[string]time.Time
	// slowChat is session.ChatSlowSeconds, readable from other goroutines:
	// a chat message asks the room about slow mode only while it is on.
	slowChat atomic.Int64

	// Speaking changes from the media server wait here (username → latest
	// state) until the room goroutine sends them: a burst becomes one
	// event per user, and the last state sent is always the latest.
	speakMu     sync.Mutex
	speakNext   map[string]bool
	speakQueued bool
}

type ringEvent struct {
	seq   uint64
	frame []byte // the event as sent: a text frame
	// pub is the frame for the audience when it must not see everything:
	// an anonymous question without its author, who is named in author.
	// Only the author, the host and the team get frame then.
	pub    []byte
	author string
}

// frameFor returns the frame of an event that c may see.
func (r *Room) frameFor(c *conn, e *ringEvent) []byte {
	if e.pub == nil || c.user.Username == e.author || r.roleOf(c).Moderates() {
		return e.frame
	}
	return e.pub
}

// topic names a room's log on the bus.
func topic(sessionID string) string { return "room:" + sessionID }

// newRoom loads the session's state once and starts the room goroutine. The
// bus subscription starts before the load, so nothing published meanwhile
// is missed (applying an event twice is harmless: events carry whole
// objects).
func newRoom(ctx context.Context, h *Hub, s *ask2live.Session) (*Room, error) {
	r := &Room{
		hub: h, id: s.ID, ops: make(chan func(), 64), mail: newMailbox(),
		quit: make(chan struct{}), done: make(chan struct{}),
		session: sessionInfo(s), hostID: s.HostID, questions: map[string]*ask2live.Question{},
		members: map[string]ask2live.UserSummary{}, conns: map[*conn]int{},
		removed: map[string]ask2live.UserSummary{}, lastChat: map[string]time.Time{}, countSent: -1,
	}
	r.slowChat.Store(int64(s.ChatSlowSeconds))
	r.epoch = h.bus.Epoch()
	cancel, after := h.bus.Subscribe(topic(s.ID), true, func(seq uint64, msg []byte) { r.mail.put(busMsg{seq, msg}) })
	// Events published before the room existed (an open-now session's
	// "live") are already in the log: the room's count starts after them.
	r.seq = after
	members, pseq, err := h.bus.Members(ctx, topic(s.ID))
	if err != nil {
		cancel()
		return nil, ask2live.Wrap(ask2live.EUnavailable, err, "the event bus did not answer")
	}
	for u, b := range members {
		var sum ask2live.UserSummary
		if json.Unmarshal(b, &sum) == nil {
			r.members[u] = sum
		}
	}
	r.presenceSeq = pseq
	// The log stands at pseq at least: joins wait until the room has
	// applied that far, so a resume is answered from a complete window.
	r.ready = pseq
	r.count.Store(int64(len(r.members)))
	qs, err := h.svc.Store.ListQuestions(ctx, s.ID, "")
	if err != nil {
		cancel()
		return nil, err
	}
	for _, q := range qs {
		r.questions[q.ID] = q
	}
	if r.chat, err = h.svc.Store.RecentChat(ctx, s.ID, h.cfg.ChatHistory); err != nil {
		cancel()
		return nil, err
	}
	for _, m := range r.chat {
		r.lastChat[m.Sender.Username] = m.CreatedAt
	}
	removed, err := h.svc.Store.Removals(ctx, s.ID)
	if err != nil {
		cancel()
		return nil, err
	}
	for _, u := range removed {
		r.removed[u.Username] = u
	}
	if r.team, err = h.svc.Store.Team(ctx, s.ID); err != nil {
		cancel()
		return nil, err
	}
	if s.Host != nil {
		r.stage.speakers = []string{s.Host.Username}
	}
	// The stage as it was before a restart; the log (with Redis) may then
	// bring it further.
	if doc, err := h.svc.Store.Stage(ctx, s.ID); err != nil {
		cancel()
		return nil, err
	} else if doc != nil {
		r.loadStage(doc)
	}
	go r.run(cancel)
	return r, nil
}

// do runs fn on the room goroutine and waits for it. It reports false if the
// room has closed.
func (r *Room) do(fn func()) bool {
	ran := make(chan struct{})
	select {
	case r.ops <- func() { fn(); close(ran) }:
	case <-r.done:
		return false
	}
	select {
	case <-ran:
		return true
	case <-r.done:
		return false
	}
}

func (r *Room) run(unsubscribe func()) {
	defer close(r.done)
	defer unsubscribe()
	presence := time.NewTicker(r.hub.cfg.PresenceInterval)
	defer presence.Stop()
	r.startTimers()
	// A log that never reaches ready (its end was trimmed, the bus is
	// down) does not keep joins waiting: they get snapshots.
	readyBy := time.AfterFunc(2*time.Second, func() { r.do(func() { r.ready = 0; r.release() }) })
	defer readyBy.Stop()
	mailDone := make(chan struct{})
	defer close(mailDone)
	mail := make(chan []busMsg)
	go func() {
		for {
			msgs, ok := r.mail.take(mailDone)
			if !ok {
				return
			}
			select {
			case mail <- msgs:
			case <-mailDone:
				return
			}
		}
	}()
	for {
		select {
		case fn := <-r.ops:
			fn()
		case msgs := <-mail:
			for _, m := range msgs {
				r.apply(m.seq, m.msg)
			}
			if r.seq >= r.ready {
				r.release()
			}
		case <-presence.C:
			r.flushPresence()
			r.publishCount()
		case <-r.quit:
			r.stopTimers()
			for c := range r.conns {
				c.finish(CloseGoingAway, "the server is restarting; reconnect", true)
			}
			return
		}
		if r.closing {
			r.stopTimers()
			r.hub.forget(r)
			return
		}
	}
}

// apply takes one event from the bus into the room state and sends it to
// every connection here.
func (r *Room) apply(seq uint64, msg []byte) {
	if seq <= r.seq {
		return
	}
	var ev Event
	if err := json.Unmarshal(msg, &ev); err != nil {
		r.hub.log.Error("undecodable room event", slog.String("session", r.id), slog.Any("err", err))
		return
	}
	ev.Seq = seq
	switch ev.Type {
	case EvQuestion:
		if ev.Question != nil {
			r.questions[ev.Question.ID] = ev.Question
		}
	case EvQuestionDeleted:
		delete(r.questions, ev.QuestionID)
	case EvChat:
		if ev.Chat != nil {
			if ev.Chat.CreatedAt.After(r.lastChat[ev.Chat.Sender.Username]) {
				r.lastChat[ev.Chat.Sender.Username] = ev.Chat.CreatedAt
			}
			r.chat = append(r.chat, ev.Chat)
			if over := len(r.chat) - r.hub.cfg.ChatHistory; over > 0 {
				r.chat = slices.Delete(r.chat, 0, over)
			}
		}
	case EvChatDeleted:
		r.chat = slices.DeleteFunc(r.chat, func(m *ask2live.ChatMessage) bool { return m.ID == ev.MessageID })
	case EvOnAir:
		if ev.OnAir != nil {
			r.stage = stageOf(ev.OnAir)
			r.armMicTimers()
		}
	case EvPresence:
		// The event says who changed and the count after: every node applies
		// the same change and sends the same bytes.
		if ev.Presence != nil && seq > r.presenceSeq {
			for _, u := range ev.Presence.Joined {
				r.members[u.Username] = u
			}
			for _, u := range ev.Presence.Left {
				delete(r.members, u)
			}
			r.count.Store(int64(len(r.members)))
			r.hostPresence()
		}
	case EvSession:
		if ev.Session != nil {
			r.session = ev.Session
			r.slowChat.Store(int64(ev.Session.ChatSlowSeconds))
		}
	case EvTeam:
		// Those whose role changed get a fresh snapshot after the event:
		// what they see (the participant list, who is removed) goes with it.
		before := r.team
		r.team = ev.Team
		defer r.resnapshot(before)
	case EvRemoval:
		if ev.Removal != nil {
			if ev.Removal.Removed {
				r.removed[ev.Removal.User.Username] = ev.Removal.User
			} else {
				delete(r.removed, ev.Removal.User.Username)
			}
		}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		r.hub.log.Error("encoding room event", slog.Any("err", err))
		return
	}
	// Encoded and framed once: every connection gets these same bytes (or,
	// for an anonymous question, one of two encodings).
	e := ringEvent{seq: seq, frame: textFrame(b)}
	if ev.Question != nil && ev.Question.Anonymous {
		pe := ev
		pe.Question = ev.Question.ForAudience()
		pb, err := json.Marshal(pe)
		if err != nil {
			r.hub.log.Error("encoding room event", slog.Any("err", err))
			return
		}
		e.pub, e.author = textFrame(pb), ev.Question.Author.Username
	}
	r.seq = seq
	r.ring = append(r.ring, e)
	if over := len(r.ring) - r.hub.cfg.ResumeWindow; over > 0 {
		r.ring = slices.Delete(r.ring, 0, over)
	}
	r.hub.metrics.events.Inc()
	r.hub.metrics.deliveries.Add(float64(len(r.list)))
	r.broadcast(&e)
	if ev.Type == EvRemoval && ev.Removal != nil && ev.Removal.Removed {
		r.closeSockets(ev.Removal.User.Username)
	}
	if ev.Type == EvSession && ev.Session != nil && ev.Session.State.Closed() {
		for c := range r.conns {
			c.finish(CloseNotLive, "the session has ended", true)
		}
		r.closing = true
	}
}

// join registers a connection and queues its first messages: a snapshot, or
// the events it missed since lastSeq of the same epoch. The arrival is
// published with the next presence flush.
func (r *Room) join(c *conn, epoch string, lastSeq *uint64) {
	if r.seq < r.ready {
		r.held = append(r.held, func() {
			select {
			case <-c.quit: // gave up waiting
			default:
				r.join(c, epoch, lastSeq)
			}
		})
		return
	}
	if r.isRemoved(c.user.Username) {
		// Removed while this join waited for the room.
		c.finish(CloseRemoved, removedReason, true)
		return
	}
	summary, _ := json.Marshal(c.user.Summary())
	r.arrive = append(r.arrive, Arrival{Conn: c.id, User: c.user.Username, Summary: summary})
	if lastSeq != nil && epoch == r.hub.bus.Epoch() && r.canResume(*lastSeq) {
		c.enqueueJSON(Resume{Type: MsgResume, From: *lastSeq + 1, Seq: r.seq, Epoch: epoch})
		for i := range r.ring {
			if e := &r.ring[i]; e.seq > *lastSeq {
				c.send(r.frameFor(c, e))
			}
		}
	} else {
		c.enqueueJSON(r.snapshot(c))
	}
	r.conns[c] = len(r.list)
	r.list = append(r.list, c)
}

// fanoutShare is the fewest connections worth a goroutine of their own in
// a broadcast.
const fanoutShare = 1024

// broadcast writes a frame to every connection here: one non-blocking
// system call each, made on the room's goroutine, or, in a big room on a
// machine with several cores, split between one goroutine per core. It
// returns when every connection has the frame written or queued, so each
// gets the events in order. Each broadcast starts one place further in
// the list, so that no connection is always the last served.
func (r *Room) broadcast(e *ringEvent) {
	n := len(r.list)
	if n == 0 {
		return
	}
	r.turn = (r.turn + 1) % n
	send := func(lo, hi int) {
		i := r.turn + lo
		if i >= n {
			i -= n
		}
		for range hi - lo {
			if e.pub == nil {
				r.list[i].send(e.frame)
			} else {
				r.list[i].send(r.frameFor(r.list[i], e))
			}
			if i++; i == n {
				i = 0
			}
		}
	}
	parts := min(runtime.GOMAXPROCS(0), n/fanoutShare)
	if parts <= 1 {
		send(0, n)
		return
	}
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() { send(p*n/parts, (p+1)*n/parts) })
	}
	wg.Wait()
}

// speaking records who started or stopped talking and, unless a send is
// already on its way, has the room goroutine send what changed. It never
// blocks the media path; the room reads the latest states when it runs, so
// a stop that follows a start can never reach clients before it.
func (r *Room) speaking(username string, on bool) {
	r.speakMu.Lock()
	if r.speakNext == nil {
		r.speakNext = map[string]bool{}
	}
	r.speakNext[username] = on
	queued := r.speakQueued
	r.speakQueued = true
	r.speakMu.Unlock()
	if !queued {
		go r.do(r.sendSpeaking)
	}
}

// sendSpeaking broadcasts the speaking changes waiting for the room, in
// username order so that a burst reads the same on every connection.
func (r *Room) sendSpeaking() {
	r.speakMu.Lock()
	next := r.speakNext
	r.speakNext, r.speakQueued = nil, false
	r.speakMu.Unlock()
	for _, u := range slices.Sorted(maps.Keys(next)) {
		b, _ := json.Marshal(Speaking{Type: MsgSpeaking, Username: u, Speaking: next[u]})
		r.broadcast(&ringEvent{frame: textFrame(b)})
	}
}

// release answers the joins that waited for the room to catch up.
func (r *Room) release() {
	held := r.held
	r.held = nil
	for _, join := range held {
		join()
	}
}

// canResume reports whether the events after lastSeq are all still in the
// ring.
func (r *Room) canResume(lastSeq uint64) bool {
	if lastSeq > r.seq {
		return false
	}
	if lastSeq == r.seq {
		return true
	}
	return len(r.ring) > 0 && r.ring[0].seq <= lastSeq+1
}

func (r *Room) leave(c *conn) {
	i, ok := r.conns[c]
	if !ok {
		return
	}
	last := r.list[len(r.list)-1]
	r.list[i], r.conns[last] = last, i
	r.list[len(r.list)-1] = nil
	r.list = r.list[:len(r.list)-1]
	delete(r.conns, c)
	// Even a connection whose arrival is not announced yet departs: a
	// snapshot may have shown it.
	r.depart = append(r.depart, c.id)
}

func (r *Room) snapshot(c *conn) Snapshot {
	role := r.roleOf(c)
	qs := make([]*ask2live.Question, 0, len(r.questions))
	for _, q := range r.questions {
		qs = append(qs, q.SeenBy(c.user.Username, role.Moderates()))
	}
	ask2live.SortQuestions(qs)
	s := Snapshot{
		Type: MsgSnapshot, V: ProtocolVersion, Seq: r.seq, Epoch: r.hub.bus.Epoch(), Session: r.session,
		You:       You{Username: c.user.Username, Host: c.host, Role: role},
		Team:      r.team,
		Questions: qs, OnAir: r.onAir("", ""), Chat: r.chat, ServerTime: time.Now().UTC().Truncate(time.Millisecond),
	}
	// Those connected here count at once, the joiner included, before the
	// presence event that announces them.
	list := r.participantList(c)
	s.ParticipantCount = len(list)
	if s.Chat == nil {
		s.Chat = []*ask2live.ChatMessage{}
	}
	if s.Team == nil {
		s.Team = []ask2live.TeamMember{}
	}
	if role.Moderates() {
		s.Participants = list
	}
	if role.RunsStage() {
		for _, u := range r.removed {
			s.Removed = append(s.Removed, u)
		}
		slices.SortFunc(s.Removed, func(a, b ask2live.UserSummary) int { return strings.Compare(a.Username, b.Username) })
	}
	return s
}

// slowWait returns how long c must wait before its next chat message
// under slow mode, or 0 and takes now as its last message. The host's
// team is exempt. Two sockets of one person on two nodes sending in the
// same instant may both pass: each node knows the other's messages only
// from the room's events.
func (r *Room) slowWait(c *conn, now time.Time) time.Duration {
	slow := time.Duration(r.session.ChatSlowSeconds) * time.Second
	if slow <= 0 || r.roleOf(c).Moderates() {
		return 0
	}
	if next := r.lastChat[c.user.Username].Add(slow); now.Before(next) {
		return next.Sub(now)
	}
	r.lastChat[c.user.Username] = now
	return 0
}

// roleOf returns what a connection's user is in the session: the host, a
// member of the team, or a guest ("").
func (r *Room) roleOf(c *conn) ask2live.TeamRole {
	if c.host {
		return ask2live.TeamHost
	}
	return teamRole(r.team, c.user.Username)
}

func teamRole(team []ask2live.TeamMember, username string) ask2live.TeamRole {
	for _, m := range team {
		if m.User.Username == username {
			return m.Role
		}
	}
	return ""
}

// resnapshot sends a fresh snapshot to this node's connections whose
// role differs in the room's team from what it was in before.
func (r *Room) resnapshot(before []ask2live.TeamMember) {
	for _, c := range r.list {
		if !c.host && teamRole(before, c.user.Username) != teamRole(r.team, c.user.Username) {
			c.enqueueJSON(r.snapshot(c))
		}
	}
}

// participantList is everyone present: announced, or connected here (with
// also, the connection about to join).
func (r *Room) participantList(also *conn) []ask2live.UserSummary {
	seen := make(map[string]bool, len(r.members))
	out := make([]ask2live.UserSummary, 0, len(r.members)+1)
	for _, u := range r.members {
		seen[u.Username] = true
		out = append(out, u)
	}
	add := func(c *conn) {
		if !seen[c.user.Username] {
			seen[c.user.Username] = true
			out = append(out, c.user.Summary())
		}
	}
	for c := range r.conns {
		add(c)
	}
	if also != nil {
		add(also)
	}
	slices.SortFunc(out, func(a, b ask2live.UserSummary) int {
		if a.Username < b.Username {
			return -1
		}
		return 1
	})
	return out
}

// flushPresence hands this node's arrivals and departures since the last
// flush to the bus, which publishes them as one presence event, so a crowd
// arriving is a few events, not one per person. What the bus did not take
// is tried again at the next flush (repeating an update is harmless).
func (r *Room) flushPresence() {
	if len(r.arrive) == 0 && len(r.depart) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.hub.bus.UpdatePresence(ctx, topic(r.id), r.arrive, r.depart); err != nil {
		r.hub.log.Error("publishing presence", slog.String("session", r.id), slog.Any("err", err))
		return
	}
	r.arrive, r.depart = nil, nil
}

// countInterval is the least time between two counts of one room told to
// the main page's stream by one node.
const countInterval = time.Second

// publishCount tells the main page's stream how many are in the room, when
// that changed since it last did (at most once per countInterval). Every
// node running the room does so: they count the same at the same seq, and a
// repeated count is harmless.
func (r *Room) publishCount() {
	n := r.count.Load()
	if n == r.countSent || time.Since(r.countSentAt) < countInterval {
		return
	}
	r.countSent, r.countSentAt = n, time.Now()
	r.hub.publishCount(r.id, int(n))
}

// present reports whether a user is in the room: announced by a presence
// event, or connected here and about to be.
func (r *Room) present(username string) bool {
	return slices.ContainsFunc(r.participantList(nil), func(u ask2live.UserSummary) bool { return u.Username == username })
}

// removedReason is the close reason a removed user's sockets get.
const removedReason = "the host removed you from the room"

// isRemoved reports whether the host removed a user for the session.
func (r *Room) isRemoved(username string) bool {
	_, out := r.removed[username]
	return out
}

// setRemoved removes a user from the room for the rest of the session, or
// lets them back (host commands remove and readmit). The removal is stored
// before it is published, so it holds on every node and across restarts;
// every node closes the user's sockets there when it applies the event,
// and refuses their joins (4403) until the host lets them back.
func (r *Room) setRemoved(username string, removed bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u, err := r.hub.svc.Store.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	if err := r.hub.svc.Store.SetRemoved(ctx, r.id, u.ID, removed, time.Now().UTC()); err != nil {
		return err
	}
	r.hub.publish(r.id, Event{Type: EvRemoval, Removal: &Removal{User: u.Summary(), Removed: removed}})
	if !removed {
		delete(r.removed, username)
		return nil
	}
	// This node acts at once; the event does the same everywhere.
	r.removed[username] = u.Summary()
	r.closeSockets(username)
	return r.takeBack(username, "revoked")
}

// closeSockets closes a removed user's sockets on this node.
func (r *Room) closeSockets(username string) {
	for c := range r.conns {
		if c.user.Username == username {
			c.finish(CloseRemoved, removedReason, true)
		}
	}
}

// startTimers arms the automatic end: when the host has been away too long,
// and when the session has been live too long.
func (r *Room) startTimers() {
	r.hostGone = time.AfterFunc(r.hub.cfg.HostGoneTimeout, func() { r.hub.endBySystem(r.id, "the host was away too long") })
	r.hostAway = true
	r.hostPresence()
	r.armMicTimers()
	if r.session.StartedAt != nil {
		left := time.Until(r.session.StartedAt.Add(r.hub.cfg.MaxLiveDuration))
		r.maxLive = time.AfterFunc(max(left, 0), func() { r.hub.endBySystem(r.id, "the session reached its maximum length") })
	}
}

func (r *Room) stopTimers() {
	r.stopMicTimers()
	r.hostGone.Stop()
	if r.maxLive != nil {
		r.maxLive.Stop()
	}
}

// hostPresence follows the host's presence, on any node: the host-gone
// timer runs only while the host is away.
func (r *Room) hostPresence() {
	if r.session.Host.Username == "" {
		return
	}
	_, here := r.members[r.session.Host.Username]
	switch {
	case here && r.hostAway:
		r.hostGone.Stop()
		r.hostAway = false
	case !here && !r.hostAway:
		r.hostGone.Reset(r.hub.cfg.HostGoneTimeout)
		r.hostAway = true
	}
}
