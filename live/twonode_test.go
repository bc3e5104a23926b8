package live_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/httpapi"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/store"
	"github.com/ask2live/ask2live/store/storetest"
)

// failureLog is a node's log of warnings and errors, shown only if the
// test fails: what the bus and the rooms went through (epochs renewed,
// writes that failed) is what a failure of a multi-node test needs.
func failureLog(t *testing.T, name string) *slog.Logger {
	var mu sync.Mutex
	var buf strings.Builder
	t.Cleanup(func() {
		if t.Failed() {
			mu.Lock()
			t.Logf("log of node %s:\n%s", name, buf.String())
			mu.Unlock()
		}
	})
	return slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

var nodeCount atomic.Int64

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// node is one server of a cluster: its own store connection, Service, Redis
// bus and hub, sharing the database and Redis with the other nodes.
func node(t *testing.T, dbURL, redis, prefix string, mutate ...func(*live.Config)) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := failureLog(t, fmt.Sprintf("%d", nodeCount.Add(1)))
	svc := ask2live.NewService(db, log)
	svc.Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	// Entries never expire here: whatever a node sees of the other's writes
	// comes from the invalidations on the bus.
	svc.Cache = ask2live.NewReadCache(ask2live.ReadCacheConfig{Entries: 1000, Tokens: 1000, ViewerSets: 1000, MaxBytes: 64 << 20, MaxAge: 24 * time.Hour})
	bus, err := live.NewRedisBus(ctx, redis, prefix, log)
	if err != nil {
		t.Fatal(err)
	}
	cfg := live.Config{PresenceInterval: 20 * time.Millisecond, QuestionRate: 1000}
	for _, m := range mutate {
		m(&cfg)
	}
	hub := live.NewHub(cfg, svc, bus, nil, log, nil)
	svc.Notifier, svc.Presence = hub, hub
	stopSync := live.SyncCache(bus, svc.Cache, log)
	var stopAccounts func()
	svc.Accounts, stopAccounts = live.AccountsOverBus(bus, hub, log)
	srv := httptest.NewServer(httpapi.New(httpapi.Config{LoginRate: 1000, QuestionRate: 1000, Live: hub, Events: hub.Events(), SessionEvents: hub.SessionEvents()}, svc, log))
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		hub.Close(cctx)
		srv.Close()
		stopSync()
		stopAccounts()
		bus.Close()
	})
	return &env{t: t, svc: svc, hub: hub, url: srv.URL}
}

// TestTwoNodesOneOrder: clients on two nodes, commands on both at once;
// every client sees the identical event sequence.
func TestTwoNodesOneOrder(t *testing.T) {
	redis, prefix := storetest.Redis(t)
	dbURL := "sqlite:" + t.TempDir() + "/shared.db"
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbURL = storetest.URL(t, "postgres")
	}
	a, b := node(t, dbURL, redis, prefix), node(t, dbURL, redis, prefix)

	host := a.user("host")
	s := a.liveSession(host)
	hc := a.dial(host, s.ID)
	var clients []*liveclient.Client
	for i := 0; i < 6; i++ {
		g := a.user(fmt.Sprintf("guest%d", i))
		n := a
		if i%2 == 1 {
			n = b // half the guests on the other node
		}
		clients = append(clients, n.dial(g, s.ID))
	}
	// Wait until the host sees everyone, across both nodes.
	collect(t, hc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Presence != nil && evs[len(evs)-1].Presence.Count == 7
	})

	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := timeout(20 * time.Second)
			for j := 0; j < 3; j++ {
				if _, err := c.Do(ctx, live.Command{Type: live.CmdAsk, Text: fmt.Sprintf("질문 %d-%d", i, j)}); err != nil {
					errs <- err
				}
				if _, err := c.Do(ctx, live.Command{Type: live.CmdChat, Text: fmt.Sprintf("채팅 %d-%d", i, j)}); err != nil {
					errs <- err
				}
			}
		}()
	}
	ctx := timeout(20 * time.Second)
	a.must(hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest1"})) // a guest on node b
	a.must(hc.Do(ctx, live.Command{Type: live.CmdRevokeMic, Username: "guest1"}))
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// The host sees all 38 changes; then every client must see exactly the
	// same events over the same range of sequence numbers.
	const want = 6*6 + 2
	hostEvs := collect(t, hc, 20*time.Second, func(evs []*live.Event) bool {
		n := 0
		for _, ev := range evs {
			if ev.Type == live.EvQuestion || ev.Type == live.EvChat || ev.Type == live.EvOnAir {
				n++
			}
		}
		return n >= want
	})
	from, to := hostEvs[0].Seq, hostEvs[len(hostEvs)-1].Seq
	window := func(evs []*live.Event) string {
		var sig []string
		for _, ev := range evs {
			if ev.Seq >= from && ev.Seq <= to {
				sig = append(sig, signature(ev))
			}
		}
		return strings.Join(sig, "|")
	}
	ref := window(hostEvs)
	if got := strings.Count(ref, "|") + 1; got != int(to-from)+1 {
		t.Fatalf("the host's window has gaps: %d events for seq %d..%d", got, from, to)
	}
	for i, c := range clients {
		evs := collect(t, c, 20*time.Second, func(evs []*live.Event) bool { return len(evs) > 0 && evs[len(evs)-1].Seq >= to })
		if got := window(evs); got != ref {
			t.Fatalf("client %d saw a different sequence:\n got %s\nwant %s", i, got, ref)
		}
	}

	// A newcomer on node b gets the stage and presence built by node a.
	late := b.dial(a.user("late"), s.ID)
	snap := snapshotOf(t, late)
	if snap.ParticipantCount != 8 || len(snap.Questions) != 18 || len(snap.Chat) != 18 {
		t.Fatalf("newcomer on the other node: %d present, %d questions, %d chat", snap.ParticipantCount, len(snap.Questions), len(snap.Chat))
	}
	// A client moving from node a to node b resumes by sequence: the epoch
	// is shared and node b's room has the log.
	last, epoch := clients[0].LastSeq()
	clients[0].Drop()
	m := a.must(hc.Do(ctx, live.Command{Type: live.CmdChat, Text: "이동 중에 온 메시지"}))
	var ack struct{ Result ask2live.ChatMessage }
	m.Decode(&ack)
	moved := b.dial(member{token: tokenOf(t, a, "guest0")}, s.ID, liveclient.Options{LastSeq: &last, Epoch: epoch})
	if moved.First.Type != live.MsgResume {
		t.Fatalf("moving to the other node got %s, want resume", moved.First.Type)
	}
	for {
		ev, err := moved.NextEvent(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Seq <= last {
			t.Fatalf("replayed seq %d, already had %d", ev.Seq, last)
		}
		if ev.Chat != nil && ev.Chat.ID == ack.Result.ID {
			break
		}
	}
}

// tokenOf logs a user in again on a node.
func tokenOf(t *testing.T, n *env, username string) string {
	_, cred, err := n.svc.Login(context.Background(), username, "password-"+username, ask2live.TokenBearer)
	if err != nil {
		t.Fatal(err)
	}
	return cred.Token
}

// TestTwoNodesCacheInvalidation: a write on one node reaches the other
// node's read cache through the bus — session, main page, questions,
// profiles and revoked credentials.
func TestTwoNodesCacheInvalidation(t *testing.T) {
	redis, prefix := storetest.Redis(t)
	dbURL := "sqlite:" + t.TempDir() + "/shared.db"
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbURL = storetest.URL(t, "postgres")
	}
	a, b := node(t, dbURL, redis, prefix), node(t, dbURL, redis, prefix)
	ctx := context.Background()
	host, _, err := a.svc.Register(ctx, ask2live.RegisterInput{Username: "host", Password: "password-host"}, ask2live.TokenBearer)
	if err != nil {
		t.Fatal(err)
	}
	guest, guestCred, err := a.svc.Register(ctx, ask2live.RegisterInput{Username: "guest", Password: "password-guest"}, ask2live.TokenBearer)
	if err != nil {
		t.Fatal(err)
	}
	starts := time.Now().Add(time.Hour)
	s, err := a.svc.CreateSession(ctx, host, ask2live.SessionInput{Title: "두 노드", StartsAt: &starts, TargetGuests: 3})
	if err != nil {
		t.Fatal(err)
	}
	// eventually waits until node b serves what cond wants.
	eventually := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("node b still serves the old %s", what)
			}
			<-tick.C
		}
	}
	sessionB := func() *ask2live.Session {
		got, err := b.svc.Session(ctx, s.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	feedB := func() *ask2live.Feed {
		f, err := b.svc.Feed(ctx, nil)
		if err != nil || len(f.Recruiting) != 1 {
			t.Fatalf("feed on b: %+v, %v", f, err)
		}
		return f
	}
	// Warm node b's cache.
	sessionB()
	feedB()
	if _, err := b.svc.Questions(ctx, s.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Authenticate(ctx, guestCred.Token); err != nil {
		t.Fatal(err)
	}

	if _, err := b.svc.Session(ctx, s.ID, guest); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.Wish(ctx, guest, s.ID); err != nil {
		t.Fatal(err)
	}
	eventually("session detail", func() bool { return sessionB().WishCount == 1 })
	eventually("wished_by_me", func() bool {
		got, err := b.svc.Session(ctx, s.ID, guest)
		return err == nil && got.WishedByMe
	})
	eventually("main page", func() bool { return feedB().Recruiting[0].WishCount == 1 })

	if _, err := a.svc.Ask(ctx, guest, s.ID, ask2live.QuestionInput{Text: "다른 노드에서"}); err != nil {
		t.Fatal(err)
	}
	eventually("question list", func() bool {
		qs, err := b.svc.Questions(ctx, s.ID, nil)
		return err == nil && len(qs) == 1
	})

	dn := "바뀐 호스트"
	if _, err := a.svc.UpdateProfile(ctx, host, ask2live.ProfileUpdate{DisplayName: &dn}); err != nil {
		t.Fatal(err)
	}
	eventually("host profile", func() bool { return feedB().Recruiting[0].Host.DisplayName == dn })

	if err := a.svc.Logout(ctx, guestCred.Token); err != nil {
		t.Fatal(err)
	}
	eventually("credential", func() bool {
		_, err := b.svc.Authenticate(ctx, guestCred.Token)
		return ask2live.ErrorCode(err) == ask2live.EUnauthenticated
	})
}

// twoNodes starts two nodes on one database and one Redis prefix, removed
// when the test ends.
func twoNodes(t *testing.T) (a, b *env) {
	redis, prefix := storetest.Redis(t)
	dbURL := "sqlite:" + t.TempDir() + "/shared.db"
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbURL = storetest.URL(t, "postgres")
	}
	return node(t, dbURL, redis, prefix), node(t, dbURL, redis, prefix)
}

// TestCommandsRunOnceAcrossNodes: a command retried with its cid on another
// node, or sent by two sockets of one user at the same instant (on one node
// and on two), has one effect, and every copy gets the first answer.
func TestCommandsRunOnceAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	host, guest := a.user("host"), a.user("guest")
	s := a.liveSession(host)
	ctx := timeout(30 * time.Second)

	onA := a.dial(guest, s.ID)
	first := a.must(onA.Do(ctx, live.Command{Type: live.CmdAsk, CID: "moved", Text: "노드를 옮겨도 한 번"}))
	onA.Drop()
	onB := b.dial(guest, s.ID)
	again := b.must(onB.Do(ctx, live.Command{Type: live.CmdAsk, CID: "moved", Text: "노드를 옮겨도 한 번"}))
	if string(first.Raw) != string(again.Raw) {
		t.Fatalf("the retry on the other node answered differently:\n%s\n%s", first.Raw, again.Raw)
	}

	sameNode := a.dial(guest, s.ID)
	otherNode := b.dial(guest, s.ID)
	secondTab := b.dial(guest, s.ID)
	race := func(cid string, x, y *liveclient.Client) {
		t.Helper()
		var wg sync.WaitGroup
		replies := make([]string, 2)
		for i, c := range []*liveclient.Client{x, y} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := c.Do(ctx, live.Command{Type: live.CmdAsk, CID: cid, Text: "동시에 " + cid})
				if err != nil {
					t.Errorf("%s on socket %d: %v", cid, i, err)
					return
				}
				replies[i] = string(m.Raw)
			}()
		}
		wg.Wait()
		if replies[0] != replies[1] {
			t.Errorf("%s: the two copies got different answers:\n%s\n%s", cid, replies[0], replies[1])
		}
	}
	const tries = 10
	for i := range tries {
		race(fmt.Sprintf("two-nodes-%d", i), sameNode, otherNode)
		race(fmt.Sprintf("one-node-%d", i), otherNode, secondTab)
	}
	qs, err := a.svc.Questions(ctx, s.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + 2*tries; len(qs) != want {
		t.Fatalf("%d questions stored, want %d: a repeated cid ran twice", len(qs), want)
	}
	t.Logf("%d commands sent in %d copies, %d questions stored", 1+2*tries, 2+4*tries, len(qs))
}

// observer records the raw bytes of every presence event a client gets, by
// sequence number, and the last presence state.
type observer struct {
	c         *liveclient.Client
	raw       map[uint64]string
	count     int
	names     map[string]bool
	questions map[string]bool // ids of the questions it received
}

func observe(c *liveclient.Client, snap live.Snapshot) *observer {
	o := &observer{c: c, raw: map[uint64]string{}, count: snap.ParticipantCount, names: map[string]bool{}, questions: map[string]bool{}}
	for _, p := range snap.Participants {
		o.names[p.Username] = true
	}
	return o
}

// until reads events until the presence count is want.
func (o *observer) until(t *testing.T, want int) {
	t.Helper()
	ctx := timeout(20 * time.Second)
	for o.count != want {
		m, err := o.c.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for %d present (at %d): %v", want, o.count, err)
		}
		if m.Event != nil && m.Event.Question != nil {
			o.questions[m.Event.Question.ID] = true
		}
		if m.Event == nil || m.Event.Presence == nil {
			continue
		}
		o.raw[m.Seq] = string(m.Raw)
		o.count = m.Event.Presence.Count
		for _, u := range m.Event.Presence.Joined {
			o.names[u.Username] = true
		}
		for _, u := range m.Event.Presence.Left {
			delete(o.names, u)
		}
	}
}

// TestPresenceIsOneTruthAcrossNodes: guests hopping between two nodes while
// others ask, and a user with a socket on each node closing one: both
// nodes report the same participants and count, every presence event has
// the same bytes on both, and the two-socket user stays present.
func TestPresenceIsOneTruthAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	host := a.user("host")
	s := a.liveSession(host)
	onA := a.dial(host, s.ID)
	onB := b.dial(member{token: tokenOf(t, a, "host")}, s.ID)
	obsA, obsB := observe(onA, snapshotOf(t, onA)), observe(onB, snapshotOf(t, onB))

	const guests = 20
	members := make([]member, guests)
	socks := make([]*liveclient.Client, guests)
	nodes := []*env{a, b}
	for i := range members {
		members[i] = a.user(fmt.Sprintf("guest%02d", i))
		socks[i] = nodes[i%2].dial(members[i], s.ID)
	}
	twoTabs := a.user("twotabs")
	tabA, tabB := a.dial(twoTabs, s.ID), b.dial(twoTabs, s.ID)
	want := 1 + guests + 1
	obsA.until(t, want)
	obsB.until(t, want)

	// Three rounds of everyone moving to the other node, some asking as
	// they go, and the two-socket user closing the socket on node a.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var asked []string
	for i := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 1; round <= 3; round++ {
				socks[i].Drop()
				socks[i] = nodes[(i+round)%2].dial(members[i], s.ID)
				if i%4 == 0 {
					m, err := socks[i].Do(timeout(10*time.Second), live.Command{Type: live.CmdAsk, Text: fmt.Sprintf("이동 중 %d-%d", i, round)})
					if err != nil {
						t.Error(err)
						continue
					}
					var ack struct{ Result ask2live.Question }
					m.Decode(&ack)
					mu.Lock()
					asked = append(asked, ack.Result.ID)
					mu.Unlock()
				}
			}
		}()
	}
	tabA.Close()
	wg.Wait()
	// A newcomer marks the end: once both observers count them, every
	// earlier arrival and departure has been announced.
	b.dial(a.user("last"), s.ID)
	want++
	obsA.until(t, want)
	obsB.until(t, want)
	// Every question acknowledged meanwhile came before the newcomer's
	// arrival, so both observers have it.
	for name, o := range map[string]*observer{"a": obsA, "b": obsB} {
		got := 0
		for _, id := range asked {
			if o.questions[id] {
				got++
			}
		}
		t.Logf("the host's socket on node %s received %d of %d questions asked while guests moved", name, got, len(asked))
		if got != len(asked) {
			t.Errorf("node %s: %d of %d acknowledged questions delivered", name, got, len(asked))
		}
	}
	if !obsA.names["twotabs"] || !obsB.names["twotabs"] {
		t.Fatal("closing one of two sockets (on two nodes) took the user out of the room")
	}
	if len(obsA.names) != want || len(obsB.names) != want {
		t.Fatalf("participant lists: %d on a, %d on b, want %d", len(obsA.names), len(obsB.names), want)
	}
	for seq, raw := range obsA.raw {
		if other, ok := obsB.raw[seq]; ok && other != raw {
			t.Fatalf("presence seq %d differs between nodes:\n a: %s\n b: %s", seq, raw, other)
		}
	}
	ctx := timeout(10 * time.Second)
	for name, n := range map[string]*env{"a": a, "b": b} {
		sess, err := n.svc.Session(ctx, s.ID, nil)
		if err != nil || sess.ParticipantCount != want {
			t.Fatalf("node %s: participant_count %d (%v), want %d", name, sess.ParticipantCount, err, want)
		}
	}
	for name, c := range map[string]*liveclient.Client{"a": onA, "b": onB} {
		var ack struct{ Result []ask2live.UserSummary }
		a.must(c.Do(ctx, live.Command{Type: live.CmdParticipants})).Decode(&ack)
		if len(ack.Result) != want {
			t.Fatalf("participants on node %s: %d, want %d", name, len(ack.Result), want)
		}
	}
	_ = tabB
}

// TestOnAirLimitHoldsAcrossNodes: the host's sockets on two nodes grant the
// mic to six guests at once; at most MaxOnAir (3) end up on air, on both
// nodes, every time.
func TestOnAirLimitHoldsAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	host := a.user("host")
	s := a.liveSession(host)
	hostA := a.dial(host, s.ID)
	hostB := b.dial(member{token: tokenOf(t, a, "host")}, s.ID)
	obs := observe(hostA, snapshotOf(t, hostA))
	var guests []string
	for i := range 6 {
		g := a.user(fmt.Sprintf("guest%d", i))
		[]*env{a, b}[i%2].dial(g, s.ID)
		guests = append(guests, g.user.Username)
	}
	obs.until(t, 7)
	// hostB's room must know the guests too before it grants.
	observe(hostB, snapshotOf(t, hostB)).until(t, 7)
	ctx := timeout(30 * time.Second)
	for round := range 5 {
		// Each host socket sends its three grants without waiting; the two
		// sockets run at once.
		var wg sync.WaitGroup
		var mu sync.Mutex
		granted := 0
		for k, c := range []*liveclient.Client{hostA, hostB} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				want := map[string]string{}
				for i := k; i < len(guests); i += 2 {
					cid, err := c.Send(ctx, live.Command{Type: live.CmdGrantMic, Username: guests[i]})
					if err != nil {
						t.Error(err)
						return
					}
					want[cid] = guests[i]
				}
				// Read until every grant is answered and the stage this socket
				// sees has the host and three guests.
				speakers := 0
				for len(want) > 0 || speakers != 4 {
					m, err := c.Next(ctx)
					if err != nil {
						t.Errorf("round %d: %v (%d on air)", round, err, speakers)
						return
					}
					if m.Event != nil && m.Event.OnAir != nil {
						speakers = len(m.Event.OnAir.Speakers)
					}
					if _, ok := want[m.CID]; !ok || (m.Type != live.MsgAck && m.Type != live.MsgError) {
						continue
					}
					var e live.ErrorMsg
					switch {
					case m.Type == live.MsgAck:
						mu.Lock()
						granted++
						mu.Unlock()
					case m.Decode(&e) == nil && e.Code != ask2live.EWrongState:
						t.Errorf("grant %s: %s %s", want[m.CID], e.Code, e.Message)
					}
					delete(want, m.CID)
				}
			}()
		}
		wg.Wait()
		if granted != 3 {
			t.Fatalf("round %d: %d grants succeeded, want 3", round, granted)
		}
		for _, g := range guests {
			if _, err := hostA.Do(ctx, live.Command{Type: live.CmdRevokeMic, Username: g}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestResumeOnANodeThatJustLoadedTheRoom: a client moving to a node where
// the room has not run yet resumes from the replayed log: the resume's seq
// is where the log stands, not the empty room's 0.
func TestResumeOnANodeThatJustLoadedTheRoom(t *testing.T) {
	a, b := twoNodes(t)
	host, guest := a.user("host"), a.user("guest")
	s := a.liveSession(host)
	hc := a.dial(host, s.ID)
	gc := a.dial(guest, s.ID)
	ctx := timeout(20 * time.Second)
	for i := range 5 {
		a.must(hc.Do(ctx, live.Command{Type: live.CmdChat, Text: fmt.Sprintf("채팅 %d", i)}))
	}
	collect(t, gc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Chat != nil && evs[len(evs)-1].Chat.Text == "채팅 4"
	})
	last, epoch := gc.LastSeq()
	gc.Drop()
	moved := b.dial(guest, s.ID, liveclient.Options{LastSeq: &last, Epoch: epoch})
	var r live.Resume
	if moved.First.Type != live.MsgResume || moved.First.Decode(&r) != nil {
		t.Fatalf("first message %s, want resume", moved.First.Type)
	}
	if r.From != last+1 || r.Seq < last {
		t.Fatalf("resume from %d to %d after seq %d", r.From, r.Seq, last)
	}
}
