package live_test

import (
	"context"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// nextSnapshot waits for a fresh snapshot on a connection that is already
// in the room (one comes when the person's role changes).
func nextSnapshot(t *testing.T, c *liveclient.Client) live.Snapshot {
	t.Helper()
	ctx := timeout(10 * time.Second)
	for {
		m, err := c.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for a snapshot: %v", err)
		}
		if m.Type == live.MsgSnapshot {
			var s live.Snapshot
			if err := m.Decode(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
}

// TestTeamInTheRoom: a moderator runs the queue and the chat but not the
// stage; a co-host appointed during the session gets the stage too at
// once, but not power over the host or the team; taken off the team, a
// moderator is a guest again. Every role change reaches the room.
func TestTeamInTheRoom(t *testing.T) {
	e := newEnv(t)
	bg := context.Background()
	host, mod, co, guest := e.user("host"), e.user("mod"), e.user("cohost"), e.user("guest")
	s := e.liveSession(host)
	if _, err := e.svc.SetTeamRole(bg, host.user, s.ID, "mod", ask2live.TeamModerator); err != nil {
		t.Fatal(err)
	}
	hc, mc, cc, gc := e.dial(host, s.ID), e.dial(mod, s.ID), e.dial(co, s.ID), e.dial(guest, s.ID)
	ctx := timeout(20 * time.Second)

	ms := snapshotOf(t, mc)
	if ms.You.Role != ask2live.TeamModerator || len(ms.Team) != 1 || ms.Team[0].User.Username != "mod" || ms.Participants == nil || ms.Removed != nil {
		t.Fatalf("moderator's snapshot: you %+v, team %+v, participants %v, removed %v", ms.You, ms.Team, ms.Participants, ms.Removed)
	}
	if gs := snapshotOf(t, gc); gs.You.Role != "" || len(gs.Team) != 1 || gs.Participants != nil {
		t.Fatalf("guest's snapshot: you %+v, team %+v, participants %v", gs.You, gs.Team, gs.Participants)
	}
	if hs := snapshotOf(t, hc); hs.You.Role != ask2live.TeamHost || !hs.You.Host {
		t.Fatalf("host's snapshot: you %+v", hs.You)
	}

	var ask struct{ Result ask2live.Question }
	e.must(gc.Do(ctx, live.Command{Type: live.CmdAsk, Text: "질문"})).Decode(&ask)
	var chat struct{ Result ask2live.ChatMessage }
	e.must(gc.Do(ctx, live.Command{Type: live.CmdChat, Text: "안녕"})).Decode(&chat)

	// The moderator: the queue and the chat, not the stage.
	e.must(mc.Do(ctx, live.Command{Type: live.CmdSetQuestionState, QuestionID: ask.Result.ID, State: ask2live.QuestionAnswering}))
	e.must(mc.Do(ctx, live.Command{Type: live.CmdPin, QuestionID: ask.Result.ID}))
	e.must(mc.Do(ctx, live.Command{Type: live.CmdDeleteChat, MessageID: chat.Result.ID}))
	e.must(mc.Do(ctx, live.Command{Type: live.CmdParticipants}))
	for _, cmd := range []live.Command{
		{Type: live.CmdGrantMic, Username: "guest"},
		{Type: live.CmdMute, Username: "host", Muted: ptr(true)},
		{Type: live.CmdRemove, Username: "guest"},
		{Type: live.CmdEnd},
	} {
		_, err := mc.Do(ctx, cmd)
		wantCode(t, err, ask2live.EForbidden)
	}
	// A guest still can do none of it.
	_, err := gc.Do(ctx, live.Command{Type: live.CmdParticipants})
	wantCode(t, err, ask2live.EForbidden)
	_, err = cc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest"})
	wantCode(t, err, ask2live.EForbidden)

	// Made a co-host during the session: a fresh snapshot says so.
	if _, err := e.svc.SetTeamRole(bg, host.user, s.ID, "cohost", ask2live.TeamCoHost); err != nil {
		t.Fatal(err)
	}
	cs := nextSnapshot(t, cc)
	if cs.You.Role != ask2live.TeamCoHost || len(cs.Team) != 2 || cs.Participants == nil {
		t.Fatalf("co-host's new snapshot: you %+v, team %+v", cs.You, cs.Team)
	}
	evs := collect(t, gc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Type == live.EvTeam
	})
	if team := evs[len(evs)-1].Team; len(team) != 2 || team[1].User.Username != "cohost" || team[1].Role != ask2live.TeamCoHost {
		t.Fatalf("the room's team event: %+v", team)
	}
	e.must(cc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest", Seconds: 60}))
	e.must(cc.Do(ctx, live.Command{Type: live.CmdExtendMic, Username: "guest", Seconds: 60}))
	e.must(cc.Do(ctx, live.Command{Type: live.CmdRevokeMic, Username: "guest"}))
	_, err = cc.Do(ctx, live.Command{Type: live.CmdRevokeMic, Username: "host"})
	wantCode(t, err, ask2live.EForbidden)
	_, err = cc.Do(ctx, live.Command{Type: live.CmdRemove, Username: "host"})
	wantCode(t, err, ask2live.EForbidden)
	_, err = cc.Do(ctx, live.Command{Type: live.CmdRemove, Username: "mod"})
	wantCode(t, err, ask2live.EForbidden)
	e.must(cc.Do(ctx, live.Command{Type: live.CmdRemove, Username: "guest"}))
	e.must(cc.Do(ctx, live.Command{Type: live.CmdReadmit, Username: "guest"}))

	// Taken off the team, the moderator is a guest again.
	if _, err := e.svc.SetTeamRole(bg, host.user, s.ID, "mod", ""); err != nil {
		t.Fatal(err)
	}
	if ms := nextSnapshot(t, mc); ms.You.Role != "" || ms.Participants != nil || len(ms.Team) != 1 {
		t.Fatalf("former moderator's snapshot: you %+v, team %+v, participants %v", ms.You, ms.Team, ms.Participants)
	}
	_, err = mc.Do(ctx, live.Command{Type: live.CmdSetQuestionState, QuestionID: ask.Result.ID, State: ask2live.QuestionAnswered})
	wantCode(t, err, ask2live.EForbidden)

	// The co-host may end the session.
	e.must(cc.Do(ctx, live.Command{Type: live.CmdEnd}))
	if sess, err := e.svc.Session(bg, s.ID, nil); err != nil || sess.State != ask2live.StateEnded {
		t.Fatalf("after the co-host ended it: %+v %v", sess, err)
	}
}

// TestTeamAcrossNodes: the team holds on every node of a room. A moderator
// on one node runs the queue but not the stage; a co-host appointed through
// the other node gets the stage at once on theirs, removes a guest whose
// socket is on the first node, and that guest cannot come back through
// either node; taken off the team through one node, a moderator on the
// other is a guest again.
func TestTeamAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	bg := context.Background()
	host, mod, co, guest := a.user("host"), a.user("mod"), a.user("cohost"), a.user("guest")
	s := a.liveSession(host)
	if _, err := a.svc.SetTeamRole(bg, host.user, s.ID, "mod", ask2live.TeamModerator); err != nil {
		t.Fatal(err)
	}
	hc := a.dial(host, s.ID)
	mc := b.dial(mod, s.ID)
	cc := a.dial(co, s.ID)
	gc := b.dial(guest, s.ID)
	collect(t, hc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Presence != nil && evs[len(evs)-1].Presence.Count == 4
	})
	if ms := snapshotOf(t, mc); ms.You.Role != ask2live.TeamModerator {
		t.Fatalf("moderator's snapshot on node B: %+v", ms.You)
	}
	ctx := timeout(20 * time.Second)
	var ask struct{ Result ask2live.Question }
	a.must(gc.Do(ctx, live.Command{Type: live.CmdAsk, Text: "질문"})).Decode(&ask)
	a.must(mc.Do(ctx, live.Command{Type: live.CmdSetQuestionState, QuestionID: ask.Result.ID, State: ask2live.QuestionAnswering}))
	_, err := mc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest"})
	wantCode(t, err, ask2live.EForbidden)
	_, err = cc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest"})
	wantCode(t, err, ask2live.EForbidden)

	// Appointed through node B, the co-host on node A has the stage.
	if _, err := b.svc.SetTeamRole(bg, host.user, s.ID, "cohost", ask2live.TeamCoHost); err != nil {
		t.Fatal(err)
	}
	if cs := nextSnapshot(t, cc); cs.You.Role != ask2live.TeamCoHost {
		t.Fatalf("co-host's snapshot on node A: %+v", cs.You)
	}
	a.must(cc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest", Seconds: 30}))
	if on := nextOnAir(t, gc, "granted"); on.Username != "guest" {
		t.Fatalf("the guest on node B saw %+v", on)
	}
	a.must(cc.Do(ctx, live.Command{Type: live.CmdRemove, Username: "guest"}))
	if code := closedWith(t, gc); code != live.CloseRemoved {
		t.Fatalf("the removed guest's socket on node B closed with %d", code)
	}
	for _, n := range []*env{a, b} {
		if code := joinCode(t, n, guest, s.ID); code != live.CloseRemoved {
			t.Fatalf("the removed guest rejoining: close %d, want %d", code, live.CloseRemoved)
		}
	}

	// Taken off the team through node A, the moderator on node B is not one.
	if _, err := a.svc.SetTeamRole(bg, host.user, s.ID, "mod", ""); err != nil {
		t.Fatal(err)
	}
	if ms := nextSnapshot(t, mc); ms.You.Role != "" {
		t.Fatalf("former moderator's snapshot on node B: %+v", ms.You)
	}
	_, err = mc.Do(ctx, live.Command{Type: live.CmdSetQuestionState, QuestionID: ask.Result.ID, State: ask2live.QuestionAnswered})
	wantCode(t, err, ask2live.EForbidden)
}
