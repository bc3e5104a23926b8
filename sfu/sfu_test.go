package sfu

import (
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

func newServer(t *testing.T, speaking SpeakingFunc) *Server {
	t.Helper()
	s, err := New(Config{ListenIP: "127.0.0.1"}, slog.New(slog.NewTextHandler(io.Discard, nil)), speaking)
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

// client is a real Pion peer acting as a participant.
type client struct {
	t       *testing.T
	id      string
	pc      *webrtc.PeerConnection
	peer    *Peer
	signals chan Signal
	got     chan received
	mic     *webrtc.TrackLocalStaticRTP
	levelID uint8
	next    int // number of the next packet this client sends
	mu      sync.Mutex
	done    chan struct{}
	wg      sync.WaitGroup
}

func clientAPI(t *testing.T) *webrtc.API {
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: opus, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.AudioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	return webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se))
}

// join connects a participant; with mic it attaches a microphone track to
// the slot the server offers (which only counts once it is on air).
func join(t *testing.T, s *Server, room, id string, mic bool) *client {
	t.Helper()
	pc, err := clientAPI(t).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, id: id, pc: pc, signals: make(chan Signal, 64), got: make(chan received, 4096), done: make(chan struct{})}
	if mic {
		c.mic, err = webrtc.NewTrackLocalStaticRTP(opus, "mic", id)
		if err != nil {
			t.Fatal(err)
		}
	}
	connected := make(chan struct{})
	var once sync.Once
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(connected) })
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			select {
			case c.got <- received{from: tr.StreamID(), payload: string(pkt.Payload)}:
			default:
			}
		}
	})
	c.peer, err = s.Join(room, id, func(sig Signal) { c.signals <- sig })
	if err != nil {
		t.Fatal(err)
	}
	pc.OnICECandidate(func(ic *webrtc.ICECandidate) {
		if ic != nil {
			init := ic.ToJSON()
			if err := c.peer.Signal(Signal{Type: "candidate", Candidate: &init}); err != nil {
				t.Errorf("%s: candidate: %v", id, err)
			}
		}
	})
	c.wg.Add(1)
	go c.answerLoop()
	t.Cleanup(c.close)
	select {
	case <-connected:
	case <-time.After(15 * time.Second):
		t.Fatalf("%s did not connect", id)
	}
	return c
}

func (c *client) answerLoop() {
	defer c.wg.Done()
	attached := false
	for {
		var sig Signal
		select {
		case sig = <-c.signals:
		case <-c.done:
			return
		}
		switch sig.Type {
		case "offer":
			if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sig.SDP}); err != nil {
				c.t.Errorf("%s: offer: %v", c.id, err)
				return
			}
			if c.mic != nil && !attached {
				sender, err := c.pc.AddTrack(c.mic)
				if err != nil {
					c.t.Errorf("%s: attaching the mic: %v", c.id, err)
					return
				}
				attached = true
				go func() {
					buf := make([]byte, 1500)
					for {
						if _, _, err := sender.Read(buf); err != nil {
							return
						}
					}
				}()
			}
			answer, err := c.pc.CreateAnswer(nil)
			if err == nil {
				err = c.pc.SetLocalDescription(answer)
			}
			if err == nil {
				err = c.peer.Signal(Signal{Type: "answer", SDP: answer.SDP})
			}
			if err != nil {
				c.t.Errorf("%s: answering: %v", c.id, err)
				return
			}
			if c.mic != nil {
				for _, tr := range c.pc.GetTransceivers() {
					if tr.Sender() != nil && tr.Sender().Track() == c.mic {
						for _, ext := range tr.Sender().GetParameters().HeaderExtensions {
							if ext.URI == sdp.AudioLevelURI {
								c.mu.Lock()
								c.levelID = uint8(ext.ID)
								c.mu.Unlock()
							}
						}
					}
				}
			}
		case "candidate":
			if err := c.pc.AddICECandidate(*sig.Candidate); err != nil {
				c.t.Errorf("%s: candidate: %v", c.id, err)
			}
		}
	}
}

// talk sends the next packet at a loud level and returns its number.
func (c *client) talk() int {
	c.mu.Lock()
	n := c.next
	c.next++
	c.mu.Unlock()
	c.say(n, 20)
	return n
}

// mark is the number the next packet will carry.
func (c *client) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.next
}

// say sends one packet with a recognisable payload and an audio level.
func (c *client) say(n int, level uint8) {
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(n), Timestamp: uint32(n * 960)},
		Payload: []byte(fmt.Sprintf("%s#%d", c.id, n))}
	c.mu.Lock()
	id := c.levelID
	c.mu.Unlock()
	if id != 0 {
		raw, _ := rtp.AudioLevelExtension{Level: level, Voice: level < 127}.Marshal()
		pkt.Header.SetExtension(id, raw)
	}
	if err := c.mic.WriteRTP(pkt); err != nil {
		c.t.Errorf("%s: send: %v", c.id, err)
	}
}

func (c *client) close() {
	select {
	case <-c.done:
	default:
		close(c.done)
	}
	c.pc.Close()
	c.wg.Wait()
}

// heard reads c's packets, while from keeps talking, until a packet of
// from numbered at least n arrives; it returns everything read meanwhile.
func (c *client) heard(t *testing.T, from *client, n int) []received {
	t.Helper()
	var seen []received
	deadline := time.After(15 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	prefix := from.id + "#"
	for {
		select {
		case r := <-c.got:
			seen = append(seen, r)
			var k int
			if r.from == from.id && strings.HasPrefix(r.payload, prefix) {
				fmt.Sscanf(r.payload[len(prefix):], "%d", &k)
				if k >= n {
					return seen
				}
			}
		case <-tick.C:
			from.talk() // RTP is lossy: keep talking until one lands
		case <-deadline:
			t.Fatalf("%s never heard %s#%d (read %d packets: %v)", c.id, from.id, n, len(seen), froms(seen))
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
		guest.talk()
	}
	hostMark := host.mark()
	for _, l := range listeners {
		if f := froms(l.heard(t, host, hostMark)); f["guest"] > 0 {
			t.Fatalf("%s received %d packets from a guest who is not on air", l.id, f["guest"])
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
		guest.talk()
	}
	hostMark = host.mark()
	for _, l := range listeners {
		for _, r := range l.heard(t, host, hostMark) {
			if r.from == "guest" && number(r) >= revoked {
				t.Fatalf("%s heard the guest after the revoke: %s", l.id, r.payload)
			}
		}
	}

	// 5. Nobody ever received their own audio.
	for _, c := range everyone {
		for {
			select {
			case r := <-c.got:
				if r.from == c.id {
					t.Fatalf("%s received its own audio", c.id)
				}
				continue
			default:
			}
			break
		}
	}
}

// TestSpeakingDetector: loud then quiet levels give speaking then stopped,
// once each, by the RTP clock.
func TestSpeakingDetector(t *testing.T) {
	var events []bool
	d := newDetector(Config{SpeakingLevel: 50, SpeakingAttack: 40 * time.Millisecond, SpeakingHold: 400 * time.Millisecond},
		func(on bool) { events = append(events, on) })
	ts := uint32(0)
	step := func(level uint8, packets int) {
		for i := 0; i < packets; i++ {
			d.observe(level, ts)
			ts += 960 // 20 ms at 48 kHz
		}
	}
	step(100, 10) // silence
	step(30, 1)   // a click: shorter than the attack
	step(100, 5)
	if len(events) != 0 {
		t.Fatalf("a 20 ms click started speaking: %v", events)
	}
	step(30, 10)  // 200 ms of speech
	step(100, 10) // a 200 ms pause: within the hold
	step(40, 5)
	if len(events) != 1 || !events[0] {
		t.Fatalf("after speech with a short pause: %v, want [true]", events)
	}
	step(100, 25) // 500 ms of quiet: past the hold
	if len(events) != 2 || events[1] {
		t.Fatalf("after a long pause: %v, want [true false]", events)
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
		host.mu.Lock()
		n := host.next
		host.next++
		host.mu.Unlock()
		host.say(n, 127)
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
	host := join(t, s, "r", "host", true)
	_ = host
	settle := func() int { runtime.GC(); return runtime.NumGoroutine() }
	before := settle()
	for i := 0; i < 200; i++ {
		c := join(t, s, "r", "visitor", false)
		s.Leave("r", "visitor")
		c.close()
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
