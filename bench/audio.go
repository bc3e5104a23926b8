package bench

import (
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/rtp"

	"github.com/ask2live/ask2live/sfu"
	"github.com/ask2live/ask2live/sfu/sfutest"
)

// AudioConfig configures the audio scenario.
type AudioConfig struct {
	Speakers  int
	Listeners int
	Duration  time.Duration
}

// joinAudio connects a Pion participant whose signalling is a direct call
// into the audio server (the live socket adds nothing to forwarding).
func joinAudio(srv *sfu.Server, id string, speaker bool, onPacket func(string, *rtp.Packet)) (*sfutest.Client, error) {
	var peer *sfu.Peer
	ready := make(chan struct{})
	c, err := sfutest.New(sfutest.Options{ID: id, Mic: speaker, OnPacket: onPacket}, func(sig sfu.Signal) error {
		<-ready // the first offer goes out before Join returns
		return peer.Signal(sig)
	})
	if err != nil {
		return nil, err
	}
	peer, err = srv.Join("bench", id, c.Handle)
	close(ready)
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
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
	onPacket := func(_ string, pkt *rtp.Packet) {
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
	var peers []*sfutest.Client
	defer func() {
		for _, p := range peers {
			p.Close()
		}
	}()
	var speakers []*sfutest.Client
	// Each speaker goes on air as it joins, while the ones before are
	// still connecting.
	for i := 0; i < cfg.Speakers; i++ {
		id := fmt.Sprintf("speaker%d", i)
		srv.SetOnAir("bench", id, true)
		p, err := joinAudio(srv, id, true, onPacket)
		if err != nil {
			return err
		}
		peers = append(peers, p)
		speakers = append(speakers, p)
	}
	t0 := time.Now()
	for i := 0; i < cfg.Listeners; i++ {
		p, err := joinAudio(srv, fmt.Sprintf("listener%d", i), false, onPacket)
		if err != nil {
			return err
		}
		peers = append(peers, p)
	}
	for i, p := range peers {
		select {
		case <-p.Up():
		case <-time.After(60 * time.Second):
			return fmt.Errorf("peer %d did not connect (signalling error: %v)", i, p.Err())
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
					err := sp.Send(n, payload, 30)
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
