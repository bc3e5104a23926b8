package sfu

import (
	"github.com/pion/rtcp"
	"github.com/prometheus/client_golang/prometheus"
)

// metrics counts the audio server's packets. Every count is one atomic
// add on the forwarding path.
type metrics struct {
	received  prometheus.Counter
	gated     prometheus.Counter
	forwarded prometheus.Counter
	lost      prometheus.Counter
	// listenerLoss is what listeners report losing on their way from this
	// server (RTCP receiver reports, about once a second per stream).
	listenerLoss prometheus.Histogram
}

func newMetrics() *metrics {
	return &metrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{Name: "ask2live_media_packets_received_total",
			Help: "Audio packets received from microphones."}),
		gated: prometheus.NewCounter(prometheus.CounterOpts{Name: "ask2live_media_packets_gated_total",
			Help: "Microphone packets not forwarded: the participant was not on air (or spoke through another connection)."}),
		forwarded: prometheus.NewCounter(prometheus.CounterOpts{Name: "ask2live_media_packets_forwarded_total",
			Help: "Audio packets sent to listeners (one per listener per packet)."}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{Name: "ask2live_media_packets_lost_total",
			Help: "Microphone packets that never arrived (gaps in their sequence numbers)."}),
		listenerLoss: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ask2live_media_listener_loss_ratio",
			Help:    "Share of packets lost on the way to a listener, as the listener reports it (RTCP).",
			Buckets: []float64{0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1}}),
	}
}

// Collectors returns the audio server's metrics for a Prometheus registry:
// packet counts, listener-reported loss, and the rooms and connections it
// holds now.
func (s *Server) Collectors() []prometheus.Collector {
	m := s.metrics
	rooms := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ask2live_media_rooms", Help: "Rooms whose audio this node hosts."},
		func() float64 { s.mu.Lock(); defer s.mu.Unlock(); return float64(len(s.rooms)) })
	peers := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ask2live_media_peers", Help: "Audio connections on this node."},
		func() float64 {
			s.mu.Lock()
			rooms := make([]*room, 0, len(s.rooms))
			for _, r := range s.rooms {
				rooms = append(rooms, r)
			}
			s.mu.Unlock()
			n := 0
			for _, r := range rooms {
				r.mu.Lock()
				n += len(r.peers)
				r.mu.Unlock()
			}
			return float64(n)
		})
	return []prometheus.Collector{m.received, m.gated, m.forwarded, m.lost, m.listenerLoss, rooms, peers}
}

// observeRTCP takes the loss a listener reports in its receiver reports.
func (m *metrics) observeRTCP(b []byte) {
	pkts, err := rtcp.Unmarshal(b)
	if err != nil {
		return
	}
	for _, p := range pkts {
		if rr, ok := p.(*rtcp.ReceiverReport); ok {
			for _, r := range rr.Reports {
				m.listenerLoss.Observe(float64(r.FractionLost) / 256)
			}
		}
	}
}

// seqGap tracks a microphone's sequence numbers and returns how many were
// skipped before seq (0 for the first, a repeat or a reordered packet).
type seqGap struct {
	last  uint16
	valid bool
}

func (g *seqGap) next(seq uint16) int {
	if !g.valid {
		g.last, g.valid = seq, true
		return 0
	}
	d := seq - g.last // modulo 2^16
	if d == 0 || d >= 0x8000 {
		return 0 // a repeat, or late
	}
	g.last = seq
	return int(d) - 1
}
