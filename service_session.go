package ask2live

import (
	"context"
	"log/slog"
	"slices"
)

// CreateSession opens a session hosted by the actor. With OpenNow it goes live
// at once.
func (s *Service) CreateSession(ctx context.Context, actor *User, in SessionInput) (*Session, error) {
	if err := requireUser(actor); err != nil {
		return nil, err
	}
	now := s.now()
	if err := in.Validate(now); err != nil {
		return nil, err
	}
	sess := &Session{
		ID:             NewID(now),
		HostID:         actor.ID,
		Title:          in.Title,
		Description:    in.Description,
		State:          in.InitialState(),
		TargetGuests:   in.TargetGuests,
		AllowAnonymous: in.AllowAnonymous,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if in.OpenNow {
		sess.StartsAt, sess.StartedAt = &now, &now
	} else {
		t := in.StartsAt.UTC()
		sess.StartsAt = &t
	}
	err := s.Store.CreateSession(ctx, sess)
	s.invalidate(Invalidation{Session: sess.ID})
	if err != nil {
		return nil, err
	}
	out, err := s.Store.SessionByID(ctx, sess.ID, actor.ID)
	if err != nil {
		return nil, err
	}
	s.notify(func(n Notifier) { n.SessionChanged(out) })
	return out, nil
}

// Session returns one session as the viewer (nil: anonymous) sees it.
func (s *Service) Session(ctx context.Context, id string, viewer *User) (*Session, error) {
	pub, err := s.publicSession(ctx, id)
	if err != nil {
		return nil, err
	}
	view := *pub
	if viewer != nil {
		wished, err := s.viewerWishes(ctx, viewer.ID)
		if err != nil {
			return nil, err
		}
		view.WishedByMe = wished[id]
	}
	s.count(&view)
	return &view, nil
}

// viewerWishes returns the ids of the sessions a user wished, from the read
// cache when it holds them. The set is shared: callers only read it.
func (s *Service) viewerWishes(ctx context.Context, userID string) (map[string]bool, error) {
	return s.viewerSet(wishesKey(userID), func() (map[string]bool, error) { return s.Store.Wishes(ctx, userID) })
}

// viewerSet returns one of the per-viewer sets, from the cache or by read.
func (s *Service) viewerSet(key string, read func() (map[string]bool, error)) (map[string]bool, error) {
	var gen fillToken
	if s.Cache != nil {
		var ids map[string]bool
		if ids, gen = s.Cache.getSet(key); ids != nil {
			return ids, nil
		}
	}
	ids, err := read()
	if err != nil {
		return nil, err
	}
	if s.Cache != nil {
		s.Cache.putSet(key, ids, gen)
	}
	return ids, nil
}

// publicSession returns a session as an anonymous viewer sees it, from the
// read cache when it holds it. The result is shared: callers copy it before
// changing anything.
func (s *Service) publicSession(ctx context.Context, id string) (*Session, error) {
	if s.Cache == nil {
		return s.Store.SessionByID(ctx, id, "")
	}
	pub, gen := s.Cache.getSession(id)
	if pub != nil {
		return pub, nil
	}
	pub, err := s.Store.SessionByID(ctx, id, "")
	if err != nil {
		return nil, err
	}
	pub.encodePublic()
	s.Cache.putSession(pub, gen)
	return pub, nil
}

// count fills in how many people are in the live rooms of sessions.
func (s *Service) count(sessions ...*Session) {
	if s.Presence == nil {
		return
	}
	for _, sess := range sessions {
		if sess.State == StateLive {
			sess.ParticipantCount = s.Presence.ParticipantCount(sess.ID)
		}
	}
}

// hostSession loads a session and checks that the actor hosts it.
func (s *Service) hostSession(ctx context.Context, actor *User, id string) (*Session, error) {
	return s.sessionFor(ctx, actor, id, func(r TeamRole) bool { return r == TeamHost }, "do this")
}

// UpdateSession edits a session before it goes live (host only).
func (s *Service) UpdateSession(ctx context.Context, actor *User, id string, upd SessionUpdate) (*Session, error) {
	if _, err := s.hostSession(ctx, actor, id); err != nil {
		return nil, err
	}
	now := s.now()
	if err := upd.Validate(now); err != nil {
		return nil, err
	}
	_, err := s.Store.UpdateSession(ctx, id, upd, now)
	s.invalidate(Invalidation{Session: id})
	if err != nil {
		return nil, err
	}
	return s.changed(ctx, id, actor)
}

// changed re-reads a session for the actor and tells listeners.
func (s *Service) changed(ctx context.Context, id string, actor *User) (*Session, error) {
	out, err := s.Store.SessionByID(ctx, id, viewerID(actor))
	if err != nil {
		return nil, err
	}
	s.notify(func(n Notifier) { n.SessionChanged(out) })
	return out, nil
}

// transition moves a hosted session between states: the host does, and
// those the may reports allowed (nil: the host alone).
func (s *Service) transition(ctx context.Context, actor *User, id string, from []SessionState, to SessionState, what string, may func(TeamRole) bool) (*Session, error) {
	if may == nil {
		may = func(r TeamRole) bool { return r == TeamHost }
	}
	sess, err := s.sessionFor(ctx, actor, id, may, what+" the session")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(from, sess.State) {
		return nil, Errorf(EWrongState, "cannot %s a session that is %s", what, sess.State)
	}
	_, err = s.Store.TransitionSession(ctx, id, from, to, s.now())
	s.invalidate(Invalidation{Session: id})
	if err != nil {
		return nil, err
	}
	return s.changed(ctx, id, actor)
}

// ChatSlowMax bounds slow mode's wait between two chat messages.
const ChatSlowMax = 600

// SetChatSlowMode turns slow mode on (seconds between two chat messages of
// one guest) or off (0), before or during the session: the host and the
// host's team do.
func (s *Service) SetChatSlowMode(ctx context.Context, actor *User, id string, seconds int) (*Session, error) {
	if seconds < 0 || seconds > ChatSlowMax {
		return nil, Invalid(FieldError{"seconds", "must be from 0 to 600"})
	}
	if _, err := s.sessionFor(ctx, actor, id, TeamRole.Moderates, "set slow mode"); err != nil {
		return nil, err
	}
	_, err := s.Store.SetChatSlowMode(ctx, id, seconds, s.now())
	s.invalidate(Invalidation{Session: id})
	if err != nil {
		return nil, err
	}
	return s.changed(ctx, id, actor)
}

// Confirm moves a ready session to scheduled (host only).
func (s *Service) Confirm(ctx context.Context, actor *User, id string) (*Session, error) {
	return s.transition(ctx, actor, id, []SessionState{StateReady}, StateScheduled, "confirm", nil)
}

// Start takes a scheduled session live (host only).
func (s *Service) Start(ctx context.Context, actor *User, id string) (*Session, error) {
	return s.transition(ctx, actor, id, []SessionState{StateScheduled}, StateLive, "start", nil)
}

// End ends a live session (the host and co-hosts).
func (s *Service) End(ctx context.Context, actor *User, id string) (*Session, error) {
	return s.transition(ctx, actor, id, []SessionState{StateLive}, StateEnded, "end", TeamRole.RunsStage)
}

// Cancel cancels a session that has not gone live (host only). It is what
// DELETE on a session does: the row stays so wishers see what happened.
func (s *Service) Cancel(ctx context.Context, actor *User, id string) (*Session, error) {
	return s.transition(ctx, actor, id,
		[]SessionState{StateRecruiting, StateReady, StateScheduled}, StateCancelled, "cancel", nil)
}

// EndBySystem ends a live session without a host action: the host has been
// gone too long, or the session ran past its maximum. A session that is no
// longer live is left alone.
func (s *Service) EndBySystem(ctx context.Context, id, reason string) (*Session, error) {
	out, err := s.Store.TransitionSession(ctx, id, []SessionState{StateLive}, StateEnded, s.now())
	s.invalidate(Invalidation{Session: id})
	if err != nil {
		return nil, err
	}
	if s.Log != nil {
		s.Log.Info("session ended by the server", slog.String("session", id), slog.String("reason", reason))
	}
	s.notify(func(n Notifier) { n.SessionChanged(out) })
	return out, nil
}

// Wish bookmarks a session and counts toward its target. The host cannot
// wish their own session.
func (s *Service) Wish(ctx context.Context, actor *User, id string) (*Session, error) {
	return s.wish(ctx, actor, id, true)
}

// Unwish withdraws a wish.
func (s *Service) Unwish(ctx context.Context, actor *User, id string) (*Session, error) {
	return s.wish(ctx, actor, id, false)
}

func (s *Service) wish(ctx context.Context, actor *User, id string, on bool) (*Session, error) {
	if err := requireUser(actor); err != nil {
		return nil, err
	}
	// The store applies CheckWish under the session's lock.
	now := s.now()
	var out *Session
	var changed bool
	var err error
	if on {
		out, changed, err = s.Store.Wish(ctx, id, actor.ID, now)
	} else {
		out, changed, err = s.Store.Unwish(ctx, id, actor.ID, now)
	}
	if err == nil || !refused(err) {
		s.invalidate(Invalidation{Session: id, Wisher: actor.ID})
	}
	if err != nil {
		return nil, err
	}
	// Listeners hear only of real changes (a repeated wish changes
	// nothing).
	if changed {
		s.notify(func(n Notifier) { n.SessionChanged(out) })
	}
	s.count(out)
	return out, nil
}

// ListSessions lists sessions by filter for the viewer.
func (s *Service) ListSessions(ctx context.Context, f SessionFilter, viewer *User) (*SessionPage, error) {
	var errs []FieldError
	for _, st := range f.States {
		if !st.Valid() {
			errs = append(errs, FieldError{"state", "unknown state " + string(st)})
			break
		}
	}
	errs = checkFields(errs, fieldCheck{searchRule, &f.Text})
	if len(errs) > 0 {
		return nil, Invalid(errs...)
	}
	if f.HostID == "" && f.HostUsername != "" {
		host := NormalizeUsername(f.HostUsername)
		if ValidateUsername(host) != nil {
			// Nobody can have that name.
			return &SessionPage{Items: []*Session{}}, nil
		}
		u, err := s.Store.UserByUsername(ctx, host)
		if ErrorCode(err) == ENotFound {
			return &SessionPage{Items: []*Session{}}, nil
		}
		if err != nil {
			return nil, err
		}
		f.HostID = u.ID
	}
	f.ViewerID = viewerID(viewer)
	page, err := s.Store.ListSessions(ctx, f)
	if err != nil {
		return nil, err
	}
	s.count(page.Items...)
	return page, nil
}

// FeedSectionLimit bounds each section of the main page.
const FeedSectionLimit = 50

// Feed returns the main page for the viewer: their wished sessions that are
// live, then live, upcoming and recruiting sessions.
func (s *Service) Feed(ctx context.Context, viewer *User) (*Feed, error) {
	pub, err := s.publicFeed(ctx)
	if err != nil {
		return nil, err
	}
	var wished map[string]bool
	if viewer != nil {
		if wished, err = s.viewerWishes(ctx, viewer.ID); err != nil {
			return nil, err
		}
	}
	view := func(list []*Session) []*Session {
		out := make([]*Session, len(list))
		for i, p := range list {
			v := *p
			v.WishedByMe = wished[v.ID]
			out[i] = &v
		}
		return out
	}
	feed := &Feed{WishedLive: []*Session{}, Live: view(pub.live), Upcoming: view(pub.upcoming), Recruiting: view(pub.recruiting)}
	s.count(feed.Live...)
	for _, l := range feed.Live {
		if l.WishedByMe {
			feed.WishedLive = append(feed.WishedLive, l)
		}
	}
	return feed, nil
}

// publicFeed returns the main page's sections as an anonymous viewer sees
// them, from the read cache when it holds them. The sessions are shared.
func (s *Service) publicFeed(ctx context.Context) (*cachedFeed, error) {
	var gen fillToken
	if s.Cache != nil {
		var f *cachedFeed
		if f, gen = s.Cache.getFeed(); f != nil {
			return f, nil
		}
	}
	list := func(states ...SessionState) ([]*Session, error) {
		p, err := s.Store.ListSessions(ctx, SessionFilter{States: states, Limit: FeedSectionLimit})
		if err != nil {
			return nil, err
		}
		return p.Items, nil
	}
	f := &cachedFeed{}
	var err error
	if f.live, err = list(StateLive); err != nil {
		return nil, err
	}
	if f.upcoming, err = list(StateScheduled, StateReady); err != nil {
		return nil, err
	}
	if f.recruiting, err = list(StateRecruiting); err != nil {
		return nil, err
	}
	if s.Cache != nil {
		for _, list := range [][]*Session{f.live, f.upcoming, f.recruiting} {
			for _, sess := range list {
				sess.encodePublic()
			}
		}
		s.Cache.putFeed(f, gen)
	}
	return f, nil
}

// MySessions returns My page for the actor.
func (s *Service) MySessions(ctx context.Context, actor *User) (*MySessions, error) {
	if err := requireUser(actor); err != nil {
		return nil, err
	}
	hosting, err := s.Store.ListSessions(ctx, SessionFilter{HostID: actor.ID, ViewerID: actor.ID, Limit: 100,
		States: []SessionState{StateRecruiting, StateReady, StateScheduled, StateLive}})
	if err != nil {
		return nil, err
	}
	// A guest's ended sessions are the ones they took part in, not only
	// the ones they hosted.
	ended, err := s.Store.ListSessions(ctx, SessionFilter{TookPartID: actor.ID, ViewerID: actor.ID, Limit: 100,
		States: []SessionState{StateEnded, StateCancelled}})
	if err != nil {
		return nil, err
	}
	wished, err := s.Store.WishedSessions(ctx, actor.ID, 100)
	if err != nil {
		return nil, err
	}
	return &MySessions{Hosting: hosting.Items, Wished: wished, Ended: ended.Items}, nil
}
