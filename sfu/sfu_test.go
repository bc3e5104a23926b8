package sfu_test

import (
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/ask2live/ask2live/sfu"
	"github.com/ask2live/ask2live/sfu/sfutest"
)

func newServer(t *testing.T, speaking sfu.SpeakingFunc) *sfu.Server {
	t.Helper()
	s, err := sfu.New(sfu.Config{ListenIP: "127.0.0.1"}, slog.New(slog.NewTextHandler(io.Discard, nil)), speaking)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// received is one packet a client got, with who published it.
type received struct {
	from    string
	payload string
}

// client is a participant whose signalling is a direct call into the
// server, with numbered packets ("id#n") to recognise what arrives.
type client struct {
	*sfutest.Client
	peer *sfu.Peer // the server's side of this connection
	got  chan received
	mu   sync.Mutex
	next int // number of the next packet this client sends
}

// start connects a participant without waiting for the connection; with
// mic it publishes a microphone track (which only counts once on air).
func start(t *testing.T, s *sfu.Server, room, id string, mic bool) *client {
	t.Helper()
	return startWith(t, s, room, sfutest.Options{ID: id, Mic: mic})
}

// startRelayed connects a participant that may use only TURN candidates.
func startRelayed(t *testing.T, s *sfu.Server, room, id string) *client {
	t.Helper()
	return startWith(t, s, room, sfutest.Options{ID: id, Relay: true})
}

func startWith(t *testing.T, s *sfu.Server, room string, opts sfutest.Options) *client {
	t.Helper()
	c := &client{got: make(chan received, 4096)}
	var peer *sfu.Peer
	ready := make(chan struct{})
	var err error
	opts.OnPacket = func(from string, pkt *rtp.Packet) {
		select {
		case c.got <- received{from: from, payload: string(pkt.Payload)}:
		default:
		}
	}
	c.Client, err = sfutest.New(opts, func(sig sfu.Signal) error {
		<-ready // the first offer goes out before Join returns
		return peer.Signal(sig)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	peer, err = s.Join(room, opts.ID, c.Handle)
	c.peer = peer
	close(ready)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// join connects a participant and waits until the connection is up.
func join(t *testing.T, s *sfu.Server, room, id string, mic bool) *client {
	t.Helper()
	c := start(t, s, room, id, mic)
	c.waitUp(t)
	return c
}

func (c *client) waitUp(t *testing.T) {
	t.Helper()
	select {
	case <-c.Up():
	case <-time.After(15 * time.Second):
		t.Fatalf("%s did not connect (signalling error: %v)", c.ID, c.Err())
	}
}

// talk sends the next packet at a loud level and returns its number.
func (c *client) talk(t *testing.T) int { return c.say(t, 20) }

// say sends the next packet at an audio level and returns its number.
func (c *client) say(t *testing.T, level uint8) int {
	c.mu.Lock()
	n := c.next
	c.next++
	c.mu.Unlock()
	if err := c.Send(n, []byte(fmt.Sprintf("%s#%d", c.ID, n)), level); err != nil {
		t.Errorf("%s: send: %v", c.ID, err)
	}
	return n
}

// mark is the number the next packet will carry.
func (c *client) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next
}

// heard reads c's packets, while from keeps talking, until a packet of
// from numbered at least n arrives; it returns everything read meanwhile.
func (c *client) heard(t *testing.T, from *client, n int) []received {
	t.Helper()
	var seen []received
	deadline := time.After(15 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	prefix := from.ID + "#"
	for {
		select {
		case r := <-c.got:
			seen = append(seen, r)
			if r.from == from.ID && strings.HasPrefix(r.payload, prefix) && number(r) >= n {
				return seen
			}
		case <-tick.C:
			from.talk(t) // RTP is lossy: keep talking until one lands
		case <-deadline:
			t.Fatalf("%s never heard %s#%d (read %d packets: %v)", c.ID, from.ID, n, len(seen), froms(seen))
		}
	}
}

// number returns the packet number in a payload "id#n".
func number(r received) int {
	_, num, _ := strings.Cut(r.payload, "#")
	var k int
	fmt.Sscanf(num, "%d", &k)
	return k
}

func froms(rs []received) map[string]int {
	m := map[string]int{}
	for _, r := range rs {
		m[r.from]++
	}
	return m
}

// TestForwardingFollowsTheStage: the host's audio reaches every listener;
// a guest without a grant reaches nobody; after the grant everyone but the
// guest hears the guest; after revoke it stops; nobody hears themselves.
func TestForwardingFollowsTheStage(t *testing.T) {
	s := newServer(t, nil)
	s.SetOnAir("r", "host", true)
	host := join(t, s, "r", "host", true)
	guest := join(t, s, "r", "guest", true)
	var listeners []*client
	for i := 0; i < 3; i++ {
		listeners = append(listeners, join(t, s, "r", fmt.Sprintf("listener%d", i), false))
	}
	everyone := append([]*client{host, guest}, listeners...)

	// 1. The host is heard by everyone else, payloads intact.
	for _, l := range append([]*client{guest}, listeners...) {
		seen := l.heard(t, host, 0)
		for _, r := range seen {
			if r.from == "host" && r.payload != fmt.Sprintf("host#%d", number(r)) {
				t.Fatalf("payload changed on the way: %q", r.payload)
			}
		}
	}

	// 2. The guest talks without a grant: nobody receives it.
	for i := 0; i < 50; i++ {
		guest.talk(t)
	}
	hostMark := host.mark()
	for _, l := range listeners {
		if f := froms(l.heard(t, host, hostMark)); f["guest"] > 0 {
			t.Fatalf("%s received %d packets from a guest who is not on air", l.ID, f["guest"])
		}
	}

	// 3. Granted: everyone but the guest hears the guest.
	s.SetOnAir("r", "guest", true)
	granted := guest.mark()
	for _, l := range append([]*client{host}, listeners...) {
		l.heard(t, guest, granted)
	}

	// 4. Revoked: from the next packet, nobody hears the guest.
	s.SetOnAir("r", "guest", false)
	revoked := guest.mark()
	for i := 0; i < 50; i++ {
		guest.talk(t)
	}
	hostMark = host.mark()
	for _, l := range listeners {
		for _, r := range l.heard(t, host, hostMark) {
			if r.from == "guest" && number(r) >= revoked {
				t.Fatalf("%s heard the guest after the revoke: %s", l.ID, r.payload)
			}
		}
	}

	// 5. Nobody ever received their own audio.
	for _, c := range everyone {
		for {
			select {
			case r := <-c.got:
				if r.from == c.ID {
					t.Fatalf("%s received its own audio", c.ID)
				}
				continue
			default:
			}
			break
		}
	}
}

// TestGrantDuringFirstNegotiation: people put on air while others are
// still connecting (their first offer out or just answered) are heard by
// everyone once the connections are up. The second track waits for the
// first connection: a client offered again before its transports start may
// restart ICE, which would leave it unconnected.
func TestGrantDuringFirstNegotiation(t *testing.T) {
	s := newServer(t, nil)
	var speakers []*client
	for i := 0; i < 3; i++ {
		id := fmt.Sprintf("speaker%d", i)
		s.SetOnAir("r", id, true)
		speakers = append(speakers, start(t, s, "r", id, true))
	}
	listener := start(t, s, "r", "listener", false)
	for _, c := range append(speakers, listener) {
		c.waitUp(t)
	}
	for _, sp := range speakers {
		for _, l := range append(speakers, listener) {
			if l != sp {
				l.heard(t, sp, 0)
			}
		}
	}
}

// TestSpeakingEventsFromRTP: the audio-level extension of a real stream
// drives the events.
func TestSpeakingEventsFromRTP(t *testing.T) {
	events := make(chan string, 16)
	s := newServer(t, func(room, peer string, on bool) { events <- fmt.Sprintf("%s/%s:%v", room, peer, on) })
	s.SetOnAir("r", "host", true)
	host := join(t, s, "r", "host", true)
	listener := join(t, s, "r", "listener", false)
	listener.heard(t, host, 20) // host.talk sends loud packets
	for i := 0; i < 40; i++ {
		host.say(t, 127)
	}
	want := []string{"r/host:true", "r/host:false"}
	for _, w := range want {
		select {
		case got := <-events:
			if got != w {
				t.Fatalf("event %q, want %q", got, w)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no %q event", w)
		}
	}
}

// TestJoinLeaveSoak: 200 join/leave cycles leave no peer connection and no
// goroutines behind.
func TestJoinLeaveSoak(t *testing.T) {
	s := newServer(t, nil)
	s.SetOnAir("r", "host", true)
	join(t, s, "r", "host", true)
	settle := func() int { runtime.GC(); return runtime.NumGoroutine() }
	before := settle()
	for i := 0; i < 200; i++ {
		c := join(t, s, "r", "visitor", false)
		s.Leave("r", "visitor")
		c.Close()
	}
	if n := s.PeerCount("r"); n != 1 {
		t.Fatalf("%d peers left in the room, want only the host", n)
	}
	deadline := time.Now().Add(20 * time.Second)
	after := settle()
	for after > before+10 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond) // Pion stops its goroutines asynchronously
		after = settle()
	}
	if after > before+10 {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Fatalf("goroutines: %d before, %d after 200 cycles\n%s", before, after, buf[:n])
	}
}

// TestTwoConnectionsOfOneParticipant: a guest on air opens a second tab.
// Both tabs hear the host and neither hears the guest; the host hears the
// newest tab only; when that tab closes, the first speaks again.
func TestTwoConnectionsOfOneParticipant(t *testing.T) {
	s := newServer(t, nil)
	s.SetOnAir("r", "host", true)
	s.SetOnAir("r", "guest", true)
	host := join(t, s, "r", "host", true)
	first := join(t, s, "r", "guest", true)
	host.heard(t, first, 0)
	second := join(t, s, "r", "guest", true)
	if n := s.PeerCount("r"); n != 3 {
		t.Fatalf("%d connections, want 3", n)
	}
	for _, tab := range []*client{first, second} {
		for _, r := range tab.heard(t, host, host.mark()) {
			if r.from == "guest" {
				t.Fatalf("a tab of the guest received the guest's own audio: %s", r.payload)
			}
		}
	}
	// Only the newest tab is forwarded: the first tab's packets carry
	// numbers from 1,000,000 on so they can be told apart.
	first.mu.Lock()
	first.next = 1_000_000
	first.mu.Unlock()
	for i := 0; i < 30; i++ {
		first.talk(t)
	}
	for _, r := range host.heard(t, second, second.mark()) {
		if r.from == "guest" && number(r) >= 1_000_000 {
			t.Fatalf("the host heard the guest's older tab: %s", r.payload)
		}
	}
	// The newest tab closes: the first one speaks for the guest again.
	second.peer.Leave()
	if n := s.PeerCount("r"); n != 2 {
		t.Fatalf("%d connections after one tab left, want 2", n)
	}
	host.heard(t, first, first.mark())
}

// TestSpeakingStopsWhenPacketsStop: a speaker whose packets stop arriving
// (a frozen tab, a network that dropped) is no longer shown speaking once
// the hold time passes, though the connection has not failed yet.
func TestSpeakingStopsWhenPacketsStop(t *testing.T) {
	events := make(chan string, 16)
	s := newServer(t, func(room, peer string, on bool) { events <- fmt.Sprintf("%s:%v", peer, on) })
	s.SetOnAir("r", "host", true)
	host := join(t, s, "r", "host", true)
	listener := join(t, s, "r", "listener", false)
	listener.heard(t, host, 20) // loud packets, for more than the attack time
	select {
	case got := <-events:
		if got != "host:true" {
			t.Fatalf("event %q, want host:true", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the host was never shown speaking")
	}
	// Nothing more is sent; the connection stays up.
	select {
	case got := <-events:
		if got != "host:false" {
			t.Fatalf("event %q, want host:false", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the host is still shown speaking 10 s after the last packet")
	}
}
