package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/sfu"
)

// voicePeer is a participant with a Pion peer connection whose signalling
// runs over the live-room socket, as the web app's does.
type voicePeer struct {
	name  string
	lc    *liveclient.Client
	pc    *webrtc.PeerConnection
	mic   *webrtc.TrackLocalStaticRTP
	heard chan string // payloads received, "from:payload"
	n     int
}

func newVoicePeer(t *testing.T, ctx context.Context, url, sessionID string, c *apiclient.Client, name string, mic bool) *voicePeer {
	t.Helper()
	lc, err := liveclient.Dial(ctx, url, sessionID, c.Token, liveclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lc.Drop() })
	se := webrtc.SettingEngine{}
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	se.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	se.SetInterfaceFilter(func(n string) bool { return n == "lo" })
	me := &webrtc.MediaEngine{}
	if err := me.RegisterDefaultCodecs(); err != nil {
		t.Fatal(err)
	}
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(me), webrtc.WithSettingEngine(se)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	v := &voicePeer{name: name, lc: lc, pc: pc, heard: make(chan string, 1024)}
	if mic {
		v.mic, _ = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "mic", name)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			select {
			case v.heard <- tr.StreamID() + ":" + string(pkt.Payload):
			default:
			}
		}
	})
	var sendMu sync.Mutex
	rtc := func(sig sfu.Signal) {
		b, _ := json.Marshal(sig)
		sendMu.Lock()
		defer sendMu.Unlock()
		lc.Send(context.Background(), live.Command{Type: live.CmdRTC, Signal: b})
	}
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			init := c.ToJSON()
			rtc(sfu.Signal{Type: "candidate", Candidate: &init})
		}
	})
	// Signalling loop: the server offers, we answer.
	go func() {
		attached := false
		for {
			m, err := lc.Next(context.Background())
			if err != nil {
				return
			}
			if m.Type != live.MsgRTC {
				continue
			}
			var msg struct{ Signal sfu.Signal }
			if m.Decode(&msg) != nil {
				continue
			}
			switch msg.Signal.Type {
			case "offer":
				if pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: msg.Signal.SDP}) != nil {
					return
				}
				if v.mic != nil && !attached {
					pc.AddTrack(v.mic)
					attached = true
				}
				answer, err := pc.CreateAnswer(nil)
				if err != nil || pc.SetLocalDescription(answer) != nil {
					return
				}
				rtc(sfu.Signal{Type: "answer", SDP: answer.SDP})
			case "candidate":
				pc.AddICECandidate(*msg.Signal.Candidate)
			}
		}
	}()
	b, _ := json.Marshal(map[string]string{"type": "join"})
	if _, err := lc.Send(ctx, live.Command{Type: live.CmdRTC, Signal: b}); err != nil {
		t.Fatal(err)
	}
	return v
}

func (v *voicePeer) talk() {
	v.n++
	v.mic.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(v.n), Timestamp: uint32(v.n * 960)},
		Payload: []byte(fmt.Sprintf("%s#%d", v.name, v.n))})
}

// hears waits until listener receives from speaker, who keeps talking.
func hears(t *testing.T, listener, speaker *voicePeer) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case h := <-listener.heard:
			if strings.HasPrefix(h, speaker.name+":") {
				return
			}
		case <-tick.C:
			speaker.talk()
		case <-deadline:
			t.Fatalf("%s never heard %s", listener.name, speaker.name)
		}
	}
}

// TestVoiceThroughTheProgram: signalling over the live socket; the host is
// heard by a guest; a guest granted the mic over the live protocol is
// heard by the host.
func TestVoiceThroughTheProgram(t *testing.T) {
	url, stop := boot(t, "sqlite:"+t.TempDir()+"/a.db")
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	hostC, _, err := apiclient.New(url, nil).Register(ctx, "host", "password-host", "호스트")
	if err != nil {
		t.Fatal(err)
	}
	guestC, _, err := apiclient.New(url, nil).Register(ctx, "guest", "password-guest", "손님")
	if err != nil {
		t.Fatal(err)
	}
	s, err := hostC.CreateSession(ctx, ask2live.SessionInput{Title: "목소리", OpenNow: true})
	if err != nil {
		t.Fatal(err)
	}
	host := newVoicePeer(t, ctx, url, s.ID, hostC, "host", true)
	guest := newVoicePeer(t, ctx, url, s.ID, guestC, "guest", true)
	hears(t, guest, host)

	// A separate socket for the host's commands (the first one's messages
	// are read by its signalling loop).
	cmd, err := liveclient.Dial(ctx, url, s.ID, hostC.Token, liveclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cmd.Drop()
	if _, err := cmd.Do(ctx, live.Command{Type: live.CmdGrantMic, Username: "guest"}); err != nil {
		t.Fatal(err)
	}
	hears(t, host, guest)
}
