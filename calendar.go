package ask2live

import (
	"context"
	"time"
)

// Calendars: a session can be added to a calendar app as an iCalendar
// event (RFC 5545), and each user may have one secret feed of the sessions
// they wished that calendar apps subscribe to. The feed's address carries
// the secret, since calendar apps send no cookies; only its hash is stored,
// as for log-in credentials.

// CalendarStatus is a session's iCalendar STATUS: tentative while it is
// still gathering wishes or waiting for the host's confirmation, confirmed
// once scheduled (and while live or after it ran), cancelled when cancelled.
func CalendarStatus(st SessionState) string {
	switch st {
	case StateRecruiting, StateReady:
		return "TENTATIVE"
	case StateCancelled:
		return "CANCELLED"
	}
	return "CONFIRMED"
}

// CalendarRevised reports whether a change from before to after is one a
// calendar must take over: the time or the status changed. Each such change
// raises the session's CalendarSequence (RFC 5545 SEQUENCE), so calendar
// apps replace the copy they hold instead of keeping the old time.
func CalendarRevised(before, after *Session) bool {
	if CalendarStatus(before.State) != CalendarStatus(after.State) {
		return true
	}
	switch {
	case before.StartsAt == nil && after.StartsAt == nil:
		return false
	case before.StartsAt == nil || after.StartsAt == nil:
		return true
	}
	return !before.StartsAt.Equal(*after.StartsAt)
}

// CalendarDuration is how long a session lasts in calendars: sessions have
// a start time but no planned end.
const CalendarDuration = time.Hour

// CalendarKeep is how long after a session ends or is cancelled a feed
// still lists it: long enough for every calendar app to fetch the change
// (a cancelled event is then struck out rather than left in place), and
// so that a session that just ran does not vanish from the calendar.
const CalendarKeep = 30 * 24 * time.Hour

// CalendarFeedMax bounds the sessions in one feed.
const CalendarFeedMax = 500

// CalendarStore keeps the secret calendar feeds: one per user at most.
type CalendarStore interface {
	// SetCalendarFeed makes hash the user's feed secret, replacing the one
	// before (whose address stops working at once).
	SetCalendarFeed(ctx context.Context, userID, hash string, now time.Time) error
	// DeleteCalendarFeed removes the user's feed; a user without one is
	// not an error.
	DeleteCalendarFeed(ctx context.Context, userID string) error
	// CalendarFeedCreated returns when the user's feed secret was made;
	// ENotFound when the user has none.
	CalendarFeedCreated(ctx context.Context, userID string) (time.Time, error)
	// CalendarFeedUser returns the owner of the feed whose secret hashes to
	// hash; ENotFound when there is none, and for a suspended or deleted
	// owner.
	CalendarFeedUser(ctx context.Context, hash string) (*User, error)
	// CalendarSessions returns the sessions userID wished that a calendar
	// shows: those with a time that are not over, or that ended or were
	// cancelled at or after since; soonest start first, at most limit,
	// with Host.
	CalendarSessions(ctx context.Context, userID string, since time.Time, limit int) ([]*Session, error)
}

// CalendarFeedState says whether the user has a feed, and since when. The
// feed's address is shown only when it is made: the server keeps no copy.
type CalendarFeedState struct {
	Active    bool       `json:"active"`
	CreatedAt *time.Time `json:"created_at"`
}

// NewCalendarFeed is a freshly made feed secret.
type NewCalendarFeed struct {
	Token     string
	CreatedAt time.Time
}

// calendarTokenLen is the length of every secret NewToken returns.
const calendarTokenLen = 52

// validCalendarToken reports whether s has the form of a feed secret, so
// that anything else is refused without a look-up.
func validCalendarToken(s string) bool {
	if len(s) != calendarTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// SessionCalendar returns a session to add to a calendar: one that has a
// time and is not over. An ended or cancelled session is EWrongState (a
// calendar entry for it helps nobody), as is one without a time.
func (s *Service) SessionCalendar(ctx context.Context, id string) (*Session, error) {
	sess, err := s.publicSession(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case sess.State == StateEnded:
		return nil, Errorf(EWrongState, "the session has ended: there is nothing left to add to a calendar")
	case sess.State == StateCancelled:
		return nil, Errorf(EWrongState, "the session was cancelled")
	case sess.StartsAt == nil:
		return nil, Errorf(EWrongState, "the session has no time yet")
	}
	return sess, nil
}

// CalendarFeed says whether the actor has a calendar feed.
func (s *Service) CalendarFeed(ctx context.Context, actor *User) (*CalendarFeedState, error) {
	if err := requireUser(actor); err != nil {
		return nil, err
	}
	at, err := s.Store.CalendarFeedCreated(ctx, actor.ID)
	if ErrorCode(err) == ENotFound {
		return &CalendarFeedState{}, nil
	}
	if err != nil {
		return nil, err
	}
	return &CalendarFeedState{Active: true, CreatedAt: &at}, nil
}

// CreateCalendarFeed makes a new secret for the actor's calendar feed; the
// address of an earlier one stops working.
func (s *Service) CreateCalendarFeed(ctx context.Context, actor *User) (*NewCalendarFeed, error) {
	if err := requireUser(actor); err != nil {
		return nil, err
	}
	feed := &NewCalendarFeed{Token: NewToken(), CreatedAt: s.now()}
	if err := s.Store.SetCalendarFeed(ctx, actor.ID, HashToken(feed.Token), feed.CreatedAt); err != nil {
		return nil, err
	}
	return feed, nil
}

// RevokeCalendarFeed turns the actor's calendar feed off.
func (s *Service) RevokeCalendarFeed(ctx context.Context, actor *User) error {
	if err := requireUser(actor); err != nil {
		return err
	}
	return s.Store.DeleteCalendarFeed(ctx, actor.ID)
}

// CalendarFeedOwner returns the owner of the feed with the secret token.
// An unknown, rotated or revoked secret, like one whose owner was
// suspended or deleted, is ENotFound.
func (s *Service) CalendarFeedOwner(ctx context.Context, token string) (*User, error) {
	if !validCalendarToken(token) {
		return nil, Errorf(ENotFound, "no such calendar feed")
	}
	u, err := s.Store.CalendarFeedUser(ctx, HashToken(token))
	if ErrorCode(err) == ENotFound {
		return nil, Errorf(ENotFound, "no such calendar feed")
	}
	return u, err
}

// CalendarFeedSessions returns the sessions the owner's feed lists: the
// ones they wished that have a time, unless they ended or were cancelled
// more than CalendarKeep ago.
func (s *Service) CalendarFeedSessions(ctx context.Context, owner *User) ([]*Session, error) {
	return s.Store.CalendarSessions(ctx, owner.ID, s.now().Add(-CalendarKeep), CalendarFeedMax)
}
