package live_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/httpapi"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/store"
	"github.com/ask2live/ask2live/store/storetest"
)

// node is one server of a cluster: its own store connection, Service, Redis
// bus and hub, sharing the database and Redis with the other nodes.
func node(t *testing.T, dbURL, redis, prefix string) *env {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := ask2live.NewService(db, log)
	svc.Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	// Entries never expire here: whatever a node sees of the other's writes
	// comes from the invalidations on the bus.
	svc.Cache = ask2live.NewReadCache(ask2live.ReadCacheConfig{Entries: 1000, Tokens: 1000, ViewerSets: 1000, MaxBytes: 64 << 20, MaxAge: 24 * time.Hour})
	bus, err := live.NewRedisBus(ctx, redis, prefix, log)
	if err != nil {
		t.Fatal(err)
	}
	hub := live.NewHub(live.Config{PresenceInterval: 20 * time.Millisecond}, svc, bus, nil, log, nil)
	svc.Notifier = hub
	stopSync := live.SyncCache(bus, svc.Cache, log)
	srv := httptest.NewServer(httpapi.New(httpapi.Config{LoginRate: 1000, QuestionRate: 1000, Live: hub, Events: hub.Events()}, svc, log))
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		hub.Close(cctx)
		srv.Close()
		stopSync()
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
