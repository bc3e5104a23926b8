package app

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pion/webrtc/v4"

	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/sfu"
)

// media adapts the audio server to what the live rooms need.
type media struct{ s *sfu.Server }

func (m media) Join(roomID, peerID string, send func(json.RawMessage)) (live.MediaPeer, error) {
	p, err := m.s.Join(roomID, peerID, func(sig sfu.Signal) {
		if b, err := json.Marshal(sig); err == nil {
			send(b)
		}
	})
	if err != nil {
		return nil, err
	}
	return mediaPeer{p}, nil
}

func (m media) SetOnAir(roomID, peerID string, on bool) { m.s.SetOnAir(roomID, peerID, on) }
func (m media) CloseRoom(roomID string)                 { m.s.CloseRoom(roomID) }

type mediaPeer struct{ p *sfu.Peer }

func (mp mediaPeer) Signal(msg json.RawMessage) error { return mp.p.SignalJSON(msg) }
func (mp mediaPeer) Leave()                           { mp.p.Leave() }

// parseICEServers reads -rtc-ice-servers: stun:host:port, or
// turn:user:pass@host:port for static TURN credentials.
func parseICEServers(list []string) ([]webrtc.ICEServer, error) {
	var out []webrtc.ICEServer
	for _, s := range list {
		scheme, rest, ok := strings.Cut(s, ":")
		if !ok || (scheme != "stun" && scheme != "stuns" && scheme != "turn" && scheme != "turns") {
			return nil, fmt.Errorf("%q is not a stun: or turn: URL", s)
		}
		srv := webrtc.ICEServer{URLs: []string{s}}
		if creds, host, ok := strings.Cut(rest, "@"); ok {
			user, pass, _ := strings.Cut(creds, ":")
			srv = webrtc.ICEServer{URLs: []string{scheme + ":" + host}, Username: user, Credential: pass}
		}
		out = append(out, srv)
	}
	return out, nil
}
