package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
)

// FlowConfig configures the flow scenario: the original product's Locust
// test, where each virtual user logs in once and then, in a loop, lists
// sessions, reads one, adds a pre-question, opens a session of their own,
// joins and leaves its live room, and ends it.
type FlowConfig struct {
	BaseURL  string
	Users    int
	Duration time.Duration
	// Think is the mean pause between steps (uniform in [Think/2, 3·Think/2]),
	// as Locust's wait_time.
	Think time.Duration
	// SpawnRate starts this many virtual users per second, as Locust's
	// spawn rate does (0: all at once).
	SpawnRate float64
	// JoinLeave joins and leaves a live room as the client; nil skips the step.
	JoinLeave func(ctx context.Context, c *apiclient.Client, sessionID string) error
}

// FlowSteps names the steps in report order.
var FlowSteps = []string{"login", "list sessions", "read session", "ask pre-question", "open session", "join+leave live", "end session"}

// RunFlow runs the flow scenario and prints per-step latencies.
func RunFlow(ctx context.Context, cfg FlowConfig, out io.Writer) error {
	hc := NewHTTPClient(cfg.Users * 2)
	base := apiclient.New(cfg.BaseURL, hc)
	fmt.Fprintf(out, "flow: %d virtual users for %s (think %s) against %s\n", cfg.Users, cfg.Duration, cfg.Think, cfg.BaseURL)

	id := runID()
	const password = "bench-password"
	names := make([]string, cfg.Users)
	for i := range names {
		names[i] = fmt.Sprintf("f%s_%d", id, i)
		if _, _, err := base.Register(ctx, names[i], password, fmt.Sprintf("플로우 %d", i)); err != nil {
			return fmt.Errorf("setup: register: %w", err)
		}
	}
	// One recruiting session everybody can read and ask in, as the original
	// test did with a fixed hole id.
	host, _, err := base.Login(ctx, names[0], password)
	if err != nil {
		return fmt.Errorf("setup: login: %w", err)
	}
	starts := time.Now().Add(24 * time.Hour)
	shared, err := host.CreateSession(ctx, ask2live.SessionInput{Title: "공용 세션", StartsAt: &starts, TargetGuests: 1000})
	if err != nil {
		return fmt.Errorf("setup: create session: %w", err)
	}

	// Log-in hashes passwords on purpose (argon2id, 64 MiB): while users
	// are still arriving and logging in, the hashing fills the CPU and every
	// other step waits for it. Steps are therefore reported twice: those
	// that started once every user had logged in (the steady state), and
	// those that started before.
	stats, ramp := map[string]*Stats{}, map[string]*Stats{}
	for _, s := range FlowSteps {
		stats[s], ramp[s] = NewStats(s), NewStats(s)
	}
	var loggedIn atomic.Int64
	timed := func(step string, fn func() error) bool {
		into := stats[step]
		if step != "login" && loggedIn.Load() < int64(cfg.Users) {
			into = ramp[step]
		}
		t0 := time.Now()
		err := fn()
		into.Record(time.Since(t0), err)
		return err == nil
	}
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	think := func(rng *rand.Rand) bool {
		if cfg.Think <= 0 {
			return runCtx.Err() == nil
		}
		d := cfg.Think/2 + time.Duration(rng.Int64N(int64(cfg.Think)))
		select {
		case <-runCtx.Done():
			return false
		case <-time.After(d):
			return true
		}
	}

	start := time.Now()
	meter := StartMeter(cfg.BaseURL)
	var wg sync.WaitGroup
	for vu := range cfg.Users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if cfg.SpawnRate > 0 {
				select {
				case <-time.After(time.Duration(float64(vu) / cfg.SpawnRate * float64(time.Second))):
				case <-runCtx.Done():
					return
				}
			}
			rng := rand.New(rand.NewPCG(uint64(vu), uint64(start.UnixNano())))
			var c *apiclient.Client
			ok := timed("login", func() error {
				var err error
				c, _, err = base.Login(ctx, names[vu], password)
				return err
			})
			loggedIn.Add(1)
			if !ok {
				return
			}
			for n := 0; think(rng); n++ {
				// Steps use the parent context so a step in flight when the
				// run ends finishes and is counted, not cut off as an error.
				timed("list sessions", func() error { _, err := c.Sessions(ctx, apiclient.ListOptions{Limit: 20}); return err })
				timed("read session", func() error { _, err := c.Session(ctx, shared.ID); return err })
				if vu != 0 {
					timed("ask pre-question", func() error {
						_, err := c.Ask(ctx, shared.ID, ask2live.QuestionInput{Text: fmt.Sprintf("사전 질문 %d-%d", vu, n)})
						return err
					})
				}
				var own *ask2live.Session
				if !timed("open session", func() error {
					var err error
					own, err = c.CreateSession(ctx, ask2live.SessionInput{Title: fmt.Sprintf("바로 시작 %d-%d", vu, n), OpenNow: true})
					return err
				}) {
					continue
				}
				if cfg.JoinLeave != nil {
					timed("join+leave live", func() error { return cfg.JoinLeave(ctx, c, own.ID) })
				}
				timed("end session", func() error { _, err := c.SessionAction(ctx, own.ID, "end"); return err })
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cost := meter.Stop()
	var sums, rampSums []Summary
	for _, s := range FlowSteps {
		if s == "join+leave live" && cfg.JoinLeave == nil {
			continue
		}
		sums = append(sums, stats[s].Summarize(elapsed))
		if s != "login" {
			rampSums = append(rampSums, ramp[s].Summarize(elapsed))
		}
	}
	var requests int64
	for _, s := range sums {
		requests += int64(s.OK)
	}
	for _, s := range rampSums {
		requests += int64(s.OK)
	}
	cost.Report(out, requests, "step (log-ins included)")
	fmt.Fprintln(out, "once every user had logged in:")
	err = Report(out, elapsed, sums...)
	fmt.Fprintln(out, "while users were still logging in (password hashing fills the CPU):")
	return errors.Join(err, Report(out, elapsed, rampSums...))
}
