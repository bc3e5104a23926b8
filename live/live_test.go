package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/httpapi"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/store"
	"github.com/ask2live/ask2live/store/storetest"
)

// env is a real server: store, Service, REST API and the live hub.
type env struct {
	t   *testing.T
	svc *ask2live.Service
	hub *live.Hub
	url string
	bus *live.MemoryBus // nil on nodes of a cluster
}

func newEnv(t *testing.T, mutate ...func(*live.Config)) *env {
	t.Helper()
	return newEnvWithMedia(t, nil, mutate...)
}

// newEnvWithMedia is newEnv with an audio server (nil: none).
func newEnvWithMedia(t *testing.T, media live.Media, mutate ...func(*live.Config)) *env {
	t.Helper()
	return newEnvWithStore(t, media, nil, mutate...)
}

// newEnvWithStore is newEnvWithMedia whose service uses wrap's store
// around the real one (nil: the real one), to watch what reaches it.
func newEnvWithStore(t *testing.T, media live.Media, wrap func(ask2live.Store) ask2live.Store, mutate ...func(*live.Config)) *env {
	t.Helper()
	var db ask2live.Store = storetest.Open(t, "sqlite")
	if wrap != nil {
		db = wrap(db)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := ask2live.NewService(db, log)
	svc.Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	cfg := live.Config{PingInterval: 5 * time.Second, PresenceInterval: 20 * time.Millisecond}
	for _, m := range mutate {
		m(&cfg)
	}
	bus := live.NewMemoryBus()
	hub := live.NewHub(cfg, svc, bus, media, log, nil)
	svc.Notifier, svc.Presence = hub, hub
	api := httpapi.New(httpapi.Config{LoginRate: 1000, QuestionRate: 1000, Live: hub, Events: hub.Events(), SessionEvents: hub.SessionEvents()}, svc, log)
	srv := httptest.NewUnstartedServer(api)
	if cfg.SendQueue > 0 && cfg.SendQueue < 64 {
		// Tests of slow clients also keep the kernel from buffering
		// megabytes on the server side: a 4 KiB send buffer per socket.
		srv.Listener = smallSendBuffer{srv.Listener}
	}
	srv.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hub.Close(ctx); err != nil {
			t.Errorf("hub close: %v", err)
		}
		srv.Close()
	})
	return &env{t: t, svc: svc, hub: hub, url: srv.URL, bus: bus}
}

type member struct {
	user  *ask2live.User
	token string
}

func (e *env) user(name string) member {
	e.t.Helper()
	u, cred, err := e.svc.Register(context.Background(), ask2live.RegisterInput{Username: name, Password: "password-" + name, DisplayName: "이름 " + name}, ask2live.TokenBearer)
	if err != nil {
		e.t.Fatal(err)
	}
	return member{u, cred.Token}
}

// liveSession opens a session that is live now, hosted by host.
func (e *env) liveSession(host member) *ask2live.Session {
	e.t.Helper()
	s, err := e.svc.CreateSession(context.Background(), host.user, ask2live.SessionInput{Title: "라이브", OpenNow: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) dial(m member, sessionID string, o ...liveclient.Options) *liveclient.Client {
	e.t.Helper()
	var opts liveclient.Options
	if len(o) > 0 {
		opts = o[0]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := liveclient.Dial(ctx, e.url, sessionID, m.token, opts)
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	e.t.Cleanup(func() { c.Drop() })
	return c
}

func timeout(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	_ = cancel // released by the deadline
	return ctx
}

// collect reads events until pred says stop, with a deadline.
func collect(t *testing.T, c *liveclient.Client, d time.Duration, stop func([]*live.Event) bool) []*live.Event {
	t.Helper()
	ctx := timeout(d)
	var evs []*live.Event
	for !stop(evs) {
		ev, err := c.NextEvent(ctx)
		if err != nil {
			t.Fatalf("after %d events: %v", len(evs), err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// chats is a stop condition for collect: n chat messages have arrived.
func chats(n int) func([]*live.Event) bool {
	return func(evs []*live.Event) bool {
		got := 0
		for _, ev := range evs {
			if ev.Type == live.EvChat {
				got++
			}
		}
		return got == n
	}
}

func snapshotOf(t *testing.T, c *liveclient.Client) live.Snapshot {
	t.Helper()
	var s live.Snapshot
	if c.First.Type != live.MsgSnapshot {
		t.Fatalf("first message is %s, want a snapshot", c.First.Type)
	}
	if err := c.First.Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) must(msg *liveclient.Message, err error) *liveclient.Message {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
	return msg
}

func wantCode(t *testing.T, err error, code ask2live.Code) {
	t.Helper()
	var ce *liveclient.CommandError
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
}

// signature is what two clients must agree on for an event.
func signature(ev *live.Event) string {
	s := fmt.Sprintf("%d:%s", ev.Seq, ev.Type)
	switch {
	case ev.Question != nil:
		s += ":" + ev.Question.ID + ":" + string(ev.Question.State) + fmt.Sprint(ev.Question.Votes)
	case ev.Chat != nil:
		s += ":" + ev.Chat.ID
	case ev.OnAir != nil:
		s += ":" + strings.Join(ev.OnAir.Speakers, ",") + "/" + ev.OnAir.Change
	case ev.Presence != nil:
		s += fmt.Sprintf(":%d", ev.Presence.Count)
	}
	return s
}

// TestRoomEventsInOneOrder: many clients, commands from several at once;
// every participant sees the identical event sequence.
func TestRoomEventsInOneOrder(t *testing.T) {
	e := newEnv(t)
	host := e.user("host")
	s := e.liveSession(host)
	pre, err := e.svc.Ask(context.Background(), host.user, s.ID, ask2live.QuestionInput{Text: "미리 온 질문"})
	if err != nil {
		t.Fatal(err)
	}
	hc := e.dial(host, s.ID)
	snap := snapshotOf(t, hc)
	if !snap.You.Host || len(snap.Questions) != 1 || snap.Questions[0].ID != pre.ID || snap.OnAir.Speakers[0] != "host" {
		t.Fatalf("host snapshot: %+v", snap)
	}
	const guests = 6
	var gs []member
	var clients []*liveclient.Client
	for i := 0; i < guests; i++ {
		g := e.user(fmt.Sprintf("guest%d", i))
		gs = append(gs, g)
		clients = append(clients, e.dial(g, s.ID))
	}
	// Let the joins settle into presence events before the traffic starts.
	collect(t, hc, 5*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Presence != nil && evs[len(evs)-1].Presence.Count == guests+1
	})

	// Each guest asks two questions and chats twice, all at once.
	var wg sync.WaitGroup
	errs := make(chan error, guests*4)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := timeout(10 * time.Second)
			for j := 0; j < 2; j++ {
				if _, err := c.Do(ctx, live.Command{Type: live.CmdAsk, Text: fmt.Sprintf("질문 %d-%d", i, j)}); err != nil {
					errs <- err
				}
				if _, err := c.Do(ctx, live.Command{Type: live.CmdChat, Text: fmt.Sprintf("채팅 %d-%d", i, j)}); err != nil {
					errs <- err
				}
			}
		}()
	}
	// Meanwhile the host works the queue and the stage.
	ctx := timeout(10 * time.Second)
	e.must(hc.Do(ctx, live.Command{Type: live.CmdSetQuestionState, QuestionID: pre.ID, State: ask2live.QuestionAnswering}))
	e.must(hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest0"}))
	e.must(hc.Do(ctx, live.Command{Type: live.CmdSetQuestionState, QuestionID: pre.ID, State: ask2live.QuestionAnswered}))
	e.must(hc.Do(ctx, live.Command{Type: live.CmdRevokeMic, Username: "guest0"}))
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("guest command: %v", err)
	}
	// 12 questions + 12 chats + 2 question changes + 2 stage changes.
	const want = guests*4 + 4
	count := func(evs []*live.Event) int {
		n := 0
		for _, ev := range evs {
			if ev.Type != live.EvPresence {
				n++
			}
		}
		return n
	}
	var seqs [][]string
	for _, c := range append([]*liveclient.Client{hc}, clients...) {
		evs := collect(t, c, 10*time.Second, func(evs []*live.Event) bool { return count(evs) >= want })
		var sig []string
		for _, ev := range evs {
			if ev.Type != live.EvPresence {
				sig = append(sig, signature(ev))
			}
		}
		seqs = append(seqs, sig)
	}
	// Clients joined at different moments, so compare from the first event
	// everyone has: the tail of length want.
	ref := seqs[0][len(seqs[0])-want:]
	for i, sq := range seqs[1:] {
		got := sq[len(sq)-want:]
		if strings.Join(got, "|") != strings.Join(ref, "|") {
			t.Fatalf("client %d saw a different sequence:\n got %v\nwant %v", i+1, got, ref)
		}
	}
	for i := 1; i < len(ref); i++ {
		var a, b uint64
		fmt.Sscanf(ref[i-1], "%d:", &a)
		fmt.Sscanf(ref[i], "%d:", &b)
		if b <= a {
			t.Fatalf("sequence not increasing: %s then %s", ref[i-1], ref[i])
		}
	}
	// The questions and chat are stored.
	qs, _ := e.svc.Questions(context.Background(), s.ID, nil)
	if len(qs) != guests*2+1 {
		t.Fatalf("stored questions = %d", len(qs))
	}
	chat, _ := e.svc.Store.RecentChat(context.Background(), s.ID, 100)
	if len(chat) != guests*2 {
		t.Fatalf("stored chat = %d", len(chat))
	}
	// A newcomer's snapshot shows the same room.
	late := e.dial(e.user("late"), s.ID)
	ls := snapshotOf(t, late)
	if len(ls.Questions) != guests*2+1 || len(ls.Chat) != guests*2 || ls.ParticipantCount != guests+2 || ls.Participants != nil {
		t.Fatalf("newcomer snapshot: %d questions, %d chat, %d present, participants %v", len(ls.Questions), len(ls.Chat), ls.ParticipantCount, ls.Participants)
	}
	if ls.Questions[0].ID != pre.ID && ls.Questions[0].State != ask2live.QuestionAnswered {
		t.Fatalf("pre-question not first: %+v", ls.Questions[0])
	}
}

// TestResumeGetsExactlyTheMissedEvents: a client that drops and reconnects
// with its last sequence receives what it missed, nothing more or less.
func TestResumeGetsExactlyTheMissedEvents(t *testing.T) {
	e := newEnv(t)
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	hc := e.dial(host, s.ID)
	gc := e.dial(guest, s.ID)
	ctx := timeout(10 * time.Second)
	e.must(hc.Do(ctx, live.Command{Type: live.CmdChat, Text: "before"}))
	collect(t, gc, 5*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Type == live.EvChat
	})
	last, epoch := gc.LastSeq()
	gc.Drop()

	var sent []string
	for i := 0; i < 5; i++ {
		m := e.must(hc.Do(ctx, live.Command{Type: live.CmdChat, Text: fmt.Sprintf("missed %d", i)}))
		var ack struct{ Result ask2live.ChatMessage }
		m.Decode(&ack)
		sent = append(sent, ack.Result.ID)
	}
	rc := e.dial(guest, s.ID, liveclient.Options{LastSeq: &last, Epoch: epoch})
	if rc.First.Type != live.MsgResume {
		t.Fatalf("reconnect got %s, want resume", rc.First.Type)
	}
	evs := collect(t, rc, 5*time.Second, chats(5))
	var got []string
	for i, ev := range evs {
		if ev.Seq != last+uint64(i)+1 {
			t.Fatalf("event %d has seq %d, want %d (no gaps, no repeats)", i, ev.Seq, last+uint64(i)+1)
		}
		if ev.Type == live.EvChat {
			got = append(got, ev.Chat.ID)
		}
	}
	if strings.Join(got, ",") != strings.Join(sent, ",") {
		t.Fatalf("replayed chat %v, want %v", got, sent)
	}
	// A wrong epoch (say, the server restarted) gets a fresh snapshot.
	other := e.dial(guest, s.ID, liveclient.Options{LastSeq: &last, Epoch: "another-epoch"})
	if other.First.Type != live.MsgSnapshot {
		t.Fatalf("foreign epoch got %s", other.First.Type)
	}
	// So does a sequence too far back to replay.
	e2 := newEnv(t, func(c *live.Config) { c.ResumeWindow = 2 })
	h2, g2 := e2.user("host"), e2.user("guest")
	s2 := e2.liveSession(h2)
	hc2 := e2.dial(h2, s2.ID)
	gc2 := e2.dial(g2, s2.ID)
	first, ep := gc2.LastSeq()
	gc2.Drop()
	for i := 0; i < 4; i++ {
		e2.must(hc2.Do(ctx, live.Command{Type: live.CmdChat, Text: "x"}))
	}
	// An ack means published, not yet applied by the room: until the room
	// has them, the guest is not behind and is rightly resumed. The host's
	// socket gets each event once the room has applied it.
	collect(t, hc2, 5*time.Second, chats(4))
	if c := e2.dial(g2, s2.ID, liveclient.Options{LastSeq: &first, Epoch: ep}); c.First.Type != live.MsgSnapshot {
		t.Fatalf("too far behind got %s, want snapshot", c.First.Type)
	}
}

// TestGuestCannotRunHostCommands: typed errors, and nothing changes.
func TestGuestCannotRunHostCommands(t *testing.T) {
	e := newEnv(t)
	host, guest, other := e.user("host"), e.user("guest"), e.user("other")
	s := e.liveSession(host)
	hc := e.dial(host, s.ID)
	gc := e.dial(guest, s.ID)
	oc := e.dial(other, s.ID)
	ctx := timeout(10 * time.Second)
	q := e.must(oc.Do(ctx, live.Command{Type: live.CmdAsk, Text: "질문"}))
	var ask struct{ Result ask2live.Question }
	q.Decode(&ask)
	chat := e.must(oc.Do(ctx, live.Command{Type: live.CmdChat, Text: "안녕"}))
	var msg struct{ Result ask2live.ChatMessage }
	chat.Decode(&msg)

	for _, cmd := range []live.Command{
		{Type: live.CmdSetQuestionState, QuestionID: ask.Result.ID, State: ask2live.QuestionAnswered},
		{Type: live.CmdGrantMic, Username: "guest"},
		{Type: live.CmdRevokeMic, Username: "host"},
		{Type: live.CmdRemove, Username: "other"},
		{Type: live.CmdDeleteChat, MessageID: msg.Result.ID},
		{Type: live.CmdEnd},
		{Type: live.CmdParticipants},
		{Type: live.CmdMute, Username: "host", Muted: ptr(true)},
		{Type: live.CmdEditQuestion, QuestionID: ask.Result.ID, Text: "hijack"},
		{Type: live.CmdDeleteQuestion, QuestionID: ask.Result.ID},
	} {
		_, err := gc.Do(ctx, cmd)
		wantCode(t, err, ask2live.EForbidden)
	}
	// Nothing changed: a fresh snapshot shows the same room.
	snap := snapshotOf(t, e.dial(e.user("witness"), s.ID))
	if len(snap.Questions) != 1 || snap.Questions[0].State != ask2live.QuestionOpen || snap.Questions[0].Text != "질문" ||
		len(snap.Chat) != 1 || len(snap.OnAir.Speakers) != 1 || len(snap.OnAir.Muted) != 0 {
		t.Fatalf("room changed: %+v", snap)
	}
	sess, _ := e.svc.Session(ctx, s.ID, nil)
	if sess.State != ask2live.StateLive {
		t.Fatalf("session is %s", sess.State)
	}
	// The host can do all of it.
	e.must(hc.Do(ctx, live.Command{Type: live.CmdParticipants}))
	e.must(hc.Do(ctx, live.Command{Type: live.CmdDeleteChat, MessageID: msg.Result.ID}))
}

func ptr[T any](v T) *T { return &v }

// TestMicRules: grants, limits, give-back, and a voice question answered
// takes the mic back.
func TestMicRules(t *testing.T) {
	e := newEnv(t, func(c *live.Config) { c.MaxOnAir = 1 })
	host, g1, g2 := e.user("host"), e.user("gone"), e.user("gtwo")
	s := e.liveSession(host)
	hc, c1, c2 := e.dial(host, s.ID), e.dial(g1, s.ID), e.dial(g2, s.ID)
	ctx := timeout(10 * time.Second)
	voice := e.must(c1.Do(ctx, live.Command{Type: live.CmdAsk, Kind: ask2live.KindVoice}))
	var vq struct{ Result ask2live.Question }
	voice.Decode(&vq)
	e.must(hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "gone"}))
	_, err := hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "gtwo"})
	wantCode(t, err, ask2live.EWrongState) // only one guest on air
	_, err = hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "nobody"})
	wantCode(t, err, ask2live.ENotFound)
	e.must(c1.Do(ctx, live.Command{Type: live.CmdMute, Muted: ptr(true)}))
	_, err = c2.Do(ctx, live.Command{Type: live.CmdMute, Muted: ptr(true)})
	wantCode(t, err, ask2live.EWrongState) // not on air
	e.must(hc.Do(ctx, live.Command{Type: live.CmdSetQuestionState, QuestionID: vq.Result.ID, State: ask2live.QuestionAnswered}))
	evs := collect(t, c2, 5*time.Second, func(evs []*live.Event) bool {
		for _, ev := range evs {
			if ev.OnAir != nil && ev.OnAir.Change == "revoked" {
				return true
			}
		}
		return false
	})
	last := evs[len(evs)-1].OnAir
	if strings.Join(last.Speakers, ",") != "host" || len(last.Muted) != 0 || last.Username != "gone" {
		t.Fatalf("after the voice question was answered: %+v", last)
	}
	e.must(hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "gtwo"}))
	e.must(c2.Do(ctx, live.Command{Type: live.CmdGiveBackMic}))
	_, err = hc.Do(ctx, live.Command{Type: live.CmdRevokeMic, Username: "host"})
	wantCode(t, err, ask2live.EForbidden)
}

// TestSlowConsumerIsDropped: a client that stops reading is disconnected
// with CloseSlow; the others get every event.
func TestSlowConsumerIsDropped(t *testing.T) {
	e := newEnv(t, func(c *live.Config) { c.SendQueue = 16 })
	host, fast, slow := e.user("host"), e.user("fast"), e.user("slow")
	s := e.liveSession(host)
	fc := e.dial(fast, s.ID)
	// The slow client reads nothing: a one-message buffer and a tiny socket
	// receive buffer, so the server's queue for it fills quickly.
	sc := e.dial(slow, s.ID, liveclient.Options{Buffer: 1, HTTP: tinyReceiveBuffer()})
	ctx := timeout(30 * time.Second)
	const n = 400
	text := strings.Repeat("느린 소비자 ", 40)
	// One question at a time, each once the reading client has it: that
	// client's queue never holds more than a message or two, whatever the
	// scheduler does, while the other one's only grows.
	for i := 0; i < n; i++ {
		if _, err := e.svc.Ask(context.Background(), host.user, s.ID, ask2live.QuestionInput{Text: text}); err != nil {
			t.Fatal(err)
		}
		for {
			ev, err := fc.NextEvent(ctx)
			if err != nil {
				t.Fatalf("the reading client after %d questions: %v", i, err)
			}
			if ev.Type == live.EvQuestion {
				break
			}
		}
	}
	// The slow client's socket was closed with CloseSlow.
	for {
		_, err := sc.Next(ctx)
		if err != nil {
			if code := liveclient.CloseCode(err); code != live.CloseSlow {
				t.Fatalf("slow client closed with %d (%v), want %d", code, err, live.CloseSlow)
			}
			break
		}
	}
}

type smallSendBuffer struct{ net.Listener }

func (l smallSendBuffer) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4096)
	}
	return c, err
}

// tinyReceiveBuffer dials with a 4 KiB socket receive buffer.
func tinyReceiveBuffer() *http.Client {
	d := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		var err error
		rc.Control(func(fd uintptr) { err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return err
	}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// TestJoinRules: anonymous, unknown, not-live and ended sessions.
func TestJoinRules(t *testing.T) {
	e := newEnv(t)
	host := e.user("host")
	starts := time.Now().Add(time.Hour)
	later, _ := e.svc.CreateSession(context.Background(), host.user, ask2live.SessionInput{Title: "later", StartsAt: &starts})
	ctx := timeout(5 * time.Second)
	if _, err := liveclient.Dial(ctx, e.url, later.ID, "", liveclient.Options{}); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("anonymous join: %v", err)
	}
	if _, err := liveclient.Dial(ctx, e.url, "missing", host.token, liveclient.Options{}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("an id that cannot exist: %v, want 404 before the upgrade", err)
	}
	for id, code := range map[string]int{ask2live.NewID(time.Now()): live.CloseNotFound, later.ID: live.CloseNotLive} {
		_, err := liveclient.Dial(ctx, e.url, id, host.token, liveclient.Options{})
		if liveclient.CloseCode(err) != code {
			t.Fatalf("join %s: %v, want close %d", id, err, code)
		}
	}
	_, err := liveclient.Dial(ctx, e.url, later.ID, host.token, liveclient.Options{Origin: "https://evil.example"})
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Fatalf("foreign origin: %v", err)
	}
	// Ending closes every socket with CloseNotLive after the session event.
	s := e.liveSession(host)
	guest := e.user("guest")
	gc := e.dial(guest, s.ID)
	hc := e.dial(host, s.ID)
	e.must(hc.Do(ctx, live.Command{Type: live.CmdEnd}))
	sawEnd := false
	for {
		m, err := gc.Next(ctx)
		if err != nil {
			if liveclient.CloseCode(err) != live.CloseNotLive || !sawEnd {
				t.Fatalf("after end: %v (saw session event: %v)", err, sawEnd)
			}
			break
		}
		if m.Event != nil && m.Event.Type == live.EvSession && m.Event.Session.State == ask2live.StateEnded {
			sawEnd = true
		}
	}
	if _, err := liveclient.Dial(ctx, e.url, s.ID, guest.token, liveclient.Options{}); liveclient.CloseCode(err) != live.CloseNotLive {
		t.Fatalf("joining an ended session: %v", err)
	}
}

// TestBadFramesAndRetries: typed errors for bad frames, rate limits, and a
// retried cid answered once.
func TestBadFramesAndRetries(t *testing.T) {
	e := newEnv(t, func(c *live.Config) { c.ChatRate = 3; c.MaxFrameBytes = 4096 })
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	gc := e.dial(guest, s.ID)
	ctx := timeout(10 * time.Second)
	for _, frame := range []string{`not json`, `{"type":"teleport","cid":"x"}`, `{"type":"ask"}`, `{"type":"chat","cid":"1","extra":1}`, `[]`} {
		if err := gc.SendRaw(ctx, []byte(frame)); err != nil {
			t.Fatal(err)
		}
		m, err := gc.Next(ctx)
		for err == nil && m.Type == live.EvPresence {
			m, err = gc.Next(ctx) // the guest's own arrival may come in between
		}
		if err != nil || m.Type != live.MsgError {
			t.Fatalf("frame %q: %v %+v", frame, err, m)
		}
		var em live.ErrorMsg
		m.Decode(&em)
		if em.Code != ask2live.EInvalid {
			t.Fatalf("frame %q: code %s", frame, em.Code)
		}
	}
	// The same cid twice: one question, the same answer.
	a1 := e.must(gc.Do(ctx, live.Command{Type: live.CmdAsk, CID: "same", Text: "한 번만"}))
	a2 := e.must(gc.Do(ctx, live.Command{Type: live.CmdAsk, CID: "same", Text: "한 번만"}))
	if string(a1.Raw) != string(a2.Raw) {
		t.Fatalf("retry answered differently:\n%s\n%s", a1.Raw, a2.Raw)
	}
	if qs, _ := e.svc.Questions(ctx, s.ID, nil); len(qs) != 1 {
		t.Fatalf("retry asked twice: %d questions", len(qs))
	}
	for i := 0; i < 3; i++ {
		e.must(gc.Do(ctx, live.Command{Type: live.CmdChat, Text: "hi"}))
	}
	_, err := gc.Do(ctx, live.Command{Type: live.CmdChat, Text: "one too many"})
	wantCode(t, err, ask2live.ERateLimited)
	_, err = gc.Do(ctx, live.Command{Type: live.CmdChat, Text: strings.Repeat("가", 501)})
	wantCode(t, err, ask2live.EInvalid)
	// An oversized frame closes the socket with 1009.
	gc.SendRaw(ctx, []byte(`{"type":"chat","cid":"big","text":"`+strings.Repeat("a", 5000)+`"}`))
	for {
		if _, err := gc.Next(ctx); err != nil {
			if liveclient.CloseCode(err) != live.CloseTooBig {
				t.Fatalf("oversized frame: %v", err)
			}
			break
		}
	}
}

// TestPresenceAndTwoTabs: two sockets of one user are one participant.
func TestPresenceAndTwoTabs(t *testing.T) {
	e := newEnv(t)
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	hc := e.dial(host, s.ID)
	tab1 := e.dial(guest, s.ID)
	tab2 := e.dial(guest, s.ID)
	until := func(count int) {
		collect(t, hc, 5*time.Second, func(evs []*live.Event) bool {
			return len(evs) > 0 && evs[len(evs)-1].Presence != nil && evs[len(evs)-1].Presence.Count == count
		})
	}
	until(2)
	tab1.Close()
	tab2.Close()
	until(1)
	sess, err := e.svc.Session(context.Background(), s.ID, nil)
	if err != nil || sess.ParticipantCount != 1 {
		t.Fatalf("session participant_count = %d (%v), want 1", sess.ParticipantCount, err)
	}
	m := e.must(hc.Do(timeout(5*time.Second), live.Command{Type: live.CmdParticipants}))
	var ack struct{ Result []ask2live.UserSummary }
	m.Decode(&ack)
	if len(ack.Result) != 1 || ack.Result[0].Username != "host" {
		t.Fatalf("participants: %+v", ack.Result)
	}
}

// TestHostGoneEndsSession: a live session whose host stays away past the
// timeout ends by itself; a host who comes back in time keeps it live.
func TestHostGoneEndsSession(t *testing.T) {
	e := newEnv(t, func(c *live.Config) { c.HostGoneTimeout = 300 * time.Millisecond })
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	hc := e.dial(host, s.ID)
	gc := e.dial(guest, s.ID)
	hc.Close()
	hc = e.dial(host, s.ID) // a refresh: back in time
	_ = hc
	hc.Drop()
	ctx := timeout(10 * time.Second)
	for {
		m, err := gc.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for the automatic end: %v", err)
		}
		if m.Event != nil && m.Event.Type == live.EvSession && m.Event.Session.State == ask2live.StateEnded {
			break
		}
	}
	sess, _ := e.svc.Session(ctx, s.ID, nil)
	if sess.State != ask2live.StateEnded {
		t.Fatalf("state = %s", sess.State)
	}
}

// TestFirstEventFollowsSnapshot: an open-now session published its "live"
// event before any room existed; the room's snapshot must count it, so the
// next event is exactly snapshot.seq + 1.
func TestFirstEventFollowsSnapshot(t *testing.T) {
	e := newEnv(t)
	host := e.user("host")
	s := e.liveSession(host)
	hc := e.dial(host, s.ID)
	snap := snapshotOf(t, hc)
	if snap.Seq == 0 {
		t.Fatal("the snapshot does not count the session's own live event")
	}
	e.must(hc.Do(timeout(5*time.Second), live.Command{Type: live.CmdChat, Text: "첫 이벤트"}))
	ev, err := hc.NextEvent(timeout(5 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for ev.Type == live.EvPresence {
		if ev.Seq != snap.Seq+1 {
			break
		}
		snap.Seq = ev.Seq
		if ev, err = hc.NextEvent(timeout(5 * time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if ev.Seq != snap.Seq+1 {
		t.Fatalf("snapshot at %d, next event %d: a gap", snap.Seq, ev.Seq)
	}
}

// TestStageSurvivesRestart: a grant that was acknowledged is still there
// after the server restarts (a new hub and a new in-memory bus on the same
// database), along with the questions and chat.
func TestStageSurvivesRestart(t *testing.T) {
	dbURL := storetest.URL(t, "sqlite")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	start := func() (*env, func()) {
		db, err := store.Open(context.Background(), dbURL, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		svc := ask2live.NewService(db, log)
		svc.Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
		hub := live.NewHub(live.Config{PresenceInterval: 20 * time.Millisecond}, svc, live.NewMemoryBus(), nil, log, nil)
		svc.Notifier, svc.Presence = hub, hub
		srv := httptest.NewServer(httpapi.New(httpapi.Config{LoginRate: 1000, QuestionRate: 1000, Live: hub}, svc, log))
		return &env{t: t, svc: svc, hub: hub, url: srv.URL}, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := hub.Close(ctx); err != nil {
				t.Error(err)
			}
			srv.Close()
			db.Close()
		}
	}
	e, stop := start()
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	hc, gc := e.dial(host, s.ID), e.dial(guest, s.ID)
	ctx := timeout(10 * time.Second)
	e.must(gc.Do(ctx, live.Command{Type: live.CmdAsk, Text: "재시작 전 질문"}))
	e.must(hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest"}))
	e.must(gc.Do(ctx, live.Command{Type: live.CmdMute, Muted: ptr(true)}))
	stop()

	e2, stop2 := start()
	defer stop2()
	snap := snapshotOf(t, e2.dial(e2.user("late"), s.ID))
	if strings.Join(snap.OnAir.Speakers, ",") != "host,guest" || strings.Join(snap.OnAir.Muted, ",") != "guest" {
		t.Fatalf("stage after restart: %+v", snap.OnAir)
	}
	if len(snap.Questions) != 1 || snap.Questions[0].Text != "재시작 전 질문" {
		t.Fatalf("questions after restart: %+v", snap.Questions)
	}
}

// TestEventStream: the main page's server-sent events announce a session
// going live and ending, to anyone listening.
func TestEventStream(t *testing.T) {
	e := newEnv(t)
	host := e.user("host")
	req, _ := http.NewRequestWithContext(timeout(10*time.Second), "GET", e.url+"/api/v1/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	lines := bufio.NewScanner(resp.Body)
	next := func(prefix string) string {
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), prefix) {
				return strings.TrimPrefix(lines.Text(), prefix)
			}
		}
		t.Fatalf("stream ended before %q: %v", prefix, lines.Err())
		return ""
	}
	next(": connected")
	s := e.liveSession(host)
	if ev := next("event: "); ev != "session.live" {
		t.Fatalf("event %q, want session.live", ev)
	}
	var fe live.FeedEvent
	if err := json.Unmarshal([]byte(next("data: ")), &fe); err != nil || fe.Session.ID != s.ID || fe.Session.State != ask2live.StateLive {
		t.Fatalf("data: %+v %v", fe, err)
	}
	if _, err := e.svc.End(context.Background(), host.user, s.ID); err != nil {
		t.Fatal(err)
	}
	if ev := next("event: "); ev != "session.ended" {
		t.Fatalf("event %q, want session.ended", ev)
	}
}

// TestConcurrentFirstJoins: many people join a room nobody has opened yet,
// all at once; they end up in one room (the last one to arrive sees
// everyone), and a chat message reaches all of them.
func TestConcurrentFirstJoins(t *testing.T) {
	e := newEnv(t)
	host := e.user("host")
	s := e.liveSession(host)
	const n = 12
	members := make([]member, n)
	for i := range members {
		members[i] = e.user(fmt.Sprintf("guest%d", i))
	}
	clients := make([]*liveclient.Client, n)
	var wg sync.WaitGroup
	for i := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := liveclient.Dial(ctx, e.url, s.ID, members[i].token, liveclient.Options{})
			if err != nil {
				t.Errorf("dial %d: %v", i, err)
				return
			}
			clients[i] = c
		}()
	}
	wg.Wait()
	for _, c := range clients {
		if c == nil {
			t.FailNow()
		}
		t.Cleanup(func() { c.Drop() })
	}
	sender := e.dial(host, s.ID)
	if len(snapshotOf(t, sender).Participants) != n+1 {
		t.Fatalf("the host's snapshot lists %d people, want %d", len(snapshotOf(t, sender).Participants), n+1)
	}
	e.must(sender.Do(timeout(5*time.Second), live.Command{Type: live.CmdChat, Text: "다들 안녕"}))
	for i, c := range clients {
		evs := collect(t, c, 5*time.Second, func(evs []*live.Event) bool {
			return len(evs) > 0 && evs[len(evs)-1].Type == live.EvChat
		})
		if len(evs) == 0 || evs[len(evs)-1].Type != live.EvChat || evs[len(evs)-1].Chat.Text != "다들 안녕" {
			t.Fatalf("client %d did not get the chat message (%d events)", i, len(evs))
		}
	}
}
