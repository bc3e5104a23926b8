package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// RoomConfig configures the room scenario.
type RoomConfig struct {
	URLs         []string // one per node; participants are spread over them
	Participants int
	Accounts     int // distinct users behind the sockets (registration is slow by design)
	JoinRate     float64
	Rate         float64 // broadcasts per second
	Duration     time.Duration
	Senders      int // accounts that send the broadcasts, round robin
}

// marker starts every benchmark chat message; the send time follows.
const marker = "bench@"

// RunRoom fills one live room, broadcasts chat at a fixed rate, and measures
// how long each message takes to reach every participant.
func RunRoom(ctx context.Context, cfg RoomConfig, out io.Writer) error {
	if cfg.Accounts <= 0 {
		cfg.Accounts = min(cfg.Participants, 200)
	}
	cfg.Senders = max(1, min(cfg.Senders, cfg.Accounts))
	hc := NewHTTPClient(64)
	base := apiclient.New(cfg.URLs[0], hc)
	fmt.Fprintf(out, "room: %d sockets (%d accounts) on %d node(s), %g broadcasts/s for %s\n",
		cfg.Participants, cfg.Accounts, len(cfg.URLs), cfg.Rate, cfg.Duration)

	id := runID()
	host, _, err := base.Register(ctx, "h"+id, "bench-password", "벤치 호스트")
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	sess, err := host.CreateSession(ctx, ask2live.SessionInput{Title: "room benchmark", OpenNow: true})
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	tokens := make([]string, cfg.Accounts)
	for i := range tokens {
		c, _, err := base.Register(ctx, fmt.Sprintf("r%s_%d", id, i), "bench-password", fmt.Sprintf("참가자 %d", i))
		if err != nil {
			return fmt.Errorf("setup: register: %w", err)
		}
		tokens[i] = c.Token
	}
	memBefore := serverMemory(cfg.URLs)

	// Join at the configured rate. Each socket records the delivery
	// latency of every benchmark message on its reading goroutine.
	joinStats := NewStats("join")
	clients := make([]*liveclient.Client, cfg.Participants)
	sinks := make([]*roomSink, cfg.Participants)
	var delivered atomic.Int64
	var joinErr atomic.Value
	elapsed, dropped := OpenLoop(ctx, cfg.JoinRate, time.Duration(float64(cfg.Participants)/cfg.JoinRate*float64(time.Second)), 512,
		func(ctx context.Context, i int) (*Stats, error) {
			if i >= cfg.Participants {
				return nil, nil
			}
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			sinks[i] = &roomSink{delivered: &delivered}
			c, err := liveclient.Dial(dctx, cfg.URLs[i%len(cfg.URLs)], sess.ID, tokens[i%len(tokens)],
				liveclient.Options{Buffer: 1024, Lazy: true, OnMessage: sinks[i].take})
			if err != nil {
				joinErr.Store(err)
				return joinStats, err
			}
			clients[i] = c
			return joinStats, nil
		})
	joined := 0
	for _, c := range clients {
		if c != nil {
			joined++
		}
	}
	fmt.Fprintf(out, "joined %d/%d in %s (%d arrivals dropped)\n", joined, cfg.Participants, elapsed.Round(time.Millisecond), dropped)
	if err := Report(out, elapsed, joinStats.Summarize(elapsed)); err != nil || joined < cfg.Participants {
		return fmt.Errorf("joining failed: %v (last: %v)", err, joinErr.Load())
	}
	memAfter := serverMemory(cfg.URLs)
	if memBefore > 0 && memAfter > memBefore {
		fmt.Fprintf(out, "server memory: %.1f MB before, %.1f MB after joins: %.1f KB per connection\n",
			memBefore/1e6, memAfter/1e6, (memAfter-memBefore)/float64(cfg.Participants)/1e3)
	}

	latency := NewStats("delivery")

	// Senders are the first Senders sockets; they broadcast round robin.
	sendStats := NewStats("send (ack)")
	var seq atomic.Int64
	delivered0 := delivered.Load()
	meter := StartMeter(cfg.URLs...)
	self0 := ownCPU()
	sendElapsed, sendDropped := OpenLoop(ctx, cfg.Rate, cfg.Duration, 256, func(ctx context.Context, i int) (*Stats, error) {
		c := clients[int(seq.Add(1))%cfg.Senders]
		_, err := c.Send(ctx, live.Command{Type: live.CmdChat, Text: marker + strconv.FormatInt(time.Now().UnixNano(), 10)})
		return sendStats, err
	})
	// Give the last messages time to arrive, then stop the readers.
	want := int64(float64(cfg.Participants) * cfg.Rate * cfg.Duration.Seconds())
	deadline := time.Now().Add(10 * time.Second)
	for delivered.Load() < want-int64(sendDropped)*int64(cfg.Participants) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cost := meter.Stop()
	self := ownCPU() - self0
	for _, c := range clients {
		if err := c.Stopped(); err != nil {
			latency.Record(0, fmt.Errorf("socket closed: %w", err))
		}
		c.Drop()
	}
	for i, c := range clients {
		// Returns once the reader has ended: its samples are complete.
		_, _ = c.Next(context.Background())
		latency.mu.Lock()
		latency.samples = append(latency.samples, sinks[i].samples...)
		latency.mu.Unlock()
	}
	got := delivered.Load()
	fmt.Fprintf(out, "delivered %d of %d expected messages (%.0f deliveries/s)\n", got, want, float64(got)/sendElapsed.Seconds())
	cost.Report(out, got-delivered0, "delivery")
	if n := got - delivered0; n > 0 && self > 0 {
		// On one machine the load generator's share decides as much as the
		// server's whether the latency target can be met.
		fmt.Fprintf(out, "load generator CPU %s per delivery (%.2f cores)\n", perOp(self/time.Duration(n)), self.Seconds()/cost.Elapsed.Seconds())
	}
	err = Report(out, sendElapsed, latency.Summarize(sendElapsed))
	if sendDropped > 0 {
		return fmt.Errorf("%d broadcasts could not be sent in time", sendDropped)
	}
	if got < want {
		return errors.Join(err, fmt.Errorf("%d deliveries missing", want-got))
	}
	return err
}

// serverMemory sums process_resident_memory_bytes over the nodes' /metrics.
func serverMemory(urls []string) float64 { return serverMetric(urls, "process_resident_memory_bytes") }

// serverMetric sums an unlabelled metric over the nodes' /metrics; 0 when
// it cannot be read.
func serverMetric(urls []string, name string) float64 {
	var total float64
	for _, u := range urls {
		resp, err := http.Get(u + "/metrics")
		if err != nil {
			return 0
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
				f, _ := strconv.ParseFloat(v, 64)
				total += f
			}
		}
		resp.Body.Close()
	}
	return total
}

// roomSink takes one socket's messages and keeps the latency of the
// benchmark's chat messages; it runs on the socket's reading goroutine.
type roomSink struct {
	samples   []time.Duration
	delivered *atomic.Int64
}

func (s *roomSink) take(m *liveclient.Message) {
	if m.Type != live.EvChat {
		return
	}
	i := bytes.Index(m.Raw, []byte(marker))
	if i < 0 {
		return
	}
	end := bytes.IndexByte(m.Raw[i:], '"')
	if ns, err := strconv.ParseInt(string(m.Raw[i+len(marker):i+end]), 10, 64); err == nil {
		s.samples = append(s.samples, time.Since(time.Unix(0, ns)))
		s.delivered.Add(1)
	}
}

// ownCPU is the CPU time this process has used, user and system.
func ownCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
