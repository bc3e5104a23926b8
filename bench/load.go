// Package bench holds the load generators behind cmd/ask2live-bench: an
// open-model request scheduler, latency histograms and the scenarios. Errors
// are counted and reported by code, and a run with errors fails: a fast
// failure is never reported as throughput.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ask2live/ask2live/apiclient"
)

// Stats collects the latencies and errors of one named step.
type Stats struct {
	Name string

	mu      sync.Mutex
	samples []time.Duration
	errors  map[string]int
}

// NewStats returns empty statistics for a step.
func NewStats(name string) *Stats { return &Stats{Name: name, errors: map[string]int{}} }

// Record adds one outcome. Only successes contribute latency samples.
func (s *Stats) Record(d time.Duration, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.errors[errorKey(err)]++
		return
	}
	s.samples = append(s.samples, d)
}

// Merge adds other's samples and errors to s.
func (s *Stats) Merge(other *Stats) {
	other.mu.Lock()
	defer other.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples = append(s.samples, other.samples...)
	for k, v := range other.errors {
		s.errors[k] += v
	}
}

// errorKey groups errors for the report: by problem code and status for API
// errors, by a short text otherwise.
func errorKey(err error) string {
	var p *apiclient.Problem
	if errors.As(err, &p) {
		return fmt.Sprintf("%d %s", p.Status, p.Code)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	msg := err.Error()
	if len(msg) > 80 {
		msg = msg[:80]
	}
	return msg
}

// Summary is the digest of a Stats.
type Summary struct {
	Name                string
	OK, Failed          int
	P50, P95, P99, Max  time.Duration
	Mean                time.Duration
	Errors              map[string]int
	ThroughputPerSecond float64
}

// Summarize computes percentiles over the samples; elapsed turns counts into
// a rate.
func (s *Stats) Summarize(elapsed time.Duration) Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := Summary{Name: s.Name, OK: len(s.samples), Errors: map[string]int{}}
	for k, v := range s.errors {
		sum.Errors[k] = v
		sum.Failed += v
	}
	if elapsed > 0 {
		sum.ThroughputPerSecond = float64(sum.OK) / elapsed.Seconds()
	}
	if len(s.samples) == 0 {
		return sum
	}
	sorted := slices.Clone(s.samples)
	slices.Sort(sorted)
	sum.P50, sum.P95, sum.P99 = Percentile(sorted, 50), Percentile(sorted, 95), Percentile(sorted, 99)
	sum.Max = sorted[len(sorted)-1]
	var total time.Duration
	for _, d := range sorted {
		total += d
	}
	sum.Mean = total / time.Duration(len(sorted))
	return sum
}

// Percentile returns the p-th percentile (nearest rank) of sorted samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

// Report prints summaries as an aligned table and returns an error if any
// step had failures.
func Report(w io.Writer, elapsed time.Duration, sums ...Summary) error {
	fmt.Fprintf(w, "%-22s %9s %7s %10s %9s %9s %9s %9s\n", "step", "ok", "failed", "per sec", "p50", "p95", "p99", "max")
	failed := 0
	for _, s := range sums {
		fmt.Fprintf(w, "%-22s %9d %7d %10.1f %9s %9s %9s %9s\n", s.Name, s.OK, s.Failed, s.ThroughputPerSecond,
			round(s.P50), round(s.P95), round(s.P99), round(s.Max))
		failed += s.Failed
	}
	fmt.Fprintf(w, "elapsed %s\n", elapsed.Round(time.Millisecond))
	if failed == 0 {
		return nil
	}
	var lines []string
	for _, s := range sums {
		keys := make([]string, 0, len(s.Errors))
		for k := range s.Errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			lines = append(lines, fmt.Sprintf("  %s: %d × %s", s.Name, s.Errors[k], k))
		}
	}
	fmt.Fprintf(w, "ERRORS:\n%s\n", strings.Join(lines, "\n"))
	return fmt.Errorf("%d requests failed", failed)
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}

// OpenLoop starts fn at a fixed arrival rate for the duration, whether or not
// earlier calls have finished (an open model: a slow server does not slow the
// arrivals down). Latency is measured from each call's scheduled start, so
// queueing delay in the load generator counts against the server rather than
// hiding it. At most maxInFlight calls run at once; an arrival beyond that is
// not started and counted in dropped, which the caller must report as a
// failure of the run.
func OpenLoop(ctx context.Context, rate float64, duration time.Duration, maxInFlight int, fn func(ctx context.Context, i int) (*Stats, error)) (elapsed time.Duration, dropped int64) {
	if rate <= 0 {
		return 0, 0
	}
	interval := time.Duration(float64(time.Second) / rate)
	total := int(duration.Seconds() * rate)
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	start := time.Now()
	var drops atomic.Int64
	for i := 0; i < total; i++ {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			select {
			case <-ctx.Done():
				i = total
				continue
			case <-time.After(d):
			}
		}
		select {
		case sem <- struct{}{}:
		default:
			drops.Add(1)
			continue
		}
		wg.Add(1)
		go func(i int, at time.Time) {
			defer wg.Done()
			defer func() { <-sem }()
			st, err := fn(ctx, i)
			if st != nil {
				st.Record(time.Since(at), err)
			}
		}(i, at)
	}
	wg.Wait()
	return time.Since(start), drops.Load()
}
