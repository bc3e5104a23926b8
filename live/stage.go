package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/ask2live/ask2live"
)

// stage is who may speak in a room: the speakers (host first), who of them
// is muted, and when each guest given the mic for a limited time must give
// it back. The room goroutine owns it; an edit makes a new one.
type stage struct {
	speakers []string
	muted    map[string]bool
	until    map[string]time.Time
}

// stageOf reads a stage from an on-air event or a stored document.
func stageOf(on *OnAir) stage {
	st := stage{speakers: on.Speakers, muted: map[string]bool{}}
	for _, u := range on.Muted {
		st.muted[u] = true
	}
	for u, t := range on.Until {
		if st.until == nil {
			st.until = map[string]time.Time{}
		}
		st.until[u] = t
	}
	return st
}

// clone copies a stage, so an edit can change the copy.
func (st stage) clone() stage {
	next := stage{speakers: slices.Clone(st.speakers), muted: maps.Clone(st.muted), until: maps.Clone(st.until)}
	if next.muted == nil {
		next.muted = map[string]bool{}
	}
	return next
}

// without is the stage with username off the air.
func (st stage) without(username string) stage {
	next := st.clone()
	next.speakers = slices.DeleteFunc(next.speakers, func(u string) bool { return u == username })
	delete(next.muted, username)
	delete(next.until, username)
	return next
}

// onAir is the stage as clients see it, with what changed for whom.
func (st stage) onAir(change, username string) OnAir {
	m := make([]string, 0, len(st.muted))
	for u := range st.muted {
		m = append(m, u)
	}
	slices.Sort(m)
	on := OnAir{Speakers: slices.Clone(st.speakers), Muted: m, Change: change, Username: username}
	if len(st.until) > 0 {
		on.Until = maps.Clone(st.until)
	}
	return on
}

// doc is the stage as stored and compared on the bus.
func (st stage) doc() []byte {
	doc, _ := json.Marshal(st.onAir("", ""))
	return doc
}

// onAir is the room's stage as clients see it, with the speakers' names.
func (r *Room) onAir(change, username string) OnAir {
	on := r.stage.onAir(change, username)
	on.People = r.speakerPeople(r.stage)
	return on
}

// speakerPeople is who is on a stage, as the room knows them.
func (r *Room) speakerPeople(st stage) []ask2live.UserSummary {
	out := make([]ask2live.UserSummary, 0, len(st.speakers))
	for _, u := range st.speakers {
		if p, ok := r.members[u]; ok {
			out = append(out, p)
		} else if u == r.session.Host.Username {
			out = append(out, r.session.Host)
		} else if c := r.connOf(u); c != nil {
			out = append(out, c.user.Summary()) // here, and not yet announced
		}
	}
	return out
}

// connOf is one of a user's connections on this node, or nil.
func (r *Room) connOf(username string) *conn {
	for c := range r.conns {
		if c.user.Username == username {
			return c
		}
	}
	return nil
}

// stageEdit computes a new stage from the current one, and what changed for
// whom ("" when nothing changes). It must not modify its argument.
type stageEdit func(st stage) (next stage, change, username string, err error)

// changeStage applies edit to the stage as the cluster has it. The event is
// appended only if the stage is still the one edit saw (a compare-and-set on
// the bus), so racing commands on several nodes cannot, say, put more guests
// on air than allowed; when another change came first, edit runs again on
// the stage the bus holds. The stage is stored before the command is
// acknowledged, so a restart keeps it.
func (r *Room) changeStage(edit stageEdit) error {
	for range 8 {
		next, change, who, err := edit(r.stage)
		if err != nil || change == "" {
			return err
		}
		on := next.onAir(change, who)
		on.People = r.speakerPeople(next)
		msg, _ := json.Marshal(Event{Type: EvOnAir, OnAir: &on})
		doc := next.doc()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		held, ok, err := r.hub.bus.PublishIf(ctx, topic(r.id), "stage", r.stage.doc(), doc, msg)
		if err == nil && ok {
			r.stage = next
			r.armMicTimers()
			err = r.hub.svc.Store.SaveStage(ctx, r.id, doc)
		}
		cancel()
		if err != nil {
			r.hub.log.Error("changing the stage", slog.String("session", r.id), slog.Any("err", err))
			return ask2live.Wrap(ask2live.EUnavailable, err, "the stage could not be changed; try again")
		}
		if ok {
			return nil
		}
		r.loadStage(held)
	}
	return ask2live.Errorf(ask2live.EUnavailable, "the stage is changing too fast; try again")
}

// loadStage takes a stage document (stored, or held by the bus).
func (r *Room) loadStage(doc []byte) {
	var on OnAir
	if json.Unmarshal(doc, &on) != nil || len(on.Speakers) == 0 {
		return
	}
	r.stage = stageOf(&on)
	r.armMicTimers()
}

// onStage reports whether username may speak now.
func (r *Room) onStage(username string) bool {
	return slices.Contains(r.stage.speakers, username) && !r.stage.muted[username]
}

// grant puts a guest on air (host command), for a limited time when limit
// is more than zero.
func (r *Room) grant(username string, limit time.Duration) error {
	if limit > r.hub.cfg.MaxMicTime {
		return ask2live.Errorf(ask2live.EInvalid, "a mic can be given for at most %s at a time", r.hub.cfg.MaxMicTime)
	}
	err := r.changeStage(func(st stage) (stage, string, string, error) {
		if slices.Contains(st.speakers, username) {
			return st, "", "", nil
		}
		if !r.present(username) {
			return st, "", "", ask2live.Errorf(ask2live.ENotFound, "%s is not in the room", username)
		}
		if len(st.speakers)-1 >= r.hub.cfg.MaxOnAir {
			return st, "", "", ask2live.Errorf(ask2live.EWrongState, "at most %d guests can be on air at once; take a mic back first", r.hub.cfg.MaxOnAir)
		}
		next := st.clone()
		next.speakers = append(next.speakers, username)
		if limit > 0 {
			if next.until == nil {
				next.until = map[string]time.Time{}
			}
			next.until[username] = time.Now().Add(limit).UTC().Truncate(time.Millisecond)
		}
		return next, "granted", username, nil
	})
	if err == nil && slices.Contains(r.stage.speakers, username) {
		r.hub.media.SetOnAir(r.id, username, !r.stage.muted[username])
	}
	return err
}

// extend gives a guest on a time limit more time (host command).
func (r *Room) extend(username string, more time.Duration) error {
	return r.changeStage(func(st stage) (stage, string, string, error) {
		if !slices.Contains(st.speakers, username) {
			return st, "", "", ask2live.Errorf(ask2live.EWrongState, "%s is not on air", username)
		}
		end, limited := st.until[username]
		if !limited {
			return st, "", "", ask2live.Errorf(ask2live.EWrongState, "%s has the mic with no time limit", username)
		}
		if total := time.Until(end) + more; total > r.hub.cfg.MaxMicTime {
			return st, "", "", ask2live.Errorf(ask2live.EInvalid, "a mic can be given for at most %s at a time", r.hub.cfg.MaxMicTime)
		}
		next := st.clone()
		next.until[username] = end.Add(more)
		return next, "extended", username, nil
	})
}

// takeBack removes a guest from the stage: revoked by the host, declined or
// given back by the guest, or because their voice question was answered.
func (r *Room) takeBack(username, change string) error {
	err := r.changeStage(func(st stage) (stage, string, string, error) {
		if len(st.speakers) > 0 && st.speakers[0] == username {
			return st, "", "", ask2live.Errorf(ask2live.EForbidden, "the host is always on air")
		}
		if !slices.Contains(st.speakers, username) {
			return st, "", "", nil
		}
		return st.without(username), change, username, nil
	})
	if err == nil {
		r.hub.media.SetOnAir(r.id, username, false)
	}
	return err
}

// setMuted mutes or unmutes a speaker; the host may mute anyone.
func (r *Room) setMuted(username string, muted bool) error {
	err := r.changeStage(func(st stage) (stage, string, string, error) {
		if !slices.Contains(st.speakers, username) {
			return st, "", "", ask2live.Errorf(ask2live.EWrongState, "%s is not on air", username)
		}
		if st.muted[username] == muted {
			return st, "", "", nil
		}
		next := st.clone()
		change := "unmuted"
		if muted {
			next.muted[username] = true
			change = "muted"
		} else {
			delete(next.muted, username)
		}
		return next, change, username, nil
	})
	if err == nil && slices.Contains(r.stage.speakers, username) {
		r.hub.media.SetOnAir(r.id, username, r.onStage(username))
	}
	return err
}

// micTimer is this node's timer for one guest's time limit.
type micTimer struct {
	end   time.Time
	timer *time.Timer
}

// armMicTimers makes this node's timers follow the stage's time limits.
// Every node running the room has them: whichever fires first takes the
// mic back, and the compare-and-set on the stage makes the others' tries
// no-ops, so the limit holds while any node with the room is up.
func (r *Room) armMicTimers() {
	for u, t := range r.micTimers {
		if end, ok := r.stage.until[u]; !ok || !end.Equal(t.end) {
			t.timer.Stop()
			delete(r.micTimers, u)
		}
	}
	for u, end := range r.stage.until {
		if _, ok := r.micTimers[u]; ok {
			continue
		}
		if r.micTimers == nil {
			r.micTimers = map[string]micTimer{}
		}
		r.micTimers[u] = micTimer{end, time.AfterFunc(time.Until(end), func() {
			r.do(func() { r.timeUp(u, end) })
		})}
	}
}

// stopMicTimers stops this node's timers when the room stops.
func (r *Room) stopMicTimers() {
	for u, t := range r.micTimers {
		t.timer.Stop()
		delete(r.micTimers, u)
	}
}

// timeUp takes the mic back from a guest whose time limit ended, unless
// the host gave more time meanwhile (on any node).
func (r *Room) timeUp(username string, end time.Time) {
	if t, ok := r.micTimers[username]; !ok || !t.end.Equal(end) {
		return // the limit changed since this timer was armed
	}
	delete(r.micTimers, username)
	if time.Until(end) > 0 {
		// The clock moved since the timer was armed: arm it again.
		r.armMicTimers()
		return
	}
	err := r.changeStage(func(st stage) (stage, string, string, error) {
		if now, ok := st.until[username]; !ok || !now.Equal(end) {
			return st, "", "", nil
		}
		return st.without(username), "time_up", username, nil
	})
	if err != nil {
		// The bus or the database failed: try again shortly, for as long
		// as the limit stands.
		r.hub.log.Warn("taking back a mic whose time is up", slog.String("session", r.id), slog.String("user", username), slog.Any("err", err))
		r.micTimers[username] = micTimer{end, time.AfterFunc(time.Second, func() { r.do(func() { r.timeUp(username, end) }) })}
		return
	}
	if !slices.Contains(r.stage.speakers, username) {
		r.hub.media.SetOnAir(r.id, username, false)
	}
}
