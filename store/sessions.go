package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ask2live/ask2live"
)

// Listing order is kept in one column, sort_key, so that keyset pagination is
// the same simple comparison on every database: live sessions first (newest
// start first), then upcoming ones (soonest first), then ended (latest end
// first), then cancelled. The key is rank digit + 15-digit number.
const farFuture = 999_999_999_999_999

func sortKey(s *ask2live.Session) string {
	ms := func(t *time.Time, fallback int64) int64 {
		if t == nil {
			return fallback
		}
		return t.UnixMilli()
	}
	var rank int
	var v int64
	switch s.State {
	case ask2live.StateLive:
		rank, v = 0, farFuture-ms(s.StartedAt, 0)
	case ask2live.StateEnded:
		rank, v = 2, farFuture-ms(s.EndedAt, 0)
	case ask2live.StateCancelled:
		rank, v = 3, farFuture-s.UpdatedAt.UnixMilli()
	default:
		rank, v = 1, ms(s.StartsAt, farFuture)
	}
	return fmt.Sprintf("%d%015d", rank, max(0, min(v, farFuture)))
}

const sessionSelect = `SELECT s.id, s.host_id, s.title, s.description, s.state, s.starts_at, s.started_at, s.ended_at,
	s.target_guests, s.wish_count, s.question_count, s.created_at, s.updated_at, s.sort_key, s.calendar_sequence, s.allow_anonymous, s.chat_slow_seconds, ` + userColumns + `,
	CASE WHEN EXISTS (SELECT 1 FROM wishes w WHERE w.session_id = s.id AND w.user_id = ?) THEN 1 ELSE 0 END
	FROM sessions s JOIN users u ON u.id = s.host_id`

func scanSession(sc scanner) (*ask2live.Session, string, error) {
	var s ask2live.Session
	var starts, started, ended, created, updated dbTime
	var key string
	var wished, anonymous dbBool
	host, err := scanUser(rowPrefix{sc, []any{&s.ID, &s.HostID, &s.Title, &s.Description, &s.State, &starts, &started, &ended,
		&s.TargetGuests, &s.WishCount, &s.QuestionCount, &created, &updated, &key, &s.CalendarSequence, &anonymous, &s.ChatSlowSeconds}}, &wished)
	if err != nil {
		return nil, "", err
	}
	s.StartsAt, s.StartedAt, s.EndedAt = starts.ptr(), started.ptr(), ended.ptr()
	s.CreatedAt, s.UpdatedAt = created.T, updated.T
	s.WishedByMe, s.AllowAnonymous = bool(wished), bool(anonymous)
	s.Host = host
	return &s, key, nil
}

// rowPrefix lets scanUser scan a row whose user columns come after others.
type rowPrefix struct {
	sc     scanner
	prefix []any
}

func (r rowPrefix) Scan(dest ...any) error { return r.sc.Scan(append(r.prefix, dest...)...) }

// CreateSession inserts a session.
func (db *DB) CreateSession(ctx context.Context, s *ask2live.Session) error {
	d := db.d
	_, err := db.exec(ctx, "session", `INSERT INTO sessions (id, host_id, title, description, state, starts_at, started_at,
		ended_at, target_guests, wish_count, question_count, sort_key, created_at, updated_at, allow_anonymous, chat_slow_seconds)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?)`,
		s.ID, s.HostID, s.Title, s.Description, s.State, d.tp(s.StartsAt), d.tp(s.StartedAt), d.tp(s.EndedAt),
		s.TargetGuests, sortKey(s), d.t(s.CreatedAt), d.t(s.UpdatedAt), flag(s.AllowAnonymous), s.ChatSlowSeconds)
	return err
}

// SessionByID returns a session for a viewer.
func (db *DB) SessionByID(ctx context.Context, id, viewerID string) (*ask2live.Session, error) {
	s, _, err := scanSession(db.queryRow(ctx, sessionSelect+" WHERE s.id = ?", viewerID, id))
	return s, db.d.fail(err, "session")
}

// ListSessions returns one page of sessions.
func (db *DB) ListSessions(ctx context.Context, f ask2live.SessionFilter) (*ask2live.SessionPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 100)
	var where []string
	args := []any{f.ViewerID}
	if len(f.States) > 0 {
		where = append(where, "s.state IN (?"+strings.Repeat(", ?", len(f.States)-1)+")")
		for _, st := range f.States {
			args = append(args, string(st))
		}
	}
	if f.HostID != "" {
		where = append(where, "s.host_id = ?")
		args = append(args, f.HostID)
	}
	if u := f.TookPartID; u != "" {
		where = append(where, `(s.host_id = ?
			OR EXISTS (SELECT 1 FROM wishes tw WHERE tw.session_id = s.id AND tw.user_id = ?)
			OR EXISTS (SELECT 1 FROM questions tq WHERE tq.session_id = s.id AND tq.author_id = ?)
			OR EXISTS (SELECT 1 FROM participations tp WHERE tp.session_id = s.id AND tp.user_id = ?))`)
		args = append(args, u, u, u, u)
	}
	if text := strings.TrimSpace(f.Text); text != "" {
		pat := "%" + escapeLike(text) + "%"
		where = append(where, fmt.Sprintf("(s.title %[1]s ? ESCAPE '!' OR s.description %[1]s ? ESCAPE '!')", db.d.like))
		args = append(args, pat, pat)
	}
	if f.Cursor != "" {
		key, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		where = append(where, "(s.sort_key > ? OR (s.sort_key = ? AND s.id > ?))")
		args = append(args, key, key, id)
	}
	query := sessionSelect
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY s.sort_key, s.id LIMIT ?"
	args = append(args, limit+1)
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, db.d.fail(err, "sessions")
	}
	defer rows.Close()
	page := &ask2live.SessionPage{Items: []*ask2live.Session{}}
	var lastKey string
	for rows.Next() {
		s, key, err := scanSession(rows)
		if err != nil {
			return nil, db.d.fail(err, "sessions")
		}
		if len(page.Items) == limit {
			page.NextCursor = encodeCursor(lastKey, page.Items[len(page.Items)-1].ID)
			break
		}
		page.Items = append(page.Items, s)
		lastKey = key
	}
	return page, db.d.fail(rows.Err(), "sessions")
}

func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

func encodeCursor(key, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key + "|" + id))
}

func decodeCursor(c string) (key, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		var ok bool
		key, id, ok = strings.Cut(string(b), "|")
		if ok && len(key) == 16 && strings.Trim(key, "0123456789") == "" && ask2live.ValidID(id) {
			return key, id, nil
		}
	}
	return "", "", ask2live.Invalid(ask2live.FieldError{Field: "cursor", Message: "is not a cursor this server issued"})
}

// WishedSessions returns the sessions a user wished, newest wish first.
func (db *DB) WishedSessions(ctx context.Context, userID string, limit int) ([]*ask2live.Session, error) {
	return db.sessions(ctx, sessionSelect+` JOIN wishes mw ON mw.session_id = s.id
		WHERE mw.user_id = ? ORDER BY mw.created_at DESC, s.id LIMIT ?`, userID, userID, limit)
}

// sessions runs a query of sessionSelect's columns and reads every row.
func (db *DB) sessions(ctx context.Context, query string, args ...any) ([]*ask2live.Session, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, db.d.fail(err, "sessions")
	}
	defer rows.Close()
	out := []*ask2live.Session{}
	for rows.Next() {
		s, _, err := scanSession(rows)
		if err != nil {
			return nil, db.d.fail(err, "sessions")
		}
		out = append(out, s)
	}
	return out, db.d.fail(rows.Err(), "sessions")
}

// lockSession reads a session's own columns inside a transaction, holding a
// row lock where the database has them (SQLite's single writer already
// serializes write transactions).
func (db *DB) lockSession(ctx context.Context, tx *txn, id string) (*ask2live.Session, error) {
	return db.scanSessionRow(tx.QueryRowContext(ctx, db.d.q(sessionRowSelect+db.d.forUpdate), id))
}

const sessionRowSelect = `SELECT id, host_id, title, description, state, starts_at, started_at, ended_at,
	target_guests, wish_count, question_count, created_at, updated_at, calendar_sequence, allow_anonymous, chat_slow_seconds FROM sessions WHERE id = ?`

func (db *DB) scanSessionRow(row rowScanner) (*ask2live.Session, error) {
	var s ask2live.Session
	var starts, started, ended, created, updated dbTime
	var anonymous dbBool
	err := row.Scan(&s.ID, &s.HostID, &s.Title, &s.Description, &s.State, &starts, &started, &ended,
		&s.TargetGuests, &s.WishCount, &s.QuestionCount, &created, &updated, &s.CalendarSequence, &anonymous, &s.ChatSlowSeconds)
	if err != nil {
		return nil, db.d.fail(err, "session")
	}
	s.AllowAnonymous = bool(anonymous)
	s.StartsAt, s.StartedAt, s.EndedAt = starts.ptr(), started.ptr(), ended.ptr()
	s.CreatedAt, s.UpdatedAt = created.T, updated.T
	return &s, nil
}

// SessionRow returns a session's own columns, without its host or the
// viewer's wish.
func (db *DB) SessionRow(ctx context.Context, id string) (*ask2live.Session, error) {
	return db.scanSessionRow(db.queryRow(ctx, sessionRowSelect, id))
}

// saveSession writes back the mutable columns of a locked session.
func (db *DB) saveSession(ctx context.Context, tx *txn, s *ask2live.Session) error {
	st := db.saveSessionStep(s)
	_, err := tx.ExecContext(ctx, st.query, st.args...)
	return err
}

// saveSessionStep is the statement that saves a locked session.
func (db *DB) saveSessionStep(s *ask2live.Session) step {
	d := db.d
	return step{d.q(`UPDATE sessions SET title = ?, description = ?, state = ?, starts_at = ?,
		started_at = ?, ended_at = ?, target_guests = ?, wish_count = ?, sort_key = ?, updated_at = ?,
		calendar_sequence = ?, allow_anonymous = ?, chat_slow_seconds = ? WHERE id = ?`),
		[]any{s.Title, s.Description, s.State, d.tp(s.StartsAt), d.tp(s.StartedAt), d.tp(s.EndedAt),
			s.TargetGuests, s.WishCount, sortKey(s), d.t(s.UpdatedAt), s.CalendarSequence, flag(s.AllowAnonymous), s.ChatSlowSeconds, s.ID}}
}

// modifySession locks a session, lets fn change it, saves it and returns the
// fresh view for viewerID. A change calendars must take over raises the
// session's calendar sequence.
func (db *DB) modifySession(ctx context.Context, id, viewerID string, now time.Time, fn func(tx *txn, s *ask2live.Session) error) (*ask2live.Session, error) {
	err := db.tx(ctx, "session", func(tx *txn) error {
		s, err := db.lockSession(ctx, tx, id)
		if err != nil {
			return err
		}
		before := *s
		if err := fn(tx, s); err != nil {
			return err
		}
		if ask2live.CalendarRevised(&before, s) {
			s.CalendarSequence++
		}
		s.UpdatedAt = now
		return db.saveSession(ctx, tx, s)
	})
	if err != nil {
		return nil, err
	}
	return db.SessionByID(ctx, id, viewerID)
}

// UpdateSession edits a session that has not gone live.
func (db *DB) UpdateSession(ctx context.Context, id string, upd ask2live.SessionUpdate, now time.Time) (*ask2live.Session, error) {
	return db.modifySession(ctx, id, "", now, func(_ *txn, s *ask2live.Session) error {
		if !s.State.BeforeLive() {
			return ask2live.Errorf(ask2live.EWrongState, "a session that is %s can no longer be edited", s.State)
		}
		if upd.Title != nil {
			s.Title = *upd.Title
		}
		if upd.Description != nil {
			s.Description = *upd.Description
		}
		if upd.StartsAt != nil {
			t := upd.StartsAt.UTC()
			s.StartsAt = &t
		}
		if upd.TargetGuests != nil {
			s.TargetGuests = *upd.TargetGuests
		}
		if upd.AllowAnonymous != nil {
			s.AllowAnonymous = *upd.AllowAnonymous
		}
		s.State = ask2live.RecruitState(s.State, s.WishCount, s.TargetGuests)
		return nil
	})
}

// SetChatSlowMode sets the seconds each person waits between two chat
// messages (0: no wait), in a session that is not over.
func (db *DB) SetChatSlowMode(ctx context.Context, id string, seconds int, now time.Time) (*ask2live.Session, error) {
	return db.modifySession(ctx, id, "", now, func(_ *txn, s *ask2live.Session) error {
		if s.State.Closed() {
			return ask2live.Errorf(ask2live.EWrongState, "the session is %s", s.State)
		}
		s.ChatSlowSeconds = seconds
		return nil
	})
}

// TransitionSession moves a session between states if it is in one of from.
func (db *DB) TransitionSession(ctx context.Context, id string, from []ask2live.SessionState, to ask2live.SessionState, now time.Time) (*ask2live.Session, error) {
	return db.modifySession(ctx, id, "", now, func(_ *txn, s *ask2live.Session) error {
		if !slices.Contains(from, s.State) {
			return ask2live.Errorf(ask2live.EWrongState, "the session is %s", s.State)
		}
		s.State = to
		switch to {
		case ask2live.StateLive:
			s.StartedAt = &now
		case ask2live.StateEnded, ask2live.StateCancelled:
			s.EndedAt = &now
		}
		return nil
	})
}

// Wish records userID's wish once, if the rules allow it (ask2live.CheckWish),
// and keeps the count and the state exact. It returns the session as userID
// now sees it and whether anything changed.
func (db *DB) Wish(ctx context.Context, sessionID, userID string, now time.Time) (*ask2live.Session, bool, error) {
	return db.wish(ctx, sessionID, userID, now, true)
}

// Unwish removes userID's wish if present; see Wish.
func (db *DB) Unwish(ctx context.Context, sessionID, userID string, now time.Time) (*ask2live.Session, bool, error) {
	return db.wish(ctx, sessionID, userID, now, false)
}

func (db *DB) wish(ctx context.Context, sessionID, userID string, now time.Time, on bool) (*ask2live.Session, bool, error) {
	d := db.d
	var s *ask2live.Session
	var host *ask2live.User
	var wished int
	changed := false
	err := db.write(ctx, "session", []readStep{
		{d.q(sessionRowSelect + d.forUpdate), []any{sessionID}, func(r rowScanner) (err error) {
			s, err = db.scanSessionRow(r)
			return err
		}},
		{d.q(`SELECT ` + userColumns + `, (SELECT COUNT(*) FROM wishes w WHERE w.session_id = s.id AND w.user_id = ?)
			FROM sessions s JOIN users u ON u.id = s.host_id WHERE s.id = ?`), []any{userID, sessionID},
			func(r rowScanner) (err error) {
				host, err = scanUser(r, &wished)
				return err
			}},
	}, func() ([]step, error) {
		if err := ask2live.CheckWish(s, userID, on); err != nil {
			return nil, err
		}
		s.Host, s.WishedByMe = host, on
		var change step
		switch {
		case on && wished == 0:
			s.WishCount++
			change = step{d.q("INSERT INTO wishes (session_id, user_id, created_at) VALUES (?, ?, ?)"), []any{sessionID, userID, d.t(now)}}
		case !on && wished > 0:
			s.WishCount--
			change = step{d.q("DELETE FROM wishes WHERE session_id = ? AND user_id = ?"), []any{sessionID, userID}}
		default:
			return nil, nil
		}
		changed = true
		before := *s
		s.State = ask2live.RecruitState(s.State, s.WishCount, s.TargetGuests)
		if ask2live.CalendarRevised(&before, s) {
			s.CalendarSequence++
		}
		s.UpdatedAt = stored(now)
		return []step{change, db.saveSessionStep(s)}, nil
	})
	if err != nil {
		return nil, false, err
	}
	return s, changed, nil
}

// Wishes returns the ids of the sessions a user wished.
func (db *DB) Wishes(ctx context.Context, userID string) (map[string]bool, error) {
	return db.idSet(ctx, "wishes", "SELECT session_id FROM wishes WHERE user_id = ?", userID)
}

// idSet runs a query that returns one id column and collects the ids.
func (db *DB) idSet(ctx context.Context, what, query string, args ...any) (map[string]bool, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, db.d.fail(err, what)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, db.d.fail(err, what)
		}
		out[id] = true
	}
	return out, db.d.fail(rows.Err(), what)
}
