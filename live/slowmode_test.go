package live_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// TestSlowModeAcrossNodes: a moderator turns slow mode on for the room;
// everyone hears of it in a session event; a guest who just sent a message
// through one node is refused, with the time to wait, through a socket on
// the other node too; the host's team is exempt; turned off, the guest may
// send again at once. Only the team may change it.
func TestSlowModeAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	host, mod, guest := a.user("host"), a.user("mod"), a.user("guest")
	s := a.liveSession(host)
	if _, err := a.svc.SetTeamRole(timeout(5*time.Second), host.user, s.ID, "mod", ask2live.TeamModerator); err != nil {
		t.Fatal(err)
	}
	hc, mc := a.dial(host, s.ID), b.dial(mod, s.ID)
	ga, gb := a.dial(guest, s.ID), b.dial(guest, s.ID)
	collect(t, hc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Presence != nil && evs[len(evs)-1].Presence.Count == 3
	})
	ctx := timeout(20 * time.Second)

	_, err := ga.Do(ctx, live.Command{Type: live.CmdSetSlowMode, Seconds: 60})
	wantCode(t, err, ask2live.EForbidden)
	_, err = mc.Do(ctx, live.Command{Type: live.CmdSetSlowMode, Seconds: 601})
	wantCode(t, err, ask2live.EInvalid)
	a.must(mc.Do(ctx, live.Command{Type: live.CmdSetSlowMode, Seconds: 60}))
	for _, c := range []*liveclient.Client{ga, gb} {
		collect(t, c, 10*time.Second, func(evs []*live.Event) bool {
			return len(evs) > 0 && evs[len(evs)-1].Session != nil && evs[len(evs)-1].Session.ChatSlowSeconds == 60
		})
	}

	a.must(gb.Do(ctx, live.Command{Type: live.CmdChat, Text: "첫 메시지"}))
	// Once node A has the message, the guest's socket there is refused too.
	collect(t, ga, 10*time.Second, chats(1))
	_, err = ga.Do(ctx, live.Command{Type: live.CmdChat, Text: "너무 빨리"})
	var ce *liveclient.CommandError
	if !errors.As(err, &ce) || ce.Code != ask2live.ERateLimited || ce.RetryAfter <= 50*time.Second || ce.RetryAfter > 60*time.Second {
		t.Fatalf("second message within slow mode: %v", err)
	}
	_, err = gb.Do(ctx, live.Command{Type: live.CmdChat, Text: "또 너무 빨리"})
	wantCode(t, err, ask2live.ERateLimited)
	// The team is exempt.
	a.must(mc.Do(ctx, live.Command{Type: live.CmdChat, Text: "모더레이터 1"}))
	a.must(mc.Do(ctx, live.Command{Type: live.CmdChat, Text: "모더레이터 2"}))
	a.must(hc.Do(ctx, live.Command{Type: live.CmdChat, Text: "호스트"}))

	a.must(hc.Do(ctx, live.Command{Type: live.CmdSetSlowMode, Seconds: 0}))
	collect(t, ga, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Session != nil && evs[len(evs)-1].Session.ChatSlowSeconds == 0
	})
	a.must(ga.Do(ctx, live.Command{Type: live.CmdChat, Text: "다시"}))
	if snap := snapshotOf(t, a.dial(a.user("late"), s.ID)); snap.Session.ChatSlowSeconds != 0 || len(snap.Chat) != 5 {
		t.Fatalf("late snapshot: slow %d, %d messages", snap.Session.ChatSlowSeconds, len(snap.Chat))
	}
}
