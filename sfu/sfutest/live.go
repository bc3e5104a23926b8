package sfutest

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/sfu"
)

// OverLive joins the audio of a live room through its socket, as the web
// app does: it sends rtc {"type":"join"}, answers the server's offers and
// trickles candidates as rtc messages. The socket's other messages, and a
// server's "rejoin" signal (the node hosting the audio is gone), go to
// other (which may be nil). The client reads lc until it closes; lc must
// not be read by anyone else.
func OverLive(ctx context.Context, lc *liveclient.Client, opts Options, other func(*liveclient.Message)) (*Client, error) {
	var mu sync.Mutex // one writer at a time on the socket
	rtc := func(sig any) error {
		b, err := json.Marshal(sig)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		_, err = lc.Send(context.Background(), live.Command{Type: live.CmdRTC, Signal: b})
		return err
	}
	c, err := New(opts, func(sig sfu.Signal) error { return rtc(sig) })
	if err != nil {
		return nil, err
	}
	go func() {
		for {
			m, err := lc.Next(context.Background())
			if err != nil {
				return
			}
			if m.Type != live.MsgRTC {
				if other != nil {
					other(m)
				}
				continue
			}
			var msg struct{ Signal sfu.Signal }
			if m.Decode(&msg) == nil {
				if msg.Signal.Type == "rejoin" && other != nil {
					other(m) // the caller decides how to join again
					continue
				}
				c.Handle(msg.Signal)
			}
		}
	}()
	if err := rtc(map[string]string{"type": "join"}); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}
