package live

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/ask2live/ask2live"
)

const feedTopic = "feed"

// FeedEvent is one server-sent event of GET /api/v1/events.
type FeedEvent struct {
	Type    string            `json:"type"` // session.live, session.ended, session.updated
	Session *ask2live.Session `json:"session"`
}

func (h *Hub) publishFeed(s *ask2live.Session) {
	kind := "session.updated"
	switch s.State {
	case ask2live.StateLive:
		kind = "session.live"
	case ask2live.StateEnded, ask2live.StateCancelled:
		kind = "session.ended"
	}
	shared := *s
	shared.WishedByMe = false // per viewer: clients know their own wishes
	b, err := json.Marshal(FeedEvent{Type: kind, Session: &shared})
	if err == nil {
		_, err = h.bus.Publish(context.Background(), feedTopic, b)
	}
	if err != nil {
		h.log.Error("publishing a feed event", "err", err)
	}
}

// Events serves GET /api/v1/events: a stream of server-sent events telling
// the main page when sessions go live, end or change, so it never polls.
// Anyone may listen; the events carry only public data. A client that
// cannot keep up is disconnected; EventSource reconnects by itself.
func (h *Hub) Events() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		queue := make(chan []byte, 64)
		overflow := make(chan struct{})
		var full bool
		cancel, _ := h.bus.Subscribe(feedTopic, false, func(seq uint64, msg []byte) {
			if full {
				return
			}
			select {
			case queue <- msg:
			default:
				full = true
				close(overflow)
			}
		})
		defer cancel()
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "retry: 3000\n: connected\n\n")
		if rc.Flush() != nil {
			return
		}
		beat := time.NewTicker(h.cfg.PingInterval)
		defer beat.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-overflow:
				return
			case <-h.quit:
				return
			case msg := <-queue:
				var ev FeedEvent
				if json.Unmarshal(msg, &ev) != nil {
					continue
				}
				fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, msg)
			case <-beat.C:
				fmt.Fprint(w, ": heartbeat\n\n")
			}
			if rc.Flush() != nil {
				return
			}
		}
	})
}
