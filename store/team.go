package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ask2live/ask2live"
)

// SetTeamRole appoints a user to a session's team with a role, replacing
// any earlier one, or (role "") removes them from it.
func (db *DB) SetTeamRole(ctx context.Context, sessionID, userID string, role ask2live.TeamRole, at time.Time) error {
	if role == "" {
		_, err := db.exec(ctx, "team", "DELETE FROM session_team WHERE session_id = ? AND user_id = ?", sessionID, userID)
		return err
	}
	d := db.d
	return db.tx(ctx, "team", func(tx *txn) error {
		res, err := tx.ExecContext(ctx, d.q("UPDATE session_team SET role = ? WHERE session_id = ? AND user_id = ?"),
			string(role), sessionID, userID)
		if err != nil {
			return err
		}
		// MySQL counts only rows it changed: an unchanged role reads as 0,
		// and the insert below then finds the row and does nothing.
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, d.q(d.insertIgnore+" session_team (session_id, user_id, role, added_at) VALUES (?, ?, ?, ?)"+d.onConflictIgnore),
			sessionID, userID, string(role), d.t(at))
		return err
	})
}

// Team returns a session's team, earliest appointed first.
func (db *DB) Team(ctx context.Context, sessionID string) ([]ask2live.TeamMember, error) {
	rows, err := db.query(ctx, `SELECT u.username, u.display_name, u.avatar_url, t.role, t.added_at FROM session_team t
		JOIN users u ON u.id = t.user_id WHERE t.session_id = ? ORDER BY t.added_at, u.username`, sessionID)
	if err != nil {
		return nil, db.d.fail(err, "team")
	}
	defer rows.Close()
	out := []ask2live.TeamMember{}
	for rows.Next() {
		var m ask2live.TeamMember
		var role string
		var at dbTime
		if err := rows.Scan(&m.User.Username, &m.User.DisplayName, &m.User.AvatarURL, &role, &at); err != nil {
			return nil, db.d.fail(err, "team")
		}
		m.Role, m.AddedAt = ask2live.TeamRole(role), at.T
		out = append(out, m)
	}
	return out, db.d.fail(rows.Err(), "team")
}

// TeamRole returns a user's role in a session's team, "" for none.
func (db *DB) TeamRole(ctx context.Context, sessionID, userID string) (ask2live.TeamRole, error) {
	var role string
	err := db.queryRow(ctx, "SELECT role FROM session_team WHERE session_id = ? AND user_id = ?", sessionID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", db.d.fail(err, "team")
	}
	return ask2live.TeamRole(role), nil
}
