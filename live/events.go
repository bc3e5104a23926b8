package live

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ask2live/ask2live"
)

const feedTopic = "feed"

// FeedEvent is one server-sent event of GET /api/v1/events.
type FeedEvent struct {
	Type    string            `json:"type"` // session.live, session.ended, session.updated, session.presence
	Session *ask2live.Session `json:"session,omitempty"`
	// session.presence: how many are in the session's live room now.
	SessionID        string `json:"session_id,omitempty"`
	ParticipantCount *int   `json:"participant_count,omitempty"`
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
	if s.State == ask2live.StateLive {
		shared.ParticipantCount = h.ParticipantCount(s.ID)
	}
	h.publishFeedEvent(FeedEvent{Type: kind, Session: &shared})
}

// publishCount tells the main page's stream how many people are in a
// session's live room.
func (h *Hub) publishCount(sessionID string, n int) {
	h.publishFeedEvent(FeedEvent{Type: "session.presence", SessionID: sessionID, ParticipantCount: &n})
}

func (h *Hub) publishFeedEvent(ev FeedEvent) {
	b, err := json.Marshal(ev)
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
		h.stream(w, r, streamSource{topic: feedTopic, pick: func(msg []byte) (string, []byte) {
			var ev FeedEvent
			if json.Unmarshal(msg, &ev) != nil {
				return "", nil
			}
			return ev.Type, msg
		}})
	})
}

// SessionEvents serves GET /api/v1/sessions/{id}/events: the server-sent
// events of one session, for the pages that show it outside its live room
// (its detail page and archive), so they follow it without polling. They are
// the room's question, question_deleted and team events (before, during and
// after the live session) and the main page's events about this session. Like the
// main page's stream it carries only public data and needs no credentials.
func (h *Hub) SessionEvents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if _, err := h.svc.Session(r.Context(), id, nil); err != nil {
			code := ask2live.ErrorCode(err)
			status := http.StatusServiceUnavailable
			if code == ask2live.ENotFound {
				status = http.StatusNotFound
			}
			problem(w, status, code, ask2live.ErrorMessage(err))
			return
		}
		room := streamSource{topic: topic(id), pick: func(msg []byte) (string, []byte) {
			var ev Event
			if json.Unmarshal(msg, &ev) != nil || (ev.Type != EvQuestion && ev.Type != EvQuestionDeleted && ev.Type != EvTeam) {
				return "", nil
			}
			if ev.Question != nil && ev.Question.Anonymous {
				// The stream is public: an anonymous question goes without
				// its author.
				ev.Question = ev.Question.ForAudience()
				b, err := json.Marshal(ev)
				if err != nil {
					return "", nil
				}
				return ev.Type, b
			}
			return ev.Type, msg
		}}
		feed := streamSource{topic: feedTopic, pick: func(msg []byte) (string, []byte) {
			var ev FeedEvent
			if json.Unmarshal(msg, &ev) != nil || (ev.SessionID != id && (ev.Session == nil || ev.Session.ID != id)) {
				return "", nil
			}
			return ev.Type, msg
		}}
		h.stream(w, r, room, feed)
	})
}

// streamSource is a topic an event stream forwards: pick names the event a
// message becomes and gives the data to send ("" leaves it out).
type streamSource struct {
	topic string
	pick  func(msg []byte) (string, []byte)
}

// stream serves server-sent events: the picked messages of the sources, each
// as it was published, until the client leaves or the hub closes.
func (h *Hub) stream(w http.ResponseWriter, r *http.Request, sources ...streamSource) {
	rc := http.NewResponseController(w)
	type picked struct {
		name string
		msg  []byte
	}
	queue := make(chan picked, 64)
	overflow := make(chan struct{})
	var mu sync.Mutex // the sources deliver on goroutines of their own
	var full bool
	for _, src := range sources {
		cancel, _ := h.bus.Subscribe(src.topic, false, func(_ uint64, msg []byte) {
			name, msg := src.pick(msg)
			if name == "" {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if full {
				return
			}
			select {
			case queue <- picked{name, msg}:
			default:
				full = true
				close(overflow)
			}
		})
		defer cancel()
	}
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
		case ev := <-queue:
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, ev.msg)
		case <-beat.C:
			fmt.Fprint(w, ": heartbeat\n\n")
		}
		if rc.Flush() != nil {
			return
		}
	}
}
