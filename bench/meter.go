package bench

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Meter measures what a window of load cost, in the figures that hold when
// the machine is shared: the servers' own CPU time (their
// process_cpu_seconds_total) per operation, next to the machine's idle
// share over the same window (from /proc/stat) and the cores this load
// generator may run on. Latency on a busy machine says little; CPU per
// operation barely moves.
type Meter struct {
	urls        []string
	cpu0        float64
	idle0, all0 uint64
	t0          time.Time
}

// StartMeter starts a window for the servers at urls.
func StartMeter(urls ...string) *Meter {
	m := &Meter{urls: urls, t0: time.Now()}
	m.cpu0 = serverMetric(urls, "process_cpu_seconds_total")
	m.idle0, m.all0 = machineTimes()
	return m
}

// Cost is one window's figures.
type Cost struct {
	Elapsed   time.Duration
	ServerCPU time.Duration // summed over the servers; 0 if unreadable
	Idle      float64       // the machine's idle share, 0..1; -1 if unknown
	Cores     string        // the cores this process may run on
}

// Stop ends the window.
func (m *Meter) Stop() Cost {
	c := Cost{Elapsed: time.Since(m.t0), Idle: -1, Cores: allowedCores()}
	if cpu := serverMetric(m.urls, "process_cpu_seconds_total"); cpu > m.cpu0 && m.cpu0 > 0 {
		c.ServerCPU = time.Duration((cpu - m.cpu0) * float64(time.Second))
	}
	if idle, all := machineTimes(); all > m.all0 {
		c.Idle = float64(idle-m.idle0) / float64(all-m.all0)
	}
	return c
}

// Report prints the cost per operation: ops of the named kind (a
// delivery, a log-in, a request) were done in the window.
func (c Cost) Report(out io.Writer, ops int64, what string) {
	idle := "unknown"
	if c.Idle >= 0 {
		idle = fmt.Sprintf("%.0f%%", c.Idle*100)
	}
	if c.ServerCPU <= 0 || ops <= 0 {
		fmt.Fprintf(out, "server CPU: not readable from /metrics; machine idle %s; load generator on cores %s\n", idle, c.Cores)
		return
	}
	per := c.ServerCPU / time.Duration(ops)
	fmt.Fprintf(out, "server CPU %s per %s (%.2f cores over %s); machine idle %s; load generator on cores %s\n",
		perOp(per), what, c.ServerCPU.Seconds()/c.Elapsed.Seconds(), c.Elapsed.Round(time.Millisecond), idle, c.Cores)
}

// perOp writes a small duration with three significant digits.
func perOp(d time.Duration) string {
	switch {
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f µs", float64(d)/float64(time.Microsecond))
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
}

// machineTimes reads the idle and total jiffies of all cores from
// /proc/stat (zero where there is none).
func machineTimes() (idle, all uint64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0
	}
	for i, f := range fields[1:] {
		n, _ := strconv.ParseUint(f, 10, 64)
		all += n
		if i == 3 || i == 4 { // idle, iowait
			idle += n
		}
	}
	return idle, all
}

// allowedCores is this process's CPU affinity as Linux lists it ("0-1",
// "1"), or "all" where it cannot be read.
func allowedCores() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "all"
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "all"
}
