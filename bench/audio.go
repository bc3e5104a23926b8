package bench

import (
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/ask2live/ask2live/sfu"
)

// AudioConfig configures the audio scenario.
type AudioConfig struct {
	Speakers  int
	Listeners int
	Duration  time.Duration
}

var benchOpus = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}

// audioPeer is a Pion participant whose signalling is a direct call into the
// audio server (the live socket adds nothing to forwarding).
type audioPeer struct {
	pc   *webrtc.PeerConnection
	peer *sfu.Peer
	mic  *webrtc.TrackLocalStaticRTP
	sigs chan sfu.Signal
	up   chan struct{}
}

func newAudioPeer(srv *sfu.Server, id string, speaker bool, onPacket func(*rtp.Packet)) (*audioPeer, error) {
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: benchOpus, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetInterfaceFilter(func(n string) bool { return n == "lo" })
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	p := &audioPeer{pc: pc, sigs: make(chan sfu.Signal, 64), up: make(chan struct{})}
	if speaker {
		p.mic, _ = webrtc.NewTrackLocalStaticRTP(benchOpus, "mic", id)
	}
	var once sync.Once
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(p.up) })
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			onPacket(pkt)
		}
	})
	p.peer, err = srv.Join("bench", id, func(s sfu.Signal) { p.sigs <- s })
	if err != nil {
		pc.Close()
		return nil, err
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			init := c.ToJSON()
			_ = p.peer.Signal(sfu.Signal{Type: "candidate", Candidate: &init})
		}
	})
	go func() {
		attached := false
		for s := range p.sigs {
			switch s.Type {
			case "offer":
				if pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: s.SDP}) != nil {
					return
				}
				if p.mic != nil && !attached {
					if _, err := pc.AddTrack(p.mic); err != nil {
						return
					}
					attached = true
				}
				ans, err := pc.CreateAnswer(nil)
				if err != nil || pc.SetLocalDescription(ans) != nil {
					return
				}
				if err := p.peer.Signal(sfu.Signal{Type: "answer", SDP: ans.SDP}); err != nil {
					fmt.Fprintln(os.Stderr, "answer:", err)
				}
			case "candidate":
				_ = pc.AddICECandidate(*s.Candidate)
			}
		}
	}()
	return p, nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// RunAudio starts an audio server on loopback, puts Speakers on air, joins
// Listeners, and has every speaker send 50 packets a second with a send
// time in the payload. It reports loss and forwarding latency as every
// listener sees them, and the CPU the whole process used (server and
// simulated clients share it).
func RunAudio(cfg AudioConfig, out io.Writer) error {
	srv, err := sfu.New(sfu.Config{ListenIP: "127.0.0.1"}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(out, "audio: %d speaker(s) → %d listeners for %s, 50 packets/s each, loopback\n", cfg.Speakers, cfg.Listeners, cfg.Duration)

	latency := NewStats("forwarding")
	var received atomic.Int64
	var measuring atomic.Bool
	var windowStart atomic.Int64 // packets sent before it belong to the warm-up
	onPacket := func(pkt *rtp.Packet) {
		if !measuring.Load() || len(pkt.Payload) < 8 {
			return
		}
		sent := int64(binary.BigEndian.Uint64(pkt.Payload))
		if sent < windowStart.Load() {
			return
		}
		latency.Record(time.Duration(time.Now().UnixNano()-sent), nil)
		received.Add(1)
	}
	var peers []*audioPeer
	defer func() {
		for _, p := range peers {
			p.pc.Close()
		}
	}()
	var speakers []*audioPeer
	// Every speaker is on air before anyone joins: see the note in
	// docs/PERFORMANCE.md on granting during a first negotiation.
	for i := 0; i < cfg.Speakers; i++ {
		srv.SetOnAir("bench", fmt.Sprintf("speaker%d", i), true)
	}
	for i := 0; i < cfg.Speakers; i++ {
		id := fmt.Sprintf("speaker%d", i)
		p, err := newAudioPeer(srv, id, true, onPacket)
		if err != nil {
			return err
		}
		peers = append(peers, p)
		speakers = append(speakers, p)
	}
	t0 := time.Now()
	for i := 0; i < cfg.Listeners; i++ {
		p, err := newAudioPeer(srv, fmt.Sprintf("listener%d", i), false, onPacket)
		if err != nil {
			return err
		}
		peers = append(peers, p)
	}
	for i, p := range peers {
		select {
		case <-p.up:
		case <-time.After(60 * time.Second):
			return fmt.Errorf("peer %d did not connect", i)
		}
	}
	fmt.Fprintf(out, "%d peers connected in %s\n", len(peers), time.Since(t0).Round(time.Millisecond))

	// Warm up so every track is flowing, then measure. Sequence numbers go
	// on from one phase to the next: SRTP drops repeated ones as replays.
	seqs := make([]int, len(speakers))
	send := func(stop <-chan struct{}, sent *atomic.Int64) {
		var wg sync.WaitGroup
		for si, sp := range speakers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tick := time.NewTicker(20 * time.Millisecond)
				defer tick.Stop()
				payload := make([]byte, 120) // a typical 20 ms Opus frame
				for ; ; seqs[si]++ {
					n := seqs[si]
					select {
					case <-stop:
						return
					case <-tick.C:
					}
					binary.BigEndian.PutUint64(payload, uint64(time.Now().UnixNano()))
					err := sp.mic.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111,
						SequenceNumber: uint16(n), Timestamp: uint32(n * 960), SSRC: uint32(si + 1)}, Payload: payload})
					if err == nil && sent != nil && measuring.Load() {
						sent.Add(1)
					}
				}
			}()
		}
		wg.Wait()
	}
	warm := make(chan struct{})
	go func() { time.Sleep(2 * time.Second); close(warm) }()
	send(warm, nil)

	var sent atomic.Int64
	stop := make(chan struct{})
	cpu0, wall0 := cpuTime(), time.Now()
	windowStart.Store(wall0.UnixNano())
	measuring.Store(true)
	go func() { time.Sleep(cfg.Duration); close(stop) }()
	send(stop, &sent)
	time.Sleep(200 * time.Millisecond) // the last packets in flight
	measuring.Store(false)
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)

	// Each packet should reach every peer but its speaker.
	expected := sent.Load() * int64(len(peers)-1)
	got := received.Load()
	loss := 0.0
	if expected > 0 {
		loss = 100 * float64(expected-got) / float64(expected)
	}
	fmt.Fprintf(out, "sent %d packets, expected %d deliveries, received %d: loss %.3f%%\n", sent.Load(), expected, got, loss)
	fmt.Fprintf(out, "process CPU %.2f cores (server and %d simulated peers together)\n", cpu.Seconds()/wall.Seconds(), len(peers))
	err = Report(out, wall, latency.Summarize(wall))
	if loss >= 1 {
		return fmt.Errorf("packet loss %.2f%% is over 1%%", loss)
	}
	return err
}
