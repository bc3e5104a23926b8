package live_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// nextOnAir waits for the next on_air event with the given change.
func nextOnAir(t *testing.T, c *liveclient.Client, change string) *live.OnAir {
	t.Helper()
	evs := collect(t, c, 15*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].OnAir != nil && evs[len(evs)-1].OnAir.Change == change
	})
	return evs[len(evs)-1].OnAir
}

// TestMicTimeLimit: a grant with seconds puts the deadline in the stage;
// when it passes, the server takes the mic back (change time_up) and stops
// the guest's audio; only the host may grant or extend, within the limit.
func TestMicTimeLimit(t *testing.T) {
	media := &recordingMedia{left: make(chan string, 8), onAir: make(chan string, 16)}
	e := newEnvWithMedia(t, media, func(c *live.Config) { c.MaxMicTime = time.Minute })
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	hc, gc := e.dial(host, s.ID), e.dial(guest, s.ID)
	collect(t, hc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Presence != nil && evs[len(evs)-1].Presence.Count == 2
	})
	ctx := timeout(10 * time.Second)

	// Beyond the limit, or from a guest: refused.
	_, err := hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest", Seconds: 61})
	wantCode(t, err, ask2live.EInvalid)
	_, err = gc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest", Seconds: 1})
	wantCode(t, err, ask2live.EForbidden)

	granted := time.Now()
	e.must(hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest", Seconds: 1}))
	on := nextOnAir(t, gc, "granted")
	until, ok := on.Until["guest"]
	if !ok || until.Before(granted.Add(time.Second-10*time.Millisecond)) || until.After(time.Now().Add(time.Second)) {
		t.Fatalf("until = %v (limited: %v), granted at %v for 1 s", until, ok, granted)
	}
	if got := <-media.onAir; got != "guest=true" {
		t.Fatalf("media told %s, want guest=true", got)
	}
	_, err = gc.Do(ctx, live.Command{Type: live.CmdExtendMic, Username: "guest", Seconds: 5})
	wantCode(t, err, ask2live.EForbidden)
	_, err = hc.Do(ctx, live.Command{Type: live.CmdExtendMic, Username: "guest", Seconds: 60})
	wantCode(t, err, ask2live.EInvalid)

	on = nextOnAir(t, gc, "time_up")
	if now := time.Now(); now.Before(until) {
		t.Fatalf("the mic was taken back at %v, before its limit %v", now, until)
	}
	if slices.Contains(on.Speakers, "guest") || on.Until != nil {
		t.Fatalf("after time_up: %+v", on)
	}
	if got := <-media.onAir; got != "guest=false" {
		t.Fatalf("media told %s, want guest=false", got)
	}
	_, err = hc.Do(ctx, live.Command{Type: live.CmdExtendMic, Username: "guest", Seconds: 5})
	wantCode(t, err, ask2live.EWrongState)

	// With no limit, nothing is taken back, and there is nothing to extend.
	e.must(hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest"}))
	if on := nextOnAir(t, gc, "granted"); on.Until != nil {
		t.Fatalf("a grant with no limit has until %v", on.Until)
	}
	_, err = hc.Do(ctx, live.Command{Type: live.CmdExtendMic, Username: "guest", Seconds: 5})
	wantCode(t, err, ask2live.EWrongState)
}

// TestMicTimeLimitAcrossNodes: the host on one node gives a guest on the
// other the mic for a second and adds a second; the host's node then goes
// down. The other node still takes the mic back, and not before the
// extended limit.
func TestMicTimeLimitAcrossNodes(t *testing.T) {
	a, b := twoNodes(t)
	host, guest, watcher := a.user("host"), a.user("guest"), a.user("watcher")
	s := a.liveSession(host)
	hc := a.dial(host, s.ID)
	b.dial(guest, s.ID)
	wc := b.dial(watcher, s.ID)
	collect(t, hc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Presence != nil && evs[len(evs)-1].Presence.Count == 3
	})
	ctx := timeout(10 * time.Second)
	a.must(hc.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest", Seconds: 1}))
	first := nextOnAir(t, wc, "granted").Until["guest"]
	a.must(hc.Do(ctx, live.Command{Type: live.CmdExtendMic, Username: "guest", Seconds: 1}))
	extended := nextOnAir(t, wc, "extended").Until["guest"]
	if !extended.Equal(first.Add(time.Second)) {
		t.Fatalf("extended until %v, want %v", extended, first.Add(time.Second))
	}
	if err := a.hub.Close(ctx); err != nil {
		t.Fatal(err)
	}

	on := nextOnAir(t, wc, "time_up")
	if now := time.Now(); now.Before(extended) {
		t.Fatalf("the mic was taken back at %v, before its extended limit %v", now, extended)
	}
	if on.Username != "guest" || slices.Contains(on.Speakers, "guest") {
		t.Fatalf("after time_up: %+v", on)
	}
}

// TestPinFromTheRoom: the host pins a question from the room; everyone gets
// it with pinned_at, first in the order; a guest cannot pin.
func TestPinFromTheRoom(t *testing.T) {
	e := newEnv(t)
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	hc, gc := e.dial(host, s.ID), e.dial(guest, s.ID)
	ctx := timeout(10 * time.Second)
	var ids []string
	for _, text := range []string{"첫째", "둘째"} {
		m := e.must(gc.Do(ctx, live.Command{Type: live.CmdAsk, Text: text}))
		var q ask2live.Question
		if err := m.Decode(&struct{ Result *ask2live.Question }{&q}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, q.ID)
	}
	_, err := gc.Do(ctx, live.Command{Type: live.CmdPin, QuestionID: ids[1]})
	wantCode(t, err, ask2live.EForbidden)
	e.must(hc.Do(ctx, live.Command{Type: live.CmdPin, QuestionID: ids[1]}))
	evs := collect(t, gc, 10*time.Second, func(evs []*live.Event) bool {
		if len(evs) == 0 {
			return false
		}
		last := evs[len(evs)-1]
		return last.Question != nil && last.Question.ID == ids[1] && last.Question.PinnedAt != nil
	})
	if pinned := evs[len(evs)-1].Question; pinned.Text != "둘째" {
		t.Fatalf("pinned %+v", pinned)
	}
	qs, err := e.svc.Store.ListQuestions(ctx, s.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if qs[0].ID != ids[1] {
		t.Fatalf("first in the queue: %q, want the pinned one", qs[0].Text)
	}
	e.must(hc.Do(ctx, live.Command{Type: live.CmdUnpin, QuestionID: ids[1]}))
	collect(t, gc, 10*time.Second, func(evs []*live.Event) bool {
		if len(evs) == 0 {
			return false
		}
		last := evs[len(evs)-1]
		return last.Question != nil && last.Question.ID == ids[1] && last.Question.PinnedAt == nil
	})
}
