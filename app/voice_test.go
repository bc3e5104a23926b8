package app

import (
	"context"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/sfu/sfutest"
	"github.com/ask2live/ask2live/store/storetest"
)

// voicePeer is a participant with a Pion peer connection whose signalling
// runs over the live-room socket, as the web app's does.
type voicePeer struct {
	*sfutest.Client
	name     string
	heard    chan string // payloads received, "from:payload"
	speaking chan string // who the server says started speaking
	n        int
}

// also, if given, sees the socket's other messages too (and a "rejoin").
func newVoicePeer(t *testing.T, ctx context.Context, url, sessionID string, c *apiclient.Client, opts sfutest.Options, also ...func(*liveclient.Message)) *voicePeer {
	t.Helper()
	return newVoicePeerWith(t, ctx, url, sessionID, c, liveclient.Options{}, opts, also...)
}

// newVoicePeerWith is newVoicePeer with the socket's options (an HTTP
// client for TLS, an Origin).
func newVoicePeerWith(t *testing.T, ctx context.Context, url, sessionID string, c *apiclient.Client, lo liveclient.Options, opts sfutest.Options, also ...func(*liveclient.Message)) *voicePeer {
	t.Helper()
	lc, err := liveclient.Dial(ctx, url, sessionID, c.Token, lo)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lc.Drop() })
	v := &voicePeer{name: opts.ID, heard: make(chan string, 1024), speaking: make(chan string, 64)}
	opts.OnPacket = func(from string, pkt *rtp.Packet) {
		select {
		case v.heard <- from + ":" + string(pkt.Payload):
		default:
		}
	}
	v.Client, err = sfutest.OverLive(ctx, lc, opts, func(m *liveclient.Message) {
		for _, fn := range also {
			fn(m)
		}
		var sp live.Speaking
		if m.Type == live.MsgSpeaking && m.Decode(&sp) == nil && sp.Speaking {
			select {
			case v.speaking <- sp.Username:
			default:
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

func (v *voicePeer) talk() {
	v.n++
	_ = v.Send(v.n, []byte(fmt.Sprintf("%s#%d", v.name, v.n)), 20)
}

// hears waits until listener receives from speaker, who keeps talking.
func hears(t *testing.T, listener, speaker *voicePeer) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case h := <-listener.heard:
			if strings.HasPrefix(h, speaker.name+":") {
				return
			}
		case <-tick.C:
			speaker.talk()
		case <-deadline:
			t.Fatalf("%s never heard %s", listener.name, speaker.name)
		}
	}
}

// waitPresent waits until the room, as seen by the host's socket lc, has
// username among its participants: in lc's snapshot or a presence event.
func waitPresent(t *testing.T, ctx context.Context, lc *liveclient.Client, username string) {
	t.Helper()
	var snap live.Snapshot
	if err := lc.First.Decode(&snap); err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(snap.Participants, func(u ask2live.UserSummary) bool { return u.Username == username }) {
		return
	}
	for {
		ev, err := lc.NextEvent(ctx)
		if err != nil {
			t.Fatalf("waiting for %s to be in the room: %v", username, err)
		}
		if ev.Type == live.EvPresence && ev.Presence != nil &&
			slices.ContainsFunc(ev.Presence.Joined, func(u ask2live.UserSummary) bool { return u.Username == username }) {
			return
		}
	}
}

// freePort finds a port free for both UDP and TCP on loopback.
func freePort(t *testing.T) string {
	t.Helper()
	for i := 0; i < 20; i++ {
		u, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
		u.Close()
		if err == nil {
			l.Close()
			return fmt.Sprint(port)
		}
	}
	t.Fatal("no free port")
	return ""
}

// liveSession signs a host up on hostURL and a guest on guestURL (nodes of
// one cluster, or the same program) and opens a live session.
func liveSession(t *testing.T, ctx context.Context, hostURL, guestURL, title string) (host, guest *apiclient.Client, sessionID string) {
	t.Helper()
	host = signUp(ctx, t, apiclient.New(hostURL, nil), "host", "호스트")
	guest = signUp(ctx, t, apiclient.New(guestURL, nil), "guest", "손님")
	s, err := host.CreateSession(ctx, ask2live.SessionInput{Title: title, OpenNow: true})
	if err != nil {
		t.Fatal(err)
	}
	return host, guest, s.ID
}

// TestVoiceThroughTheProgram: signalling over the live socket; the host is
// heard by a guest who may only use the embedded TURN server (its
// credentials come with the first offer); a guest granted the mic over the
// live protocol is heard by the host.
func TestVoiceThroughTheProgram(t *testing.T) {
	url, stop := boot(t, "sqlite:"+t.TempDir()+"/a.db", "-turn-port", freePort(t), "-turn-relay-ports", "46000-46999",
		"-turn-allow-loopback")
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	hostC, guestC, sessionID := liveSession(t, ctx, url, url, "목소리")
	host := newVoicePeer(t, ctx, url, sessionID, hostC, sfutest.Options{ID: "host", Mic: true})
	guest := newVoicePeer(t, ctx, url, sessionID, guestC, sfutest.Options{ID: "guest", Mic: true, Relay: true})
	hears(t, guest, host)

	// A separate socket for the host's commands (the first one's messages
	// are read by its signalling loop).
	cmd, err := liveclient.Dial(ctx, url, sessionID, hostC.Token, liveclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cmd.Drop()
	if _, err := cmd.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest"}); err != nil {
		t.Fatal(err)
	}
	hears(t, host, guest)
}

// TestVoiceAcrossNodes: two nodes sharing the database and Redis. The host
// is connected to the first, the guest to the second; the room's audio is
// hosted by the first node (where voice was first joined) and the guest's
// signalling is relayed there. Each hears the other after the grant, and
// the guest's node shows who is speaking.
func TestVoiceAcrossNodes(t *testing.T) {
	flags := cluster(t)
	dbURL := "sqlite:" + t.TempDir() + "/shared.db"
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbURL = storetest.URL(t, "postgres")
	}
	url1, stop1 := boot(t, dbURL, flags...)
	defer stop1()
	url2, stop2 := boot(t, dbURL, flags...)
	defer stop2()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	hostC, guestC, sessionID := liveSession(t, ctx, url1, url2, "두 노드")
	host := newVoicePeer(t, ctx, url1, sessionID, hostC, sfutest.Options{ID: "host", Mic: true})
	select {
	case <-host.Up():
	case <-ctx.Done():
		t.Fatal("the host's audio did not connect")
	}
	guest := newVoicePeer(t, ctx, url2, sessionID, guestC, sfutest.Options{ID: "guest", Mic: true})
	hears(t, guest, host)

	cmd, err := liveclient.Dial(ctx, url1, sessionID, hostC.Token, liveclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cmd.Drop()
	// The first node learns that the guest is in the room from the
	// presence events of the second.
	waitPresent(t, ctx, cmd, "guest")
	if _, err := cmd.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest"}); err != nil {
		t.Fatal(err)
	}
	hears(t, host, guest)
	// The guest keeps talking loudly: the speaking indicator, made on the
	// first node, reaches the guest's socket on the second. The host has
	// talked too, so an indicator for the host may come first; that one is
	// right and not what this waits for.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case who := <-guest.speaking:
			if who == "guest" {
				return
			}
		case <-tick.C:
			guest.talk()
		case <-ctx.Done():
			t.Fatal("no speaking indicator reached the second node")
		}
	}
}
