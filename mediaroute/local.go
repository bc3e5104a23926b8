package mediaroute

import (
	"encoding/json"

	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/sfu"
)

// Local is this node's audio server as the live rooms see it; a Router
// wraps it in a cluster, a single node uses it alone.
func Local(s *sfu.Server) live.Media { return local{s} }

type local struct{ s *sfu.Server }

// Join never calls fail: this node's audio server answers every
// signalling message at once.
func (m local) Join(roomID, peerID string, send func(json.RawMessage), _ func(error)) (live.MediaPeer, error) {
	p, err := m.s.Join(roomID, peerID, func(sig sfu.Signal) {
		if b, err := json.Marshal(sig); err == nil {
			send(b)
		}
	})
	if err != nil {
		return nil, err
	}
	return peer{p}, nil
}

type peer struct{ p *sfu.Peer }

func (p peer) Signal(msg json.RawMessage) error { return p.p.SignalJSON(msg) }
func (p peer) Leave()                           { p.p.Leave() }

func (m local) SetOnAir(roomID, peerID string, on bool) { m.s.SetOnAir(roomID, peerID, on) }
func (m local) CloseRoom(roomID string)                 { m.s.CloseRoom(roomID) }
