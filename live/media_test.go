package live_test

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// recordingMedia is an audio server that only records what the rooms ask
// of it: each join is a numbered connection, and each connection says when
// it is told to leave.
type recordingMedia struct {
	mu    sync.Mutex
	joins int
	left  chan string
	onAir chan string // "user=true|false" for each SetOnAir, when set
}

func (m *recordingMedia) Join(roomID, peerID string, send func(json.RawMessage), _ func(error)) (live.MediaPeer, error) {
	m.mu.Lock()
	m.joins++
	name := fmt.Sprintf("%s#%d", peerID, m.joins)
	m.mu.Unlock()
	send(json.RawMessage(`{"type":"offer","sdp":"v=0"}`))
	return &recordingPeer{name: name, left: m.left}, nil
}

func (m *recordingMedia) SetOnAir(_, peer string, on bool) {
	if m.onAir != nil {
		m.onAir <- fmt.Sprintf("%s=%v", peer, on)
	}
}
func (m *recordingMedia) CloseRoom(string) {}

type recordingPeer struct {
	name string
	left chan string
}

func (p *recordingPeer) Signal(json.RawMessage) error { return nil }
func (p *recordingPeer) Leave()                       { p.left <- p.name }

// joinAudio sends the rtc join and waits for the offer.
func joinAudio(t *testing.T, c *liveclient.Client) {
	t.Helper()
	ctx := timeout(5 * time.Second)
	if _, err := c.Send(ctx, live.Command{Type: live.CmdRTC, Signal: json.RawMessage(`{"type":"join"}`)}); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := c.Next(ctx)
		if err != nil {
			t.Fatalf("no offer after join: %v", err)
		}
		if m.Type == live.MsgRTC {
			return
		}
	}
}

// TestOldSocketLeavesOnlyItsOwnAudio: a client that reconnects joins the
// audio on its new socket while the server still holds the old one; when
// the old socket goes, only the old audio connection may go with it.
func TestOldSocketLeavesOnlyItsOwnAudio(t *testing.T) {
	media := &recordingMedia{left: make(chan string, 8)}
	e := newEnvWithMedia(t, media)
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)

	old := e.dial(guest, s.ID)
	joinAudio(t, old)
	fresh := e.dial(guest, s.ID)
	joinAudio(t, fresh)

	old.Drop()
	select {
	case name := <-media.left:
		if name != "guest#1" {
			t.Fatalf("the old socket closed %s, want guest#1", name)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the old socket's audio connection was not closed")
	}

	// The new socket's audio is still there until its socket goes.
	fresh.Drop()
	select {
	case name := <-media.left:
		if name != "guest#2" {
			t.Fatalf("the new socket closed %s, want guest#2", name)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the new socket's audio connection was not closed")
	}
}

// TestSpeakingKeepsItsOrder: the media server reports talking on and off
// faster than the room sends; whatever the room merges, the last state a
// client sees for each person is the last one reported, never an older one
// arriving late.
func TestSpeakingKeepsItsOrder(t *testing.T) {
	e := newEnv(t)
	host := e.user("host")
	s := e.liveSession(host)
	c := e.dial(host, s.ID)

	const changes = 2000
	for i := range changes {
		e.hub.Speaking(s.ID, "host", i%2 == 0)  // ends with false
		e.hub.Speaking(s.ID, "guest", i%2 == 1) // ends with true
	}
	// Reported after everything else: when it arrives, the others' last
	// states have arrived too.
	e.hub.Speaking(s.ID, "zz-last", true)

	last := map[string]bool{}
	got := 0
	ctx := timeout(10 * time.Second)
	for {
		m, err := c.Next(ctx)
		if err != nil {
			t.Fatalf("after %d speaking messages: %v", got, err)
		}
		if m.Type != live.MsgSpeaking {
			continue
		}
		var sp live.Speaking
		if err := json.Unmarshal(m.Raw, &sp); err != nil {
			t.Fatal(err)
		}
		got++
		last[sp.Username] = sp.Speaking
		if sp.Username == "zz-last" {
			break
		}
	}
	if last["host"] != false || last["guest"] != true {
		t.Fatalf("last states: host %v, guest %v; want false, true", last["host"], last["guest"])
	}
	if got > 2*changes+1 {
		t.Fatalf("%d speaking messages for %d changes", got, 2*changes+1)
	}
	t.Logf("%d changes reached the client as %d messages", 2*changes+1, got)
}

// TestEndedSessionsLeaveNothingInTheBus: a single node's in-memory bus lets
// go of a session's sequence, stage and presence once it ends, so a node
// that runs for months keeps nothing per past session.
func TestEndedSessionsLeaveNothingInTheBus(t *testing.T) {
	e := newEnv(t)
	host, guest := e.user("host"), e.user("guest")
	for range 3 {
		s := e.liveSession(host)
		hc := e.dial(host, s.ID)
		e.dial(guest, s.ID)
		ctx := timeout(10 * time.Second)
		e.must(hc.Do(ctx, live.Command{Type: live.CmdMute, Muted: ptr(true)})) // a stage value too
		topic := "room:" + s.ID
		if !e.bus.HasTopic(topic) {
			t.Fatalf("the bus has nothing for %s while it is live", topic)
		}
		done := e.hub.RoomDone(s.ID)
		if _, err := e.svc.End(ctx, host.user, s.ID); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-ctx.Done():
			t.Fatal("the room did not stop after the session ended")
		}
		if e.bus.HasTopic(topic) {
			t.Fatalf("the bus still keeps %s after the session ended", topic)
		}
	}
}
