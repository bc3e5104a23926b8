package live

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ask2live/ask2live"
)

// questionEvents publishes a node's question events so that a storm of
// votes — one guest toggling fast, a crowd voting at once — is a few room
// events, not one per vote. A room's vote changes go out at most once per
// interval: at once when the room's votes have been quiet, else together
// at the end of the interval. Each question is then read afresh from the
// store, so the latest count wins (an event carries the whole question:
// holding one back loses nothing). Every other question event goes out at
// once.
//
// This is the one place where a node publishes question events, all of a
// room's under one lock. A vote event is read under that lock, after the
// change it reports was stored, so it holds every change this node
// published before it. Other changes are published as the service read
// them, perhaps just before a vote: while votes are flowing, such a
// question is read again after the interval. Each node coalesces its own
// votes; events carry whole objects, so their order across nodes needs
// nothing more.
type questionEvents struct {
	h        *Hub
	interval time.Duration

	mu      sync.Mutex
	rooms   map[string]*voteRoom
	sweepAt int
	closed  bool
}

// voteRoom is one room's vote batch on this node.
type voteRoom struct {
	// publish is held while the room's question events are read and
	// published; take it before questionEvents.mu, never the other way.
	publish sync.Mutex

	// Guarded by questionEvents.mu.
	pending map[string]*ask2live.Question // changed since their last event, as reported
	due     *time.Timer                   // the flush at the end of the interval
	flushed time.Time                     // when the last flush began
	voted   time.Time                     // the last vote change
	users   int                           // goroutines that hold this room
}

// refreshWindow is how long after a vote another change of the room's
// questions is followed by a fresh read: the change was read before it
// was published, perhaps before that vote. It is longer than a change
// takes from its read to its publish.
const refreshWindow = 2 * time.Second

func newQuestionEvents(h *Hub, interval time.Duration) *questionEvents {
	return &questionEvents{h: h, interval: interval, rooms: map[string]*voteRoom{}, sweepAt: 64}
}

// hold returns the session's room, kept until release. Call with mu held.
func (e *questionEvents) hold(sessionID string) *voteRoom {
	r := e.rooms[sessionID]
	if r == nil {
		if len(e.rooms) >= e.sweepAt {
			e.sweep()
		}
		r = &voteRoom{pending: map[string]*ask2live.Question{}}
		e.rooms[sessionID] = r
	}
	r.users++
	return r
}

func (e *questionEvents) release(r *voteRoom) {
	e.mu.Lock()
	r.users--
	e.mu.Unlock()
}

// sweep forgets rooms with nothing held back whose interval is over: a new
// room is the same. Call with mu held.
func (e *questionEvents) sweep() {
	now := time.Now()
	for id, r := range e.rooms {
		if r.users == 0 && r.due == nil && len(r.pending) == 0 && now.Sub(r.flushed) > e.interval && now.Sub(r.voted) > refreshWindow {
			delete(e.rooms, id)
		}
	}
	e.sweepAt = max(64, 2*len(e.rooms))
}

// votesChanged takes a question whose votes changed, as the store returned
// it.
func (e *questionEvents) votesChanged(sessionID string, q *ask2live.Question) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		e.now(sessionID, []*ask2live.Question{q}, false)
		return
	}
	r := e.hold(sessionID)
	r.pending[q.ID] = q
	e.schedule(sessionID, r, time.Now(), true)
}

// schedule flushes the room's pending votes now if its interval is over,
// else at its end. Called with mu held and the room held; returns with mu
// released and the hold passed on (to a timer) or released.
func (e *questionEvents) schedule(sessionID string, r *voteRoom, now time.Time, vote bool) {
	if vote {
		r.voted = now
	}
	switch wait := r.flushed.Add(e.interval).Sub(now); {
	case r.due != nil: // the flush due takes these too
		r.users--
		e.mu.Unlock()
	case wait > 0:
		r.due = time.AfterFunc(wait, func() {
			e.mu.Lock()
			r.due = nil
			r.flushed = time.Now()
			e.mu.Unlock()
			e.flush(sessionID, r)
			e.release(r)
		})
		e.mu.Unlock()
	default:
		r.flushed = now
		e.mu.Unlock()
		e.flush(sessionID, r)
		e.release(r)
	}
}

// flush publishes the room's pending questions, each read afresh.
func (e *questionEvents) flush(sessionID string, r *voteRoom) {
	r.publish.Lock()
	defer r.publish.Unlock()
	e.mu.Lock()
	pending := r.pending
	r.pending = map[string]*ask2live.Question{}
	e.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for id, reported := range pending {
		q, err := e.h.svc.Store.QuestionByID(ctx, id, "")
		switch {
		case ask2live.ErrorCode(err) == ask2live.ENotFound:
			continue // deleted meanwhile; its question_deleted event is out
		case err != nil:
			// The store is written: what it returned with the vote is the
			// best this node knows.
			e.h.log.Warn("reading a question for its vote event", slog.String("session", sessionID), slog.Any("err", err))
			q = reported
		}
		e.h.publishQuestion(sessionID, q)
	}
}

// now publishes question events at once, in order with the room's other
// question events. With refresh, questions changed while votes were
// flowing are read again after the interval, in case this change was
// read before a vote.
func (e *questionEvents) now(sessionID string, qs []*ask2live.Question, refresh bool) {
	e.mu.Lock()
	r := e.hold(sessionID)
	e.mu.Unlock()
	r.publish.Lock()
	for _, q := range qs {
		e.h.publishQuestion(sessionID, q)
	}
	r.publish.Unlock()
	e.mu.Lock()
	if !refresh || e.closed || time.Since(r.voted) > refreshWindow {
		r.users--
		e.mu.Unlock()
		return
	}
	for _, q := range qs {
		r.pending[q.ID] = q
	}
	e.schedule(sessionID, r, time.Now(), false)
}

// deleted publishes a question's removal, in order with its other events.
func (e *questionEvents) deleted(sessionID, questionID string) {
	e.mu.Lock()
	r := e.hold(sessionID)
	e.mu.Unlock()
	r.publish.Lock()
	e.h.publish(sessionID, Event{Type: EvQuestionDeleted, QuestionID: questionID})
	r.publish.Unlock()
	e.release(r)
}

// settle publishes a room's pending votes now, and returns once every vote
// change reported before it was called is published.
func (e *questionEvents) settle(sessionID string) {
	e.mu.Lock()
	r := e.rooms[sessionID]
	if r == nil {
		e.mu.Unlock()
		return
	}
	r.users++
	if r.due != nil && r.due.Stop() {
		r.due = nil
		r.users-- // the timer's
	}
	e.mu.Unlock()
	// A timer that fired already took the room's pending votes under
	// publish, or will find them taken.
	e.flush(sessionID, r)
	e.release(r)
}

// close publishes every pending vote now; later changes go out at once.
func (e *questionEvents) close() {
	e.mu.Lock()
	e.closed = true
	ids := make([]string, 0, len(e.rooms))
	for id := range e.rooms {
		ids = append(ids, id)
	}
	e.mu.Unlock()
	for _, id := range ids {
		e.settle(id)
	}
}
