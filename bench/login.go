package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ask2live/ask2live/apiclient"
)

// LoginConfig configures the login scenario.
type LoginConfig struct {
	BaseURL     string
	Rate        float64 // log-ins per second (open model)
	Duration    time.Duration
	MaxInFlight int
	Users       int // accounts created for the run and logged in to in turn
}

// RunLogin registers accounts, then logs in to them at a fixed rate. It
// reports the latency, the rate reached, and the server's CPU per log-in
// (from its process_cpu_seconds_total), which holds when the machine is
// busy. The server must allow the rate: raise -login-rate and
// -login-user-rate for the run.
func RunLogin(ctx context.Context, cfg LoginConfig, out io.Writer) error {
	hc := NewHTTPClient(cfg.MaxInFlight)
	base := apiclient.New(cfg.BaseURL, hc)
	fmt.Fprintf(out, "login: %g log-ins/s for %s against %s, %d accounts\n", cfg.Rate, cfg.Duration, cfg.BaseURL, cfg.Users)
	id := runID()
	names := make([]string, cfg.Users)
	for i := range names {
		names[i] = fmt.Sprintf("l%s_%d", id, i)
		if _, _, err := base.Register(ctx, names[i], "password-"+names[i], names[i]); err != nil {
			return fmt.Errorf("setup: registering %s: %w", names[i], err)
		}
	}
	st := NewStats("POST auth/login")
	meter := StartMeter(cfg.BaseURL)
	elapsed, dropped := OpenLoop(ctx, cfg.Rate, cfg.Duration, cfg.MaxInFlight, func(ctx context.Context, i int) (*Stats, error) {
		name := names[i%len(names)]
		_, _, err := base.Login(ctx, name, "password-"+name)
		return st, err
	})
	cost := meter.Stop()
	sum := st.Summarize(elapsed)
	cost.Report(out, int64(sum.OK), "log-in")
	err := Report(out, elapsed, sum)
	if dropped > 0 {
		return fmt.Errorf("%d arrivals dropped: more than %d log-ins in flight", dropped, cfg.MaxInFlight)
	}
	return err
}
