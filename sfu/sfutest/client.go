// Package sfutest is a participant for the audio server built on a real Pion
// peer connection: the tests, the end-to-end voice test and the audio
// benchmark all use it. The server offers; the client answers, trickles its
// candidates and, with a microphone, sends Opus-typed RTP packets through
// the slot the server's first offer opens.
package sfutest

import (
	"errors"
	"fmt"
	"sync"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"github.com/ask2live/ask2live/sfu"
)

// Opus is the codec the clients announce.
var Opus = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2,
	SDPFmtpLine: "minptime=10;useinbandfec=1"}

// Options configure a client.
type Options struct {
	ID  string // the participant; names the microphone's stream
	Mic bool   // publish a microphone track
	// OnPacket gets every received packet with the publisher it came from
	// (the track's stream ID); it runs on the track's reading goroutine.
	OnPacket func(from string, pkt *rtp.Packet)
	// Relay makes the client use only relayed (TURN) candidates, through
	// the ICE servers of the server's first offer.
	Relay bool
	// TCP makes the client use only ICE over TCP (as behind a firewall
	// that blocks UDP).
	TCP bool
}

// Client is one participant.
type Client struct {
	ID string
	PC *webrtc.PeerConnection

	send     func(sfu.Signal) error
	opts     Options
	api      *webrtc.API
	mic      *webrtc.TrackLocalStaticRTP
	signals  chan sfu.Signal
	done     chan struct{}
	loopDone chan struct{}
	up       chan struct{}
	upOnce   sync.Once
	readers  sync.WaitGroup // RTCP readers, which end with the connection
	closeErr error

	mu      sync.Mutex
	levelID uint8 // negotiated audio-level extension of the mic; 0 if none
	err     error // the first signalling failure
	answers int
}

// New builds a client whose signalling to the server goes through send.
// Nothing happens until the first offer arrives through Handle.
func New(opts Options, send func(sfu.Signal) error) (*Client, error) {
	me := &webrtc.MediaEngine{}
	if err := me.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: Opus, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	if err := me.RegisterHeaderExtension(webrtc.RTPHeaderExtensionCapability{URI: sdp.AudioLevelURI}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if opts.TCP {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeTCP4})
	} else {
		se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	}
	se.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	c := &Client{ID: opts.ID, send: send, opts: opts, signals: make(chan sfu.Signal, 256),
		done: make(chan struct{}), loopDone: make(chan struct{}), up: make(chan struct{}),
		api: webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se))}
	if opts.Mic {
		var err error
		if c.mic, err = webrtc.NewTrackLocalStaticRTP(Opus, "mic", opts.ID); err != nil {
			return nil, err
		}
	}
	go c.loop()
	return c, nil
}

// Handle takes a message from the server. Messages are applied in order on
// the client's own goroutine.
func (c *Client) Handle(sig sfu.Signal) {
	select {
	case c.signals <- sig:
	case <-c.done:
	}
}

// Up is closed when the connection is first established.
func (c *Client) Up() <-chan struct{} { return c.up }

// Err is the first signalling failure, if any.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Answers counts the answers sent so far (one per offer).
func (c *Client) Answers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.answers
}

func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = fmt.Errorf("%s: %w", c.ID, err)
	}
	c.mu.Unlock()
}

func (c *Client) loop() {
	defer close(c.loopDone)
	for {
		var sig sfu.Signal
		select {
		case sig = <-c.signals:
		case <-c.done:
			return
		}
		var err error
		switch sig.Type {
		case "offer":
			err = c.answer(sig)
		case "candidate":
			if sig.Candidate == nil {
				err = errors.New("a candidate message without a candidate")
			} else if c.PC != nil {
				err = c.PC.AddICECandidate(*sig.Candidate)
			}
		}
		if err != nil {
			c.fail(err)
			return
		}
	}
}

// connect makes the peer connection with the first offer's ICE servers.
func (c *Client) connect(servers []webrtc.ICEServer) error {
	cfg := webrtc.Configuration{ICEServers: servers}
	if c.opts.Relay {
		cfg.ICETransportPolicy = webrtc.ICETransportPolicyRelay
	}
	pc, err := c.api.NewPeerConnection(cfg)
	if err != nil {
		return err
	}
	c.PC = pc
	pc.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected {
			c.upOnce.Do(func() { close(c.up) })
		}
	})
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			if c.opts.OnPacket != nil {
				c.opts.OnPacket(tr.StreamID(), pkt)
			}
		}
	})
	pc.OnICECandidate(func(ic *webrtc.ICECandidate) {
		if ic == nil {
			return
		}
		init := ic.ToJSON()
		if err := c.send(sfu.Signal{Type: "candidate", Candidate: &init}); err != nil {
			c.fail(err)
		}
	})
	return nil
}

func (c *Client) answer(sig sfu.Signal) error {
	first := c.PC == nil
	if first {
		if err := c.connect(sig.ICEServers); err != nil {
			return err
		}
	}
	if err := c.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: sig.SDP}); err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	if first && c.mic != nil {
		// The microphone goes into the slot of the first offer; its RTCP
		// is read so the interceptors work.
		sender, err := c.PC.AddTrack(c.mic)
		if err != nil {
			return fmt.Errorf("attaching the microphone: %w", err)
		}
		c.readers.Add(1)
		go func() {
			defer c.readers.Done()
			buf := make([]byte, 1500)
			for {
				if _, _, err := sender.Read(buf); err != nil {
					return
				}
			}
		}()
	}
	answer, err := c.PC.CreateAnswer(nil)
	if err == nil {
		err = c.PC.SetLocalDescription(answer)
	}
	if err == nil {
		err = c.send(sfu.Signal{Type: "answer", SDP: answer.SDP})
	}
	if err != nil {
		return fmt.Errorf("answering: %w", err)
	}
	c.mu.Lock()
	c.answers++
	c.mu.Unlock()
	if c.mic != nil {
		for _, tr := range c.PC.GetTransceivers() {
			if s := tr.Sender(); s != nil && s.Track() == c.mic {
				for _, ext := range s.GetParameters().HeaderExtensions {
					if ext.URI == sdp.AudioLevelURI {
						c.mu.Lock()
						c.levelID = uint8(ext.ID)
						c.mu.Unlock()
					}
				}
			}
		}
	}
	return nil
}

// Send writes one packet through the microphone with sequence number n
// (timestamps follow 20 ms frames) and, when negotiated, an RFC 6464 audio
// level (0 loudest … 127 silence).
func (c *Client) Send(n int, payload []byte, level uint8) error {
	if c.mic == nil {
		return errors.New("this client has no microphone")
	}
	pkt := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(n), Timestamp: uint32(n * 960)},
		Payload: payload}
	c.mu.Lock()
	id := c.levelID
	c.mu.Unlock()
	if id != 0 {
		raw, err := rtp.AudioLevelExtension{Level: level, Voice: level < 127}.Marshal()
		if err != nil {
			return err
		}
		if err := pkt.Header.SetExtension(id, raw); err != nil {
			return err
		}
	}
	return c.mic.WriteRTP(pkt)
}

// Close stops the client and its peer connection; it is safe to call twice.
func (c *Client) Close() error {
	select {
	case <-c.done:
		return c.closeErr
	default:
		close(c.done)
	}
	// The loop may be creating the connection: wait for it first.
	<-c.loopDone
	if c.PC != nil {
		c.closeErr = c.PC.Close()
	}
	c.readers.Wait()
	return c.closeErr
}
