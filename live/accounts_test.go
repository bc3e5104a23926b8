package live_test

import (
	"context"
	"testing"
	"time"

	"github.com/ask2live/ask2live/live"
)

// TestSuspensionClosesSocketsOnEveryNode: an admin on one node suspends a
// guest whose sockets are on both nodes; both close with 4401, and the
// guest's credential no longer opens either node's room.
func TestSuspensionClosesSocketsOnEveryNode(t *testing.T) {
	a, b := twoNodes(t)
	ctx := context.Background()
	admin, host, guest := a.user("admin"), a.user("host"), a.user("guest")
	if _, err := a.svc.SetAdmin(ctx, nil, "admin", true); err != nil {
		t.Fatal(err)
	}
	adminUser, err := a.svc.Store.UserByID(ctx, admin.user.ID)
	if err != nil {
		t.Fatal(err)
	}
	s := a.liveSession(host)
	onA, onB := a.dial(guest, s.ID), b.dial(guest, s.ID)
	hostSock := a.dial(host, s.ID)
	if _, err := a.svc.SuspendUser(ctx, adminUser, "guest"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []struct {
		name string
		code int
	}{{"node a", closedWith(t, onA)}, {"node b", closedWith(t, onB)}} {
		if n.code != live.CloseUnauthorized {
			t.Errorf("the suspended guest's socket on %s closed with %d, want %d", n.name, n.code, live.CloseUnauthorized)
		}
	}
	for _, n := range []*env{a, b} {
		if code := joinCode(t, n, guest, s.ID); code == 0 {
			t.Errorf("the suspended guest joined again")
		}
	}
	// The host stays.
	a.must(hostSock.Do(timeout(10*time.Second), live.Command{Type: live.CmdChat, Text: "still here"}))
}
