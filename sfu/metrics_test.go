package sfu_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metric reads one of the audio server's metrics: a counter's or gauge's
// value, or a histogram's count of observations.
func metric(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// waitMetric waits until a metric reaches at least want.
func waitMetric(t *testing.T, reg *prometheus.Registry, name string, want float64, keep func()) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for metric(t, reg, name) < want {
		if time.Now().After(deadline) {
			t.Fatalf("%s stayed at %v, want at least %v", name, metric(t, reg, name), want)
		}
		keep()
		time.Sleep(20 * time.Millisecond) // metrics have no event to wait for; the talking goes on meanwhile
	}
}

// TestMetricsCountPackets: packets from microphones are counted as
// received, forwarded once per listener while on air and gated while off
// air; a gap in a microphone's sequence numbers counts as lost; listeners'
// receiver reports feed the loss histogram; rooms and connections are
// gauges.
func TestMetricsCountPackets(t *testing.T) {
	s := newServer(t, nil)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(s.Collectors()...)
	s.SetOnAir("m", "host", true)
	host := join(t, s, "m", "host", true)
	guest := join(t, s, "m", "guest", true) // not on air
	listener := join(t, s, "m", "listener", false)
	listener.heard(t, host, host.talk(t))

	if got := metric(t, reg, "ask2live_media_rooms"); got != 1 {
		t.Errorf("rooms %v, want 1", got)
	}
	if got := metric(t, reg, "ask2live_media_peers"); got != 3 {
		t.Errorf("peers %v, want 3", got)
	}
	// Each of the host's packets goes to the guest and the listener.
	received, forwarded := metric(t, reg, "ask2live_media_packets_received_total"), metric(t, reg, "ask2live_media_packets_forwarded_total")
	if received < 1 || forwarded < 2 {
		t.Errorf("received %v, forwarded %v", received, forwarded)
	}
	waitMetric(t, reg, "ask2live_media_packets_gated_total", 3, func() { guest.talk(t) })

	// The host skips five sequence numbers: five packets lost.
	lost := metric(t, reg, "ask2live_media_packets_lost_total")
	host.mu.Lock()
	host.next += 5
	host.mu.Unlock()
	listener.heard(t, host, host.talk(t))
	if got := metric(t, reg, "ask2live_media_packets_lost_total") - lost; got < 5 {
		t.Errorf("lost %v after a gap of five", got)
	}
	// Listeners report what they receive about once a second.
	waitMetric(t, reg, "ask2live_media_listener_loss_ratio", 1, func() { host.talk(t) })
}
