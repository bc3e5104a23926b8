package live

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gobwas/ws"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/ratelimit"
)

// Config holds the live rooms' limits. Zero values take the defaults.
type Config struct {
	MaxOnAir         int           // guests on air at once (default 3)
	MaxMicTime       time.Duration // longest time limit on a guest's mic, extensions included (default 30 min)
	ChatHistory      int           // chat messages in a snapshot (default 50)
	ResumeWindow     int           // events kept per room for resuming (default 1024)
	SendQueue        int           // frames queued per connection before it is dropped (default 256)
	MaxFrameBytes    int64         // largest client frame (default 16 KiB)
	QuestionRate     int           // questions per minute per user (default 5)
	ChatRate         int           // chat messages per 10 s per user (default 20)
	PingInterval     time.Duration // heartbeat (default 20 s)
	WriteTimeout     time.Duration // per write that waits for the socket (default 10 s)
	HelloTimeout     time.Duration // time to send hello after connecting (default 10 s)
	PresenceInterval time.Duration // presence batching (default 250 ms)
	HostGoneTimeout  time.Duration // end a live session whose host left (default 10 min)
	MaxLiveDuration  time.Duration // end a session live this long (default 12 h)
	AllowedOrigins   []string      // extra origins (scheme://host) for the upgrade
	// Limits keeps the question, chat and command budgets: per node by
	// default, in Redis to hold across a cluster.
	Limits ratelimit.Backend
	// CommandWindow is how long a command's cid is remembered: a retry
	// within it gets the first answer (default 24 h). CommandStale is how
	// long an unanswered claim holds before a retry runs the command again
	// (default 30 s); CommandWait, how long a racing copy waits for the
	// first copy's answer (default 10 s).
	CommandWindow time.Duration
	CommandStale  time.Duration
	CommandWait   time.Duration
	// CommandRate is how many commands (every type but rtc) a user may
	// send per minute in one room, over all their sockets, all of which
	// may come at once (default 120). SignalRate is how many rtc messages
	// one socket may send per 10 s (default 100): ICE candidates come in
	// bursts, and a socket lives on one node, so it has a budget of its own.
	CommandRate int
	SignalRate  int
	// MaxSocketsPerUser is how many sockets one user may hold in one room
	// on this node (default 8; negative: no cap).
	MaxSocketsPerUser int
	// VoteInterval is how often a room's vote changes go out as question
	// events from this node, the latest count winning (default 250 ms).
	VoteInterval time.Duration
}

func (c *Config) defaults() {
	set := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	setD := func(p *time.Duration, v time.Duration) {
		if *p <= 0 {
			*p = v
		}
	}
	set(&c.MaxOnAir, 3)
	setD(&c.MaxMicTime, 30*time.Minute)
	set(&c.ChatHistory, 50)
	set(&c.ResumeWindow, 1024)
	set(&c.SendQueue, 256)
	set(&c.QuestionRate, 5)
	set(&c.ChatRate, 20)
	set(&c.CommandRate, 120)
	set(&c.SignalRate, 100)
	if c.MaxSocketsPerUser == 0 {
		c.MaxSocketsPerUser = 8
	}
	if c.MaxFrameBytes <= 0 {
		c.MaxFrameBytes = 16 << 10
	}
	setD(&c.PingInterval, 20*time.Second)
	setD(&c.WriteTimeout, 10*time.Second)
	setD(&c.HelloTimeout, 10*time.Second)
	setD(&c.PresenceInterval, 250*time.Millisecond)
	setD(&c.VoteInterval, 250*time.Millisecond)
	setD(&c.HostGoneTimeout, 10*time.Minute)
	setD(&c.MaxLiveDuration, 12*time.Hour)
	if c.Limits == nil {
		c.Limits = ratelimit.Local()
	}
	setD(&c.CommandWindow, 24*time.Hour)
	setD(&c.CommandStale, 30*time.Second)
	setD(&c.CommandWait, 10*time.Second)
}

// Media is the voice server as the rooms see it. The sfu package provides
// it through an adapter; without one, voice commands answer "unavailable".
type Media interface {
	// Join connects a participant's audio; send carries the server's
	// signalling to them, fail reports a signalling error found later (by
	// another node hosting the room's audio).
	Join(roomID, peerID string, send func(json.RawMessage), fail func(error)) (MediaPeer, error)
	SetOnAir(roomID, peerID string, on bool)
	CloseRoom(roomID string)
}

// MediaPeer is one live socket's audio connection: it takes the
// participant's signalling messages, and Leave closes it without touching a
// newer connection of the same participant.
type MediaPeer interface {
	Signal(msg json.RawMessage) error
	Leave()
}

type nullMedia struct{}

func (nullMedia) Join(string, string, func(json.RawMessage), func(error)) (MediaPeer, error) {
	return nil, ask2live.Errorf(ask2live.EUnavailable, "voice is not available on this server")
}
func (nullMedia) SetOnAir(string, string, bool) {}
func (nullMedia) CloseRoom(string)              {}

var noMedia Media = nullMedia{}

// Hub runs this node's live rooms and event streams. It implements
// ask2live.Notifier: changes made through the Service become room events.
type Hub struct {
	cfg   Config
	svc   *ask2live.Service
	bus   Bus
	media Media
	log   *slog.Logger

	questionLimit ratelimit.Limiter
	chatLimit     ratelimit.Limiter
	commandLimit  ratelimit.Limiter
	signalLimit   ratelimit.Limiter
	commands      *commandLog
	questions     *questionEvents
	metrics       hubMetrics

	mu    sync.Mutex
	rooms map[string]*Room
	// sockets counts this node's sockets per room and user
	// ("room/user" → sockets), from their hello until they close.
	sockets map[string]int
	// loading: rooms whose state is being read, outside mu
	loading map[string]*roomLoad
	closed  bool
	quit    chan struct{} // closed by Close: event streams end
	conns   sync.WaitGroup
}

var (
	_ ask2live.Notifier = (*Hub)(nil)
	_ ask2live.Presence = (*Hub)(nil)
)

// NewHub returns a hub over the service and bus. media may be nil.
func NewHub(cfg Config, svc *ask2live.Service, bus Bus, media Media, log *slog.Logger, reg prometheus.Registerer) *Hub {
	cfg.defaults()
	if media == nil {
		media = noMedia
	}
	h := &Hub{
		cfg: cfg, svc: svc, bus: bus, media: media, log: log,
		questionLimit: cfg.Limits.Limiter("live-question", ratelimit.Rate{Events: cfg.QuestionRate, Period: time.Minute}),
		chatLimit:     cfg.Limits.Limiter("live-chat", ratelimit.Rate{Events: cfg.ChatRate, Period: 10 * time.Second}),
		commandLimit:  cfg.Limits.Limiter("live-command", ratelimit.Rate{Events: cfg.CommandRate, Period: time.Minute}),
		signalLimit:   ratelimit.Local().Limiter("live-signal", ratelimit.Rate{Events: cfg.SignalRate, Period: 10 * time.Second}),
		commands:      &commandLog{store: svc.Store, stale: cfg.CommandStale, wait: cfg.CommandWait, now: time.Now, log: log},
		rooms:         map[string]*Room{},
		sockets:       map[string]int{},
		loading:       map[string]*roomLoad{},
		quit:          make(chan struct{}),
		metrics:       newHubMetrics(),
	}
	h.questions = newQuestionEvents(h, cfg.VoteInterval)
	if reg != nil {
		h.metrics.register(reg)
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ask2live_live_rooms", Help: "Live rooms running on this node."},
			func() float64 { h.mu.Lock(); defer h.mu.Unlock(); return float64(len(h.rooms)) }))
	}
	bus.OnReset(h.reset)
	return h
}

// reset closes every room of this node after the bus lost its log. Clients
// reconnect (1001) and get a snapshot of the room loaded afresh from the
// store, which holds everything that was acknowledged.
func (h *Hub) reset() {
	h.mu.Lock()
	rooms := make([]*Room, 0, len(h.rooms))
	for _, r := range h.rooms {
		rooms = append(rooms, r)
	}
	h.mu.Unlock()
	for _, r := range rooms {
		r.do(func() {
			for c := range r.conns {
				c.finish(CloseGoingAway, "the room's event log was reset; reconnect", true)
			}
			r.closing = true
		})
	}
}

type hubMetrics struct {
	conns      prometheus.Gauge
	events     prometheus.Counter
	deliveries prometheus.Counter
	slow       prometheus.Counter
	badFrames  prometheus.Counter
	limited    prometheus.Counter
	crowded    prometheus.Counter
}

func newHubMetrics() hubMetrics {
	return hubMetrics{
		conns:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "ask2live_live_connections", Help: "Open live-room sockets on this node."}),
		events: prometheus.NewCounter(prometheus.CounterOpts{Name: "ask2live_live_events_total", Help: "Room events applied on this node."}),
		deliveries: prometheus.NewCounter(prometheus.CounterOpts{Name: "ask2live_live_deliveries_total",
			Help: "Room events queued to this node's sockets (one per event per socket)."}),
		slow:      prometheus.NewCounter(prometheus.CounterOpts{Name: "ask2live_live_slow_drops_total", Help: "Sockets dropped for falling behind."}),
		badFrames: prometheus.NewCounter(prometheus.CounterOpts{Name: "ask2live_live_bad_frames_total", Help: "Client frames that were not valid commands."}),
		limited:   prometheus.NewCounter(prometheus.CounterOpts{Name: "ask2live_live_rate_limited_total", Help: "Live commands and signalling messages refused because the user's or socket's budget was spent."}),
		crowded:   prometheus.NewCounter(prometheus.CounterOpts{Name: "ask2live_live_sockets_refused_total", Help: "Live sockets closed because their user had as many in the room as allowed."}),
	}
}

func (m hubMetrics) register(reg prometheus.Registerer) {
	reg.MustRegister(m.conns, m.events, m.deliveries, m.slow, m.badFrames, m.limited, m.crowded)
}

// publish appends an event to a room's log. Publishing fails only when the
// bus is down; the change is already stored, so it is logged and clients
// catch up with a snapshot when they reconnect.
func (h *Hub) publish(sessionID string, ev Event) {
	b, err := json.Marshal(ev)
	if err == nil {
		_, err = h.bus.Publish(context.Background(), topic(sessionID), b)
	}
	if err != nil {
		h.log.Error("publishing a room event", slog.String("session", sessionID), slog.String("type", ev.Type), slog.Any("err", err))
	}
}

// room returns the session's room on this node, starting it if needed.
func (h *Hub) room(ctx context.Context, s *ask2live.Session) (*Room, error) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, ask2live.Errorf(ask2live.EUnavailable, "the server is shutting down")
	}
	if r := h.rooms[s.ID]; r != nil {
		h.mu.Unlock()
		return r, nil
	}
	// A room loads its state from the database outside the hub's lock, so
	// joins to other rooms do not wait; joins to this one wait for it.
	if l := h.loading[s.ID]; l != nil {
		h.mu.Unlock()
		<-l.done
		return l.room, l.err
	}
	l := &roomLoad{done: make(chan struct{})}
	h.loading[s.ID] = l
	h.mu.Unlock()

	l.room, l.err = newRoom(ctx, h, s)
	h.mu.Lock()
	delete(h.loading, s.ID)
	if l.err == nil {
		switch {
		case h.closed:
			close(l.room.quit) // the hub closed meanwhile
			l.room, l.err = nil, ask2live.Errorf(ask2live.EUnavailable, "the server is shutting down")
		case l.room.epoch != h.bus.Epoch():
			// The bus lost its log while the room loaded: a reset closes
			// only the rooms it finds running, and this one's place in the
			// log means nothing in the new one. The join is refused and
			// its client, reconnecting, gets a room loaded afresh.
			close(l.room.quit)
			l.room, l.err = nil, ask2live.Errorf(ask2live.EUnavailable, "the room's event log was reset while it loaded; reconnect")
		default:
			h.rooms[s.ID] = l.room
		}
	}
	h.mu.Unlock()
	close(l.done)
	return l.room, l.err
}

// roomLoad is a room being loaded, for the joins that arrive meanwhile.
type roomLoad struct {
	done chan struct{}
	room *Room
	err  error
}

// existing returns the room if it runs on this node.
func (h *Hub) existing(sessionID string) *Room {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rooms[sessionID]
}

func (h *Hub) forget(r *Room) {
	h.mu.Lock()
	if h.rooms[r.id] == r {
		delete(h.rooms, r.id)
	}
	h.mu.Unlock()
	h.media.CloseRoom(r.id)
	// A bus that keeps topics in memory lets go of an ended session's (Redis
	// lets its keys expire).
	if f, ok := h.bus.(interface{ Forget(topic string) }); ok && r.session.State.Closed() {
		f.Forget(topic(r.id))
	}
}

// ServeHTTP upgrades GET /api/v1/sessions/{id}/live to the room's socket.
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u := ask2live.UserFromContext(r.Context())
	if u == nil {
		problem(w, http.StatusUnauthorized, ask2live.EUnauthenticated, "log in to join a live room")
		return
	}
	sock, err := upgrade(w, r, h.originHosts())
	if err != nil {
		return // upgrade has answered (403 for a foreign origin, 400/405/426 otherwise)
	}
	// Counted under the lock Close takes: a socket is either counted
	// before Close waits for the count, or turned away.
	h.mu.Lock()
	closed := h.closed
	if !closed {
		h.conns.Add(1)
	}
	h.mu.Unlock()
	if closed {
		h.closeSocket(sock, CloseGoingAway, "the server is restarting; reconnect")
		return
	}
	defer h.conns.Done()
	h.metrics.conns.Inc()
	defer h.metrics.conns.Dec()
	h.serveConn(r.Context(), sock, u, r.PathValue("id"))
}

func (h *Hub) originHosts() []string {
	var out []string
	for _, o := range h.cfg.AllowedOrigins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			out = append(out, u.Host)
		}
	}
	return out
}

// serveConn runs one socket: hello, join, then the reader until it ends.
func (h *Hub) serveConn(ctx context.Context, sock *wsConn, u *ask2live.User, sessionID string) {
	// A hello not read in time is answered with a close frame (4400), so the
	// client knows why.
	sock.nc.SetReadDeadline(time.Now().Add(h.cfg.HelloTimeout))
	frame, err := sock.readMessage(h.cfg.MaxFrameBytes, func(p []byte) {
		_ = sock.writeFrames([][]byte{controlFrame(ws.OpPong, p)}, h.cfg.WriteTimeout)
	}, nil)
	sock.nc.SetReadDeadline(time.Time{})
	if err != nil {
		code, reason := closeFor(err)
		if code == ws.StatusAbnormalClosure {
			code, reason = CloseBadFrame, "send hello first"
		}
		h.closeSocket(sock, code, reason)
		return
	}
	hello, err := DecodeCommand(frame)
	if err != nil || hello.Type != CmdHello {
		h.closeSocket(sock, CloseBadFrame, "the first frame must be {\"type\":\"hello\",\"v\":1}")
		return
	}
	// Counted before anything is read for it, so a user opening sockets by
	// the hundred costs the node little.
	if !h.takeSocket(sessionID, u.ID) {
		h.metrics.crowded.Inc()
		h.closeSocket(sock, CloseTooManySockets, fmt.Sprintf("at most %d sockets per person in a room; close another tab", h.cfg.MaxSocketsPerUser))
		return
	}
	defer h.releaseSocket(sessionID, u.ID)
	sess, err := h.svc.Session(ctx, sessionID, u)
	switch {
	case ask2live.ErrorCode(err) == ask2live.ENotFound:
		h.closeSocket(sock, CloseNotFound, "no such session")
		return
	case err != nil:
		h.closeSocket(sock, ws.StatusInternalServerError, "try again")
		return
	case sess.State != ask2live.StateLive:
		h.closeSocket(sock, CloseNotLive, "the session is "+string(sess.State))
		return
	}
	c, room := h.enter(ctx, sock, u, sess, hello)
	if c == nil {
		return
	}
	// The participation is recorded beside the socket, not before it: the
	// snapshot goes out without waiting for a database write.
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		if err := h.svc.Store.RecordJoin(context.Background(), &ask2live.Participation{SessionID: sessionID, UserID: u.ID, JoinedAt: time.Now()}); err != nil {
			h.log.Warn("recording a join", slog.Any("err", err))
		}
	}()
	// The reader is not cancelled by a context: it ends with the peer's
	// close frame, or when the writer drops the socket after its own close
	// frame (and, for a graceful close, the last answers) went out.
	go c.readLoop(context.Background())
	c.writeLoop()
	<-c.readDone
	room.do(func() { room.leave(c) })
	if c.media != nil {
		// Only this socket's own audio: by now a reconnect may have joined anew.
		c.media.Leave()
	}
	<-recorded // the leave goes after its join
	if err := h.svc.Store.RecordLeave(context.Background(), sessionID, u.ID, time.Now()); err != nil {
		h.log.Warn("recording a leave", slog.Any("err", err))
	}
}

// closeSocket closes a socket that is not in a room (yet).
func (h *Hub) closeSocket(sock *wsConn, code ws.StatusCode, reason string) {
	sock.close(code, reason, h.cfg.WriteTimeout)
}

// closeTryAgainLater (1013): the server cannot take the socket now.
const closeTryAgainLater ws.StatusCode = 1013

// takeSocket counts a socket of a user in a room, unless the user already
// has as many there as allowed.
func (h *Hub) takeSocket(sessionID, userID string) bool {
	k := sessionID + "/" + userID
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cfg.MaxSocketsPerUser > 0 && h.sockets[k] >= h.cfg.MaxSocketsPerUser {
		return false
	}
	h.sockets[k]++
	return true
}

func (h *Hub) releaseSocket(sessionID, userID string) {
	k := sessionID + "/" + userID
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sockets[k]--; h.sockets[k] <= 0 {
		delete(h.sockets, k)
	}
}

// enter joins a socket to the session's room. A room that closed meanwhile
// (the session ended, or the room was reset) is looked up again; on failure
// the socket is closed with the reason and enter returns nil.
func (h *Hub) enter(ctx context.Context, sock *wsConn, u *ask2live.User, sess *ask2live.Session, hello *Command) (*conn, *Room) {
	for range 5 {
		room, err := h.room(ctx, sess)
		if err != nil {
			h.closeSocket(sock, closeTryAgainLater, "try again")
			return nil, nil
		}
		c := newConn(h, room, sock, u, sess.HostID == u.ID)
		var removed bool
		if room.do(func() {
			if removed = room.isRemoved(u.Username); !removed {
				room.join(c, hello.Epoch, hello.LastSeq)
			}
		}) {
			if removed {
				h.closeSocket(sock, CloseRemoved, removedReason)
				return nil, nil
			}
			return c, room
		}
		if sess, err = h.svc.Session(ctx, sess.ID, u); err != nil || sess.State != ask2live.StateLive {
			h.closeSocket(sock, CloseNotLive, "the session has ended")
			return nil, nil
		}
	}
	h.closeSocket(sock, closeTryAgainLater, "try again")
	return nil, nil
}

// chat stores and publishes a chat message.
func (h *Hub) chat(ctx context.Context, c *conn, text string) (*ask2live.ChatMessage, error) {
	// Invalid messages do not use up the sender's budget.
	text, err := cleanChat(text)
	if err != nil {
		return nil, err
	}
	if ok, wait := h.chatLimit.Allow(ctx, c.room.id+"/"+c.user.ID); !ok {
		return nil, rateLimited(wait, "too many chat messages")
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var wait time.Duration
	var slow int
	if c.room.slowChat.Load() > 0 {
		c.room.do(func() { wait, slow = c.room.slowWait(c, now), c.room.session.ChatSlowSeconds })
	}
	if wait > 0 {
		return nil, rateLimited(wait, fmt.Sprintf("slow mode: one message every %d seconds", slow))
	}
	m := &ask2live.ChatMessage{ID: ask2live.NewID(now), SessionID: c.room.id, SenderID: c.user.ID, Text: text, CreatedAt: now}
	if err := h.svc.Store.AddChatMessage(ctx, m); err != nil {
		return nil, err
	}
	h.publish(c.room.id, Event{Type: EvChat, Chat: m})
	return m, nil
}

// SessionChanged publishes a session's change to its room and to every
// event stream.
func (h *Hub) SessionChanged(s *ask2live.Session) {
	h.publish(s.ID, Event{Type: EvSession, Session: sessionInfo(s)})
	h.publishFeed(s)
}

// QuestionsChanged publishes questions to their room at once. A voice
// question that is answered or dismissed takes its author's mic back.
func (h *Hub) QuestionsChanged(sessionID string, qs []*ask2live.Question) {
	h.questions.now(sessionID, qs, true)
	for _, q := range qs {
		if q.Kind == ask2live.KindVoice && (q.State == ask2live.QuestionAnswered || q.State == ask2live.QuestionDismissed) {
			if r := h.existing(sessionID); r != nil {
				author := q.Author.Username
				go r.do(func() { _ = r.takeBack(author, "revoked") })
			}
		}
	}
}

// VotesChanged publishes a question whose votes changed, coalesced with
// the room's other vote changes (see questionEvents).
func (h *Hub) VotesChanged(sessionID string, q *ask2live.Question) {
	h.questions.votesChanged(sessionID, q)
}

// TeamChanged publishes the session's team to its room.
func (h *Hub) TeamChanged(sessionID string, team []ask2live.TeamMember) {
	h.publish(sessionID, Event{Type: EvTeam, Team: team})
}

// QuestionDeleted publishes a question's removal.
func (h *Hub) QuestionDeleted(sessionID, questionID string) {
	h.questions.deleted(sessionID, questionID)
}

// publishQuestion publishes a question event; only questionEvents calls it.
func (h *Hub) publishQuestion(sessionID string, q *ask2live.Question) {
	shared := *q
	shared.VotedByMe = false // per viewer; clients track their own votes
	h.publish(sessionID, Event{Type: EvQuestion, Question: &shared})
}

// ParticipantCount is how many people are in a session's live room: this
// node's copy of the room, or the bus's presence when no room runs here.
func (h *Hub) ParticipantCount(sessionID string) int {
	if r := h.existing(sessionID); r != nil {
		return int(r.count.Load())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	members, _, err := h.bus.Members(ctx, topic(sessionID))
	if err != nil {
		return 0
	}
	return len(members)
}

// endBySystem ends a session the server gave up on.
func (h *Hub) endBySystem(sessionID, reason string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := h.svc.EndBySystem(ctx, sessionID, reason); err != nil && ask2live.ErrorCode(err) != ask2live.EWrongState {
		h.log.Error("ending an abandoned session", slog.String("session", sessionID), slog.Any("err", err))
	}
}

// Speaking tells a room who started or stopped talking (from the media
// server's audio levels). It is not sequenced: a client that misses it only
// misses an animation.
func (h *Hub) Speaking(sessionID, username string, speaking bool) {
	r := h.existing(sessionID)
	if r == nil {
		return
	}
	r.speaking(username, speaking)
}

// SweepAbandoned ends live sessions that have no room on this node and went
// live longer than the host-gone timeout ago: nobody, the host included, has
// been here since. It runs periodically on single-node deployments.
func (h *Hub) SweepAbandoned(ctx context.Context) error {
	page, err := h.svc.Store.ListSessions(ctx, ask2live.SessionFilter{States: []ask2live.SessionState{ask2live.StateLive}, Limit: 100})
	for err == nil {
		for _, s := range page.Items {
			if h.existing(s.ID) == nil && s.StartedAt != nil && time.Since(*s.StartedAt) > h.cfg.HostGoneTimeout {
				h.endBySystem(s.ID, "nobody joined the live room")
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		page, err = h.svc.Store.ListSessions(ctx, ask2live.SessionFilter{States: []ask2live.SessionState{ask2live.StateLive}, Limit: 100, Cursor: page.NextCursor})
	}
	return err
}

// ForgetCommands deletes the record of commands older than the command
// window; a retry after that runs anew.
func (h *Hub) ForgetCommands(ctx context.Context) error {
	_, err := h.svc.Store.DeleteCommandsBefore(ctx, time.Now().Add(-h.cfg.CommandWindow))
	return err
}

// Close tells every client to reconnect elsewhere (close code 1001), waits
// for the sockets to finish their in-flight commands, and stops the rooms.
func (h *Hub) Close(ctx context.Context) error {
	h.mu.Lock()
	var rooms []*Room
	if !h.closed {
		h.closed = true
		close(h.quit)
		for _, r := range h.rooms {
			rooms = append(rooms, r)
		}
	}
	h.mu.Unlock()
	h.questions.close()
	for _, r := range rooms {
		close(r.quit)
		<-r.done
	}
	done := make(chan struct{})
	go func() { h.conns.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("live sockets still open: %w", ctx.Err())
	}
}

func problem(w http.ResponseWriter, status int, code ask2live.Code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "urn:ask2live:problem:" + string(code),
		"title": http.StatusText(status), "status": status, "detail": detail, "code": code})
}
