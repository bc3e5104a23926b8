package live_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/httpapi"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/store"
	"github.com/ask2live/ask2live/store/storetest"
)

// closedWith waits for the client's socket to close and returns the code.
func closedWith(t *testing.T, c *liveclient.Client) int {
	t.Helper()
	ctx := timeout(10 * time.Second)
	for {
		if _, err := c.Next(ctx); err != nil {
			return liveclient.CloseCode(err)
		}
	}
}

// joinCode dials the room and returns the close code it ends with at
// once, or 0 when the join was let in.
func joinCode(t *testing.T, e *env, m member, sessionID string) int {
	t.Helper()
	c, err := liveclient.Dial(timeout(10*time.Second), e.url, sessionID, m.token, liveclient.Options{})
	if err != nil {
		return liveclient.CloseCode(err)
	}
	c.Drop()
	return 0
}

// TestRemovalLastsAndCanBeLifted: a removed guest is closed with 4403 and
// refused on every later join, across a restart, until the host lets them
// back in; the host's snapshot lists who is out.
func TestRemovalLastsAndCanBeLifted(t *testing.T) {
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
	host, guest, other := e.user("host"), e.user("guest"), e.user("other")
	s := e.liveSession(host)
	hc, gc := e.dial(host, s.ID), e.dial(guest, s.ID)
	ctx := timeout(10 * time.Second)
	e.must(hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest"}))
	e.must(hc.Do(ctx, live.Command{Type: live.CmdRemove, Username: "guest"}))
	if code := closedWith(t, gc); code != live.CloseRemoved {
		t.Fatalf("the removed guest's socket closed with %d", code)
	}
	if code := joinCode(t, e, guest, s.ID); code != live.CloseRemoved {
		t.Fatalf("rejoin after removal: close %d, want %d", code, live.CloseRemoved)
	}
	snap := snapshotOf(t, e.dial(host, s.ID))
	if len(snap.Removed) != 1 || snap.Removed[0].Username != "guest" || len(snap.OnAir.Speakers) != 1 {
		t.Fatalf("host's snapshot: removed %+v, on air %v", snap.Removed, snap.OnAir.Speakers)
	}
	if snap := snapshotOf(t, e.dial(other, s.ID)); snap.Removed != nil {
		t.Fatalf("a guest's snapshot lists removals: %+v", snap.Removed)
	}
	_, err := hc.Do(ctx, live.Command{Type: live.CmdRemove, Username: "nobody"})
	wantCode(t, err, ask2live.ENotFound)
	stop()

	e2, stop2 := start()
	defer stop2()
	if code := joinCode(t, e2, guest, s.ID); code != live.CloseRemoved {
		t.Fatalf("rejoin after a restart: close %d, want %d", code, live.CloseRemoved)
	}
	hc2 := e2.dial(host, s.ID)
	e2.must(hc2.Do(timeout(10*time.Second), live.Command{Type: live.CmdReadmit, Username: "guest"}))
	evs := collect(t, hc2, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Removal != nil
	})
	if r := evs[len(evs)-1].Removal; r.Removed || r.User.Username != "guest" || r.User.DisplayName != "이름 guest" {
		t.Fatalf("removal event: %+v", r)
	}
	if snap := snapshotOf(t, e2.dial(guest, s.ID)); snap.You.Username != "guest" {
		t.Fatalf("readmitted guest's snapshot: %+v", snap.You)
	}
}

// TestRemovalAcrossNodes: the host on one node removes a guest whose
// socket is on the other; the guest is closed there and refused there.
func TestRemovalAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	host, guest := a.user("host"), a.user("guest")
	s := a.liveSession(host)
	hc := a.dial(host, s.ID)
	gc := b.dial(guest, s.ID)
	collect(t, hc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Presence != nil && evs[len(evs)-1].Presence.Count == 2
	})
	a.must(hc.Do(timeout(10*time.Second), live.Command{Type: live.CmdRemove, Username: "guest"}))
	if code := closedWith(t, gc); code != live.CloseRemoved {
		t.Fatalf("the guest's socket on the other node closed with %d", code)
	}
	if code := joinCode(t, b, guest, s.ID); code != live.CloseRemoved {
		t.Fatalf("rejoin on the other node: close %d, want %d", code, live.CloseRemoved)
	}
}
