package bench

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pion/rtp"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/sfu"
	"github.com/ask2live/ask2live/sfu/sfutest"
)

// AudioConfig configures the audio scenario.
type AudioConfig struct {
	// URL of a running server: participants sign up there and signal over
	// its live socket, and the server's CPU is read from its /metrics.
	// Empty runs the audio server inside the benchmark process instead.
	URL       string
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

// RunAudio puts Speakers on air and joins Listeners, either through a
// running server (cfg.URL) or through an audio server in this process, and
// has every speaker send 50 packets a second with a send time in the
// payload. It reports loss and forwarding latency as every listener sees
// them, and the CPU used: the server's and the load generator's apart when
// the server runs on its own.
func RunAudio(ctx context.Context, cfg AudioConfig, out io.Writer) error {
	where := "an audio server in this process"
	if cfg.URL != "" {
		where = cfg.URL
	}
	fmt.Fprintf(out, "audio: %d speaker(s) → %d listeners for %s, 50 packets/s each, through %s\n",
		cfg.Speakers, cfg.Listeners, cfg.Duration, where)
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
	t0 := time.Now()
	var speakers, peers []*sfutest.Client
	var err error
	if cfg.URL != "" {
		var drop func()
		speakers, peers, drop, err = joinRemote(ctx, cfg, onPacket)
		defer drop()
	} else {
		var srv *sfu.Server
		srv, err = sfu.New(sfu.Config{ListenIP: "127.0.0.1"}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		if err != nil {
			return err
		}
		defer srv.Close()
		speakers, peers, err = joinLocal(srv, cfg, onPacket)
	}
	defer func() {
		for _, p := range peers {
			p.Close()
		}
	}()
	if err != nil {
		return err
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
	var meter *Meter
	if cfg.URL != "" {
		meter = StartMeter(cfg.URL)
	}
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
	if cfg.URL != "" {
		meter.Stop().Report(out, got, "forwarded packet")
		fmt.Fprintf(out, "load generator (%d simulated peers) %.2f cores\n", len(peers), cpu.Seconds()/wall.Seconds())
	} else {
		fmt.Fprintf(out, "process CPU %.2f cores (server and %d simulated peers together)\n", cpu.Seconds()/wall.Seconds(), len(peers))
	}
	err = Report(out, wall, latency.Summarize(wall))
	if loss >= 1 {
		return fmt.Errorf("packet loss %.2f%% is over 1%%", loss)
	}
	return err
}

// joinLocal joins everyone to an audio server in this process, each speaker
// put on air as it joins, while the ones before are still connecting.
func joinLocal(srv *sfu.Server, cfg AudioConfig, onPacket func(string, *rtp.Packet)) (speakers, peers []*sfutest.Client, err error) {
	for i := 0; i < cfg.Speakers; i++ {
		id := fmt.Sprintf("speaker%d", i)
		srv.SetOnAir("bench", id, true)
		p, err := joinAudio(srv, id, true, onPacket)
		if err != nil {
			return speakers, peers, err
		}
		peers = append(peers, p)
		speakers = append(speakers, p)
	}
	for i := 0; i < cfg.Listeners; i++ {
		p, err := joinAudio(srv, fmt.Sprintf("listener%d", i), false, onPacket)
		if err != nil {
			return speakers, peers, err
		}
		peers = append(peers, p)
	}
	return speakers, peers, nil
}

// joinRemote signs everyone up on a running server, opens a live session
// (the host is the first speaker), joins everyone's audio over the live
// socket as the web app does, and has the host grant the mic to the other
// speakers. drop closes the sockets.
func joinRemote(ctx context.Context, cfg AudioConfig, onPacket func(string, *rtp.Packet)) (speakers, peers []*sfutest.Client, drop func(), err error) {
	var sockets []*liveclient.Client
	var mu sync.Mutex
	drop = func() {
		mu.Lock()
		defer mu.Unlock()
		for _, lc := range sockets {
			lc.Drop()
		}
	}
	base := apiclient.New(cfg.URL, NewHTTPClient(16))
	id := runID()
	n := cfg.Speakers + cfg.Listeners
	names := make([]string, n)
	tokens := make([]string, n)
	for i := range names {
		if i < cfg.Speakers {
			names[i] = fmt.Sprintf("as%s_%d", id, i)
		} else {
			names[i] = fmt.Sprintf("al%s_%d", id, i-cfg.Speakers)
		}
	}
	// Sign-up hashes passwords on purpose (slow); a few at a time.
	if err := parallel(ctx, n, 4, func(i int) error {
		c, _, err := base.Register(ctx, names[i], "bench-password", names[i])
		if err == nil {
			tokens[i] = c.Token
		}
		return err
	}); err != nil {
		return nil, nil, drop, fmt.Errorf("setup: register: %w", err)
	}
	host := apiclient.New(cfg.URL, NewHTTPClient(4))
	host.Token = tokens[0]
	sess, err := host.CreateSession(ctx, ask2live.SessionInput{Title: "audio benchmark", OpenNow: true})
	if err != nil {
		return nil, nil, drop, fmt.Errorf("setup: %w", err)
	}
	dial := func(i int) (*liveclient.Client, error) {
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		lc, err := liveclient.Dial(dctx, cfg.URL, sess.ID, tokens[i], liveclient.Options{Buffer: 256, Lazy: true})
		if err == nil {
			mu.Lock()
			sockets = append(sockets, lc)
			mu.Unlock()
		}
		return lc, err
	}
	cmd, err := dial(0)
	if err != nil {
		return nil, nil, drop, err
	}
	all := make([]*sfutest.Client, n)
	join := func(i int) error {
		lc, err := dial(i)
		if err != nil {
			return err
		}
		all[i], err = sfutest.OverLive(ctx, lc, sfutest.Options{ID: names[i], Mic: i < cfg.Speakers, OnPacket: onPacket}, nil)
		return err
	}
	// Speakers one by one, each granted as it joins (the host is on air
	// from the start), then the listeners many at a time.
	for i := 0; i < cfg.Speakers; i++ {
		if err := join(i); err != nil {
			return nil, nil, drop, err
		}
		if i > 0 {
			if _, err := cmd.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: names[i]}); err != nil {
				return nil, nil, drop, fmt.Errorf("granting the mic (raise the server's -max-on-air for more speakers): %w", err)
			}
		}
	}
	err = parallel(ctx, cfg.Listeners, 32, func(i int) error { return join(cfg.Speakers + i) })
	for i, c := range all {
		if c != nil {
			peers = append(peers, c)
			if i < cfg.Speakers {
				speakers = append(speakers, c)
			}
		}
	}
	return speakers, peers, drop, err
}

// parallel runs fn(0..n-1), at most width at once; it returns the first
// error.
func parallel(ctx context.Context, n, width int, fn func(int) error) error {
	sem := make(chan struct{}, width)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for i := 0; i < n && ctx.Err() == nil; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}
