package store

import (
	"context"
	"time"

	"github.com/ask2live/ask2live"
)

// SetCalendarFeed makes hash the user's feed secret, replacing any earlier
// one. Deleting and inserting in one transaction is the same statement pair
// on every database (no dialect has one upsert the others share).
func (db *DB) SetCalendarFeed(ctx context.Context, userID, hash string, now time.Time) error {
	d := db.d
	return db.tx(ctx, "calendar feed", func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, d.q("DELETE FROM calendar_feeds WHERE user_id = ?"), userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, d.q("INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)"),
			userID, hash, d.t(now))
		return err
	})
}

// DeleteCalendarFeed removes the user's feed, if any.
func (db *DB) DeleteCalendarFeed(ctx context.Context, userID string) error {
	_, err := db.exec(ctx, "calendar feed", "DELETE FROM calendar_feeds WHERE user_id = ?", userID)
	return err
}

// CalendarFeedCreated returns when the user's feed secret was made.
func (db *DB) CalendarFeedCreated(ctx context.Context, userID string) (time.Time, error) {
	var at dbTime
	if err := db.queryRow(ctx, "SELECT created_at FROM calendar_feeds WHERE user_id = ?", userID).Scan(&at); err != nil {
		return time.Time{}, db.d.fail(err, "calendar feed")
	}
	return at.T, nil
}

// CalendarFeedUser returns the owner of the feed whose secret hashes to
// hash, unless the owner is suspended or deleted.
func (db *DB) CalendarFeedUser(ctx context.Context, hash string) (*ask2live.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM calendar_feeds f
		JOIN users u ON u.id = f.user_id WHERE f.token_hash = ?
		AND u.suspended_at IS NULL AND u.deleted_at IS NULL`, hash))
	return u, db.d.fail(err, "calendar feed")
}

// CalendarSessions returns the sessions a user wished that a calendar
// shows, soonest start first.
func (db *DB) CalendarSessions(ctx context.Context, userID string, since time.Time, limit int) ([]*ask2live.Session, error) {
	return db.sessions(ctx, sessionSelect+` JOIN wishes cw ON cw.session_id = s.id
		WHERE cw.user_id = ? AND s.starts_at IS NOT NULL
		AND (s.state IN (?, ?, ?, ?) OR (s.state IN (?, ?) AND s.ended_at >= ?))
		ORDER BY s.starts_at, s.id LIMIT ?`, userID, userID,
		string(ask2live.StateRecruiting), string(ask2live.StateReady), string(ask2live.StateScheduled), string(ask2live.StateLive),
		string(ask2live.StateEnded), string(ask2live.StateCancelled), db.d.t(since), limit)
}
