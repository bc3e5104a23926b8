// Package sfu is ask2live's audio server: a selective forwarding unit on
// Pion WebRTC. Everyone on air publishes Opus; every other participant
// receives every on-air track; nobody receives their own. The server decides
// who is on air: packets from anyone else are read and dropped.
//
// Signalling (carried by the live room's socket as "rtc" messages): the
// server is always the offerer. On join it offers one receive-only audio
// line (the participant's microphone slot, which a listener leaves empty:
// no microphone permission needed) plus one send-only line per publisher.
// The client answers; to speak it attaches its microphone to the first
// audio line (a replaceTrack, no renegotiation). When someone is put on air
// for the first time, their track is added to every other participant and
// the server offers again. Granting and revoking afterwards only opens or
// closes the gate on their packets, effective from the next packet.
package sfu

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/interceptor/pkg/twcc"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"
)

// Config sets up the media server.
type Config struct {
	ListenIP   string             // address the media ports bind to (default 0.0.0.0)
	UDPPort    int                // all ICE over UDP on this port; 0 picks a free one
	TCPPort    int                // ICE-TCP on this port; 0 disables it
	PublicIPs  []string           // announced instead of the local address (1:1 NAT)
	ICEServers []webrtc.ICEServer // STUN/TURN servers handed to clients
	TURN       TURNConfig         // the embedded TURN server, when enabled

	// Speaking detection from the RFC 6464 audio level (0 loudest … 127
	// silence, in -dBov): louder than SpeakingLevel for SpeakingAttack
	// starts "speaking"; quiet for SpeakingHold stops it.
	SpeakingLevel  uint8
	SpeakingAttack time.Duration
	SpeakingHold   time.Duration
}

// Signal is one signalling message in either direction.
type Signal struct {
	Type      string                   `json:"type"` // offer, answer, candidate
	SDP       string                   `json:"sdp,omitempty"`
	Candidate *webrtc.ICECandidateInit `json:"candidate,omitempty"`
	// ICEServers comes with the first offer: the STUN/TURN servers the
	// client's peer connection should use.
	ICEServers []webrtc.ICEServer `json:"ice_servers,omitempty"`
}

// SpeakingFunc hears who starts and stops talking in which room.
type SpeakingFunc func(roomID, peerID string, speaking bool)

// Server holds one webrtc.API and the rooms.
type Server struct {
	cfg      Config
	log      *slog.Logger
	api      *webrtc.API
	udp      net.PacketConn // the media UDP port, owned by udpMux
	udpMux   ice.UDPMux     // the muxes close their ports (see closePorts)
	tcpMux   ice.TCPMux
	turn     *turnServer
	ownIPs   []net.IP // addresses peers reach this server by
	speaking SpeakingFunc

	metrics *metrics

	mu     sync.Mutex
	rooms  map[string]*room
	closed bool
}

// New opens the media ports and builds the WebRTC API.
func New(cfg Config, log *slog.Logger, speaking SpeakingFunc) (*Server, error) {
	if cfg.ListenIP == "" {
		cfg.ListenIP = "0.0.0.0"
	}
	if cfg.SpeakingLevel == 0 {
		cfg.SpeakingLevel = 50
	}
	if cfg.SpeakingAttack == 0 {
		cfg.SpeakingAttack = 40 * time.Millisecond
	}
	if cfg.SpeakingHold == 0 {
		cfg.SpeakingHold = 400 * time.Millisecond
	}
	if speaking == nil {
		speaking = func(string, string, bool) {}
	}
	s := &Server{cfg: cfg, log: log, speaking: speaking, rooms: map[string]*room{}, metrics: newMetrics()}

	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: opus, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.AudioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	pion := pionLogs{log}
	// RTCP reports both ways and transport-wide congestion feedback for
	// the microphones; not Pion's default set, whose NACK is for video and
	// whose stats recorder copies every packet's header for every listener
	// (an allocation per packet and listener) for figures nothing reads.
	ir := &interceptor.Registry{}
	if err := webrtc.ConfigureRTCPReportsWithOptions(ir,
		[]report.ReceiverOption{report.WithReceiverLoggerFactory(pion)}, report.WithSenderLoggerFactory(pion)); err != nil {
		return nil, err
	}
	if err := webrtc.ConfigureTWCCSenderWithOptions(me, ir, twcc.WithLoggerFactory(pion)); err != nil {
		return nil, err
	}

	se := webrtc.SettingEngine{LoggerFactory: pion}
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	ip := net.ParseIP(cfg.ListenIP)
	if ip == nil {
		return nil, fmt.Errorf("media listen address %q is not an IP", cfg.ListenIP)
	}
	if ip.IsLoopback() {
		se.SetIncludeLoopbackCandidate(true)
	}
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: ip, Port: cfg.UDPPort})
	if err != nil {
		return nil, fmt.Errorf("media UDP port: %w", err)
	}
	s.udp = udp
	s.udpMux = webrtc.NewICEUDPMux(pion.NewLogger("ice"), udp)
	se.SetICEUDPMux(s.udpMux)
	types := []webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6}
	if cfg.TCPPort != 0 {
		tcp, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip, Port: cfg.TCPPort})
		if err != nil {
			s.udpMux.Close()
			return nil, fmt.Errorf("media TCP port: %w", err)
		}
		s.tcpMux = webrtc.NewICETCPMux(pion.NewLogger("ice"), tcp, 8)
		se.SetICETCPMux(s.tcpMux)
		types = append(types, webrtc.NetworkTypeTCP4, webrtc.NetworkTypeTCP6)
	}
	se.SetNetworkTypes(types)
	if len(cfg.PublicIPs) > 0 {
		se.SetNAT1To1IPs(cfg.PublicIPs, webrtc.ICECandidateTypeHost)
	}
	s.api = webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(se))
	s.ownIPs = append([]net.IP{ip}, localIPs()...)
	for _, pub := range cfg.PublicIPs {
		if p := net.ParseIP(pub); p != nil {
			s.ownIPs = append(s.ownIPs, p)
		}
	}
	if cfg.TURN.Enable {
		if cfg.TURN.RelayIP == "" && len(cfg.PublicIPs) > 0 {
			cfg.TURN.RelayIP = cfg.PublicIPs[0]
		}
		s.turn, err = startTURN(cfg.TURN, ip, s.ownIP, udp.LocalAddr().(*net.UDPAddr).Port, log)
		if err != nil {
			s.closePorts()
			return nil, err
		}
	}
	return s, nil
}

// ownIP tells whether ip is one of this server's addresses.
func (s *Server) ownIP(ip net.IP) bool {
	for _, o := range s.ownIPs {
		if o.Equal(ip) {
			return true
		}
	}
	return false
}

// closePorts closes the media ports through their ICE muxes, never under
// them: a mux marks itself closed before closing its port, so its reading
// goroutine ends quietly instead of reporting "use of closed network
// connection" as an error.
func (s *Server) closePorts() error {
	err := s.udpMux.Close()
	if s.tcpMux != nil {
		err = errors.Join(err, s.tcpMux.Close())
	}
	if s.turn != nil {
		err = errors.Join(err, s.turn.close())
	}
	return err
}

var opus = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
	SDPFmtpLine: "minptime=10;useinbandfec=1"}

// UDPAddr is the bound media UDP address.
func (s *Server) UDPAddr() net.Addr { return s.udp.LocalAddr() }

// TURNAddr is the embedded TURN server's UDP address, or nil without one.
func (s *Server) TURNAddr() net.Addr {
	if s.turn == nil {
		return nil
	}
	return s.turn.udp.LocalAddr()
}

// iceServers are handed to a participant with the first offer: the
// configured servers and the embedded TURN server with fresh credentials.
func (s *Server) iceServers(peerID string) []webrtc.ICEServer {
	list := s.cfg.ICEServers
	if s.turn != nil {
		ts, err := s.turn.iceServer(peerID)
		if err != nil {
			s.log.Error("making TURN credentials", slog.Any("err", err))
			return list
		}
		list = append(slices.Clone(list), ts)
	}
	return list
}

func (s *Server) room(id string, create bool) *room {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rooms[id]
	if r == nil && create && !s.closed {
		r = &room{srv: s, id: id, peers: map[*Peer]struct{}{}, voice: map[string]*Peer{},
			air: map[string]*atomic.Bool{}, tracks: map[string]*webrtc.TrackLocalStaticRTP{}}
		s.rooms[id] = r
	}
	return r
}

// Join adds a connection of a participant to a room's audio and sends it
// the first offer through send. A participant may hold several (a reconnect
// before the old socket is gone, a second tab): each hears everyone else,
// none hears the participant, and the newest one speaks for them.
func (s *Server) Join(roomID, peerID string, send func(Signal)) (*Peer, error) {
	r := s.room(roomID, true)
	if r == nil {
		return nil, errors.New("the media server is shutting down")
	}
	return r.join(peerID, send)
}

// SetOnAir opens or closes the gate on a participant's audio.
func (s *Server) SetOnAir(roomID, peerID string, on bool) {
	if r := s.room(roomID, on); r != nil {
		r.setOnAir(peerID, on)
	}
}

// Leave closes every connection of a participant.
func (s *Server) Leave(roomID, peerID string) {
	if r := s.room(roomID, false); r != nil {
		r.leave(peerID)
	}
}

// CloseRoom closes every connection of a room.
func (s *Server) CloseRoom(roomID string) {
	s.mu.Lock()
	r := s.rooms[roomID]
	delete(s.rooms, roomID)
	s.mu.Unlock()
	if r != nil {
		r.close()
	}
}

// PeerCount returns how many connections a room has (for tests and metrics).
func (s *Server) PeerCount(roomID string) int {
	r := s.room(roomID, false)
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.peers)
}

// Close closes every room and the media ports.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	rooms := s.rooms
	s.rooms = map[string]*room{}
	s.mu.Unlock()
	for _, r := range rooms {
		r.close()
	}
	return s.closePorts()
}

// room is one session's audio.
type room struct {
	srv *Server
	id  string

	mu    sync.Mutex
	peers map[*Peer]struct{} // every connection; a participant may have several (tabs)
	// voice is the connection each participant speaks through: the newest.
	// Packets from their other connections are dropped, so two tabs never
	// feed one track.
	voice  map[string]*Peer
	air    map[string]*atomic.Bool                // the gate, read per packet
	tracks map[string]*webrtc.TrackLocalStaticRTP // publishers' outgoing tracks
}

func (r *room) gate(peerID string) *atomic.Bool {
	g := r.air[peerID]
	if g == nil {
		g = &atomic.Bool{}
		r.air[peerID] = g
	}
	return g
}

func (r *room) setOnAir(peerID string, on bool) {
	r.mu.Lock()
	r.gate(peerID).Store(on)
	if !on {
		r.mu.Unlock()
		return
	}
	var add []*Peer
	track := r.tracks[peerID]
	if track == nil {
		var err error
		track, err = webrtc.NewTrackLocalStaticRTP(opus, "audio-"+peerID, peerID)
		if err != nil {
			r.mu.Unlock()
			r.srv.log.Error("creating a track", slog.Any("err", err))
			return
		}
		r.tracks[peerID] = track
		for p := range r.peers {
			if p.id != peerID {
				add = append(add, p)
			}
		}
	}
	r.mu.Unlock()
	for _, p := range add {
		p.addTrack(peerID, track)
	}
}

func (r *room) join(peerID string, send func(Signal)) (*Peer, error) {
	pc, err := r.srv.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, err
	}
	// The peer is negotiating from birth: track changes from other
	// goroutines queue until its first answer.
	p := &Peer{room: r, id: peerID, pc: pc, send: send, senders: map[string]*webrtc.RTPSender{}, negotiating: true}
	if _, err := pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}); err != nil {
		pc.Close()
		return nil, err
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			init := c.ToJSON()
			// Gathering starts inside SetLocalDescription; the lock makes a
			// candidate wait until its offer has been sent.
			p.sendMu.Lock()
			send(Signal{Type: "candidate", Candidate: &init})
			p.sendMu.Unlock()
		}
	})
	pc.OnTrack(func(remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) { r.forward(p, remote, recv) })
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		switch st {
		case webrtc.PeerConnectionStateConnected:
			go p.up() // not on Pion's callback goroutine: up may offer
		case webrtc.PeerConnectionStateFailed:
			r.drop(p)
		}
	})

	r.mu.Lock()
	r.peers[p] = struct{}{}
	r.voice[peerID] = p
	existing := map[string]*webrtc.TrackLocalStaticRTP{}
	for id, t := range r.tracks {
		if id != peerID {
			existing[id] = t
		}
	}
	r.mu.Unlock()
	for id, t := range existing {
		if err := p.attach(id, t); err != nil {
			r.drop(p)
			return nil, err
		}
	}
	p.offer()
	return p, nil
}

// forward reads a participant's microphone and passes packets on while they
// are on air; otherwise the packets are read and dropped.
func (r *room) forward(p *Peer, remote *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
	levelID := 0
	for _, ext := range recv.GetParameters().HeaderExtensions {
		if ext.URI == sdp.AudioLevelURI {
			levelID = ext.ID
		}
	}
	r.mu.Lock()
	gate := r.gate(p.id)
	r.mu.Unlock()
	det := newDetector(r.srv.cfg, func(on bool) { r.srv.speaking(r.id, p.id, on) })
	defer det.stop()
	m := r.srv.metrics
	var gap seqGap
	for {
		pkt, _, err := remote.ReadRTP()
		if err != nil {
			return
		}
		m.received.Inc()
		if n := gap.next(pkt.SequenceNumber); n > 0 {
			m.lost.Add(float64(n))
		}
		if !gate.Load() {
			m.gated.Inc()
			det.stop()
			continue
		}
		if levelID != 0 {
			if raw := pkt.GetExtension(uint8(levelID)); raw != nil {
				var lvl rtp.AudioLevelExtension
				if lvl.Unmarshal(raw) == nil {
					det.observe(lvl.Level, pkt.Timestamp)
				}
			}
		}
		r.mu.Lock()
		track := r.tracks[p.id]
		if r.voice[p.id] != p {
			track = nil // another of their connections speaks
		}
		listeners := len(r.peers) - 1
		r.mu.Unlock()
		if track == nil {
			m.gated.Inc()
		} else {
			m.forwarded.Add(float64(listeners))
			if err := track.WriteRTP(pkt); err != nil && !errors.Is(err, net.ErrClosed) {
				r.srv.log.Debug("forwarding", slog.Any("err", err))
			}
		}
	}
}

// leave closes every connection of a participant.
func (r *room) leave(peerID string) {
	r.mu.Lock()
	var theirs []*Peer
	for p := range r.peers {
		if p.id == peerID {
			theirs = append(theirs, p)
		}
	}
	r.mu.Unlock()
	for _, p := range theirs {
		r.drop(p)
	}
}

// drop closes one connection. If it was the participant's last, their
// outgoing track is removed from everyone else; otherwise another of their
// connections speaks for them.
func (r *room) drop(p *Peer) {
	r.mu.Lock()
	if _, ok := r.peers[p]; !ok {
		r.mu.Unlock()
		p.close()
		return
	}
	delete(r.peers, p)
	published := false
	if r.voice[p.id] == p {
		delete(r.voice, p.id)
		for o := range r.peers {
			if o.id == p.id {
				r.voice[p.id] = o
				break
			}
		}
		if r.voice[p.id] == nil {
			delete(r.air, p.id)
			_, published = r.tracks[p.id]
			delete(r.tracks, p.id)
		}
	}
	others := make([]*Peer, 0, len(r.peers))
	for o := range r.peers {
		others = append(others, o)
	}
	empty := len(r.peers) == 0
	r.mu.Unlock()
	p.close()
	if published {
		for _, o := range others {
			o.removeTrack(p.id)
		}
	}
	if empty {
		r.srv.mu.Lock()
		if r.srv.rooms[r.id] == r {
			delete(r.srv.rooms, r.id)
		}
		r.srv.mu.Unlock()
	}
}

func (r *room) close() {
	r.mu.Lock()
	peers := r.peers
	r.peers = map[*Peer]struct{}{}
	r.voice = map[string]*Peer{}
	r.tracks = map[string]*webrtc.TrackLocalStaticRTP{}
	r.mu.Unlock()
	for p := range peers {
		p.close()
	}
}

// trackChange is an outgoing track to add (track set) or remove, held while
// an offer is out: a peer connection's transceivers change only between
// negotiations.
type trackChange struct {
	publisher string
	track     *webrtc.TrackLocalStaticRTP
}

// Peer is one participant's connection.
type Peer struct {
	room *room
	id   string
	pc   *webrtc.PeerConnection
	send func(Signal)

	sendMu  sync.Mutex                // orders the offer before its candidates
	pending []webrtc.ICECandidateInit // candidates that came before the answer

	mu      sync.Mutex
	senders map[string]*webrtc.RTPSender
	// negotiating: an offer is out, or the first answer is in but the
	// connection is not up yet. A client that gets a second offer before
	// its transports have started may restart ICE in its answer (Pion
	// does), which this side does not follow; so the first negotiation
	// ends only when the connection is up.
	negotiating bool
	connected   bool // the connection has been up at least once
	answered    bool // the answer to the latest offer is in
	queued      []trackChange
	offered     bool // the first offer (with the ICE servers) went out
	closed      bool
}

// Signal takes a message from the client: an answer or a candidate.
func (p *Peer) Signal(sig Signal) error {
	switch sig.Type {
	case "answer":
		if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sig.SDP}); err != nil {
			return err
		}
		p.mu.Lock()
		early := p.pending
		p.pending, p.answered = nil, true
		queued, again := p.nextLocked()
		p.mu.Unlock()
		for _, c := range early {
			if err := p.pc.AddICECandidate(c); err != nil {
				return err
			}
		}
		if again {
			p.apply(queued)
			p.offer()
		}
		return nil
	case "candidate":
		if sig.Candidate == nil {
			return errors.New("candidate without a candidate")
		}
		p.mu.Lock()
		if p.pc.RemoteDescription() == nil {
			// A client may send candidates before its answer arrives here.
			p.pending = append(p.pending, *sig.Candidate)
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		return p.pc.AddICECandidate(*sig.Candidate)
	}
	return fmt.Errorf("unexpected signal %q: the server makes the offers", sig.Type)
}

// Leave closes this connection. Unlike Server.Leave it leaves alone the
// participant's other connections (a reconnect, another tab).
func (p *Peer) Leave() { p.room.drop(p) }

// SignalJSON decodes and applies a client message.
func (p *Peer) SignalJSON(raw json.RawMessage) error {
	var sig Signal
	if err := json.Unmarshal(raw, &sig); err != nil {
		return err
	}
	return p.Signal(sig)
}

// nextLocked ends a negotiation once its answer is in and the connection
// has been up: it returns the changes queued meanwhile and whether to offer
// again (the peer then stays in negotiation: nothing else may touch its
// transceivers until the next answer). The caller holds p.mu.
func (p *Peer) nextLocked() ([]trackChange, bool) {
	if !p.answered || !p.connected || p.closed {
		return nil, false
	}
	queued := p.queued
	p.queued = nil
	p.negotiating = len(queued) > 0
	if p.negotiating {
		p.answered = false
	}
	return queued, p.negotiating
}

// up is called when the connection is first established: changes queued
// during the first negotiation are offered now.
func (p *Peer) up() {
	p.mu.Lock()
	if p.connected {
		p.mu.Unlock()
		return
	}
	p.connected = true
	queued, again := p.nextLocked()
	p.mu.Unlock()
	if again {
		p.apply(queued)
		p.offer()
	}
}

// change adds or removes an outgoing track now, or after the negotiation in
// flight. The client never offers, so offers never cross.
func (p *Peer) change(c trackChange) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	if p.negotiating {
		p.queued = append(p.queued, c)
		p.mu.Unlock()
		return
	}
	p.negotiating, p.answered = true, false
	p.mu.Unlock()
	p.apply([]trackChange{c})
	p.offer()
}

func (p *Peer) apply(changes []trackChange) {
	for _, c := range changes {
		if c.track != nil {
			if err := p.attach(c.publisher, c.track); err != nil {
				p.room.srv.log.Warn("adding a track", slog.String("peer", p.id), slog.Any("err", err))
			}
			continue
		}
		p.mu.Lock()
		sender := p.senders[c.publisher]
		delete(p.senders, c.publisher)
		p.mu.Unlock()
		if sender != nil {
			if err := p.pc.RemoveTrack(sender); err != nil {
				p.room.srv.log.Debug("removing a track", slog.String("peer", p.id), slog.Any("err", err))
			}
		}
	}
}

// offer sends a new offer; the caller has set negotiating.
func (p *Peer) offer() {
	p.sendMu.Lock()
	defer p.sendMu.Unlock()
	offer, err := p.pc.CreateOffer(nil)
	if err == nil {
		err = p.pc.SetLocalDescription(offer)
	}
	if err != nil {
		p.room.srv.log.Warn("offering", slog.String("peer", p.id), slog.Any("err", err))
		p.mu.Lock()
		p.negotiating = false
		p.mu.Unlock()
		return
	}
	sig := Signal{Type: "offer", SDP: offer.SDP}
	p.mu.Lock()
	if !p.offered {
		sig.ICEServers, p.offered = p.room.srv.iceServers(p.id), true
	}
	p.mu.Unlock()
	p.send(sig)
}

// attach adds a publisher's track without offering (the caller offers).
func (p *Peer) attach(publisher string, track *webrtc.TrackLocalStaticRTP) error {
	tr, err := p.pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	if err != nil {
		return err
	}
	sender := tr.Sender()
	p.mu.Lock()
	p.senders[publisher] = sender
	p.mu.Unlock()
	// Read RTCP so the interceptors (reports, feedback) work, and take the
	// loss the listener reports.
	go func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := sender.Read(buf)
			if err != nil {
				return
			}
			p.room.srv.metrics.observeRTCP(buf[:n])
		}
	}()
	return nil
}

func (p *Peer) addTrack(publisher string, track *webrtc.TrackLocalStaticRTP) {
	p.change(trackChange{publisher: publisher, track: track})
}

func (p *Peer) removeTrack(publisher string) {
	p.change(trackChange{publisher: publisher})
}

func (p *Peer) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	p.mu.Unlock()
	if err := p.pc.Close(); err != nil {
		p.room.srv.log.Debug("closing a peer", slog.Any("err", err))
	}
}

// detector turns audio levels into speaking/stopped with hysteresis, timed
// by the RTP clock (48 kHz) so it does not depend on packet arrival times.
// While speaking, a wall-clock timer of the hold time also runs, reset by
// every packet: a speaker whose packets stop altogether (a frozen tab, a
// lost network) stops speaking then, not when the connection fails.
type detector struct {
	level          uint8
	attack, hold   uint32 // in RTP ticks
	idle           time.Duration
	emit           func(bool)
	mu             sync.Mutex // the idle timer's callback runs on its own goroutine
	speaking       bool
	loudSince      uint32
	lastLoud       uint32
	loud, haveLoud bool
	timer          *time.Timer
}

func newDetector(cfg Config, emit func(bool)) *detector {
	ticks := func(d time.Duration) uint32 { return uint32(d.Seconds() * 48000) }
	return &detector{level: cfg.SpeakingLevel, attack: ticks(cfg.SpeakingAttack), hold: ticks(cfg.SpeakingHold),
		idle: cfg.SpeakingHold, emit: emit}
}

func (d *detector) observe(level uint8, ts uint32) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.speaking {
		d.timer.Reset(d.idle)
	}
	if level <= d.level { // lower is louder
		if !d.loud {
			d.loud, d.loudSince = true, ts
		}
		d.lastLoud, d.haveLoud = ts, true
		if !d.speaking && ts-d.loudSince >= d.attack {
			d.speaking = true
			if d.timer == nil {
				d.timer = time.AfterFunc(d.idle, d.stop)
			} else {
				d.timer.Reset(d.idle)
			}
			d.emit(true)
		}
		return
	}
	d.loud = false
	if d.speaking && d.haveLoud && ts-d.lastLoud >= d.hold {
		d.speaking = false
		d.timer.Stop()
		d.emit(false)
	}
}

// stop ends a speaking state (the gate closed, the track ended, or no
// packet came for the hold time).
func (d *detector) stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.loud = false
	if d.timer != nil {
		d.timer.Stop()
	}
	if d.speaking {
		d.speaking = false
		d.emit(false)
	}
}
