package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/ask2live/ask2live"
)

// AddChatMessage stores a chat message; m.Sender is filled in.
func (db *DB) AddChatMessage(ctx context.Context, m *ask2live.ChatMessage) error {
	_, err := db.exec(ctx, "chat message", "INSERT INTO chat_messages (id, session_id, sender_id, text, deleted, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		m.ID, m.SessionID, m.SenderID, m.Text, false, db.d.t(m.CreatedAt))
	if err != nil {
		return err
	}
	u, err := db.UserByID(ctx, m.SenderID)
	if err != nil {
		return err
	}
	m.Sender = u.Summary()
	return nil
}

// DeleteChatMessage hides a message and clears its text.
func (db *DB) DeleteChatMessage(ctx context.Context, sessionID, id string) error {
	res, err := db.exec(ctx, "chat message", "UPDATE chat_messages SET deleted = ?, text = '' WHERE session_id = ? AND id = ?", true, sessionID, id)
	if err != nil {
		return err
	}
	return mustAffect(res, "chat message")
}

// RecentChat returns the last limit visible messages, oldest first.
func (db *DB) RecentChat(ctx context.Context, sessionID string, limit int) ([]*ask2live.ChatMessage, error) {
	rows, err := db.query(ctx, `SELECT c.id, c.session_id, c.sender_id, c.text, c.created_at,
		u.username, u.display_name, u.avatar_url
		FROM chat_messages c JOIN users u ON u.id = c.sender_id
		WHERE c.session_id = ? AND c.deleted = ? ORDER BY c.id DESC LIMIT ?`, sessionID, false, limit)
	if err != nil {
		return nil, db.d.fail(err, "chat")
	}
	defer rows.Close()
	out := []*ask2live.ChatMessage{}
	for rows.Next() {
		var m ask2live.ChatMessage
		var created dbTime
		if err := rows.Scan(&m.ID, &m.SessionID, &m.SenderID, &m.Text, &created,
			&m.Sender.Username, &m.Sender.DisplayName, &m.Sender.AvatarURL); err != nil {
			return nil, db.d.fail(err, "chat")
		}
		m.CreatedAt = created.T
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, db.d.fail(err, "chat")
	}
	// Ids sort by time; reverse the newest-first page into reading order.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// RecordJoin opens a presence interval.
func (db *DB) RecordJoin(ctx context.Context, p *ask2live.Participation) error {
	_, err := db.exec(ctx, "participation", "INSERT INTO participations (id, session_id, user_id, joined_at) VALUES (?, ?, ?, ?)",
		ask2live.NewID(p.JoinedAt), p.SessionID, p.UserID, db.d.t(p.JoinedAt))
	return err
}

// RecordLeave closes a user's open presence intervals in a session.
func (db *DB) RecordLeave(ctx context.Context, sessionID, userID string, at time.Time) error {
	_, err := db.exec(ctx, "participation", "UPDATE participations SET left_at = ? WHERE session_id = ? AND user_id = ? AND left_at IS NULL",
		db.d.t(at), sessionID, userID)
	return err
}

// PutMedia stores (or replaces) a blob.
func (db *DB) PutMedia(ctx context.Context, key, contentType string, data []byte, now time.Time) error {
	return db.tx(ctx, "media", func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, db.d.q("DELETE FROM media WHERE media_key = ?"), key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.d.q("INSERT INTO media (media_key, content_type, data, updated_at) VALUES (?, ?, ?, ?)"),
			key, contentType, data, db.d.t(now))
		return err
	})
}

// Media returns a stored blob.
func (db *DB) Media(ctx context.Context, key string) (string, []byte, time.Time, error) {
	var ct string
	var data []byte
	var mod dbTime
	err := db.queryRow(ctx, "SELECT content_type, data, updated_at FROM media WHERE media_key = ?", key).Scan(&ct, &data, &mod)
	if err != nil {
		return "", nil, time.Time{}, db.d.fail(err, "media")
	}
	return ct, data, mod.T, nil
}

// DeleteMedia removes a blob; removing an unknown key is not an error.
func (db *DB) DeleteMedia(ctx context.Context, key string) error {
	_, err := db.exec(ctx, "media", "DELETE FROM media WHERE media_key = ?", key)
	return err
}

// SaveStage stores a live room's stage document.
func (db *DB) SaveStage(ctx context.Context, sessionID string, stage []byte) error {
	res, err := db.exec(ctx, "session", "UPDATE sessions SET stage = ? WHERE id = ?", string(stage), sessionID)
	if err != nil {
		return err
	}
	return mustAffect(res, "session")
}

// Stage returns a live room's stage document, nil if none was saved.
func (db *DB) Stage(ctx context.Context, sessionID string) ([]byte, error) {
	var stage sql.NullString
	if err := db.queryRow(ctx, "SELECT stage FROM sessions WHERE id = ?", sessionID).Scan(&stage); err != nil {
		return nil, db.d.fail(err, "session")
	}
	if !stage.Valid || stage.String == "" {
		return nil, nil
	}
	return []byte(stage.String), nil
}

// ClaimCommand inserts the command's row unless it exists, then reads it
// back when it did.
func (db *DB) ClaimCommand(ctx context.Context, k ask2live.CommandKey, now time.Time) (bool, []byte, time.Time, error) {
	res, err := db.exec(ctx, "command", db.d.insertIgnore+" live_commands (session_id, user_id, cid, claimed_at) VALUES (?, ?, ?, ?)"+db.d.onConflictIgnore,
		k.SessionID, k.UserID, k.CID, db.d.t(now))
	if err != nil {
		return false, nil, time.Time{}, err
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return true, nil, now, nil
	}
	// Read from the writer: a reader could lag behind the row just found.
	var reply sql.NullString
	var at dbTime
	err = db.w.QueryRowContext(ctx, db.d.q("SELECT reply, claimed_at FROM live_commands WHERE session_id = ? AND user_id = ? AND cid = ?"),
		k.SessionID, k.UserID, k.CID).Scan(&reply, &at)
	if errors.Is(err, sql.ErrNoRows) {
		// Released between the insert and the read: claim it again.
		return db.ClaimCommand(ctx, k, now)
	}
	if err != nil {
		return false, nil, time.Time{}, db.d.fail(err, "command")
	}
	if !reply.Valid {
		return false, nil, at.T, nil
	}
	return false, []byte(reply.String), at.T, nil
}

// RetakeCommand moves an unanswered claim to now if it is still the one
// made at was.
func (db *DB) RetakeCommand(ctx context.Context, k ask2live.CommandKey, was, now time.Time) (bool, error) {
	res, err := db.exec(ctx, "command", "UPDATE live_commands SET claimed_at = ? WHERE session_id = ? AND user_id = ? AND cid = ? AND reply IS NULL AND claimed_at = ?",
		db.d.t(now), k.SessionID, k.UserID, k.CID, db.d.t(was))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return err == nil && n == 1, db.d.fail(err, "command")
}

// CompleteCommand stores a claimed command's answer.
func (db *DB) CompleteCommand(ctx context.Context, k ask2live.CommandKey, reply []byte) error {
	_, err := db.exec(ctx, "command", "UPDATE live_commands SET reply = ? WHERE session_id = ? AND user_id = ? AND cid = ?",
		string(reply), k.SessionID, k.UserID, k.CID)
	return err
}

// ReleaseCommand deletes an unanswered claim.
func (db *DB) ReleaseCommand(ctx context.Context, k ask2live.CommandKey) error {
	_, err := db.exec(ctx, "command", "DELETE FROM live_commands WHERE session_id = ? AND user_id = ? AND cid = ? AND reply IS NULL",
		k.SessionID, k.UserID, k.CID)
	return err
}

// DeleteCommandsBefore forgets commands claimed before t.
func (db *DB) DeleteCommandsBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := db.exec(ctx, "command", "DELETE FROM live_commands WHERE claimed_at < ?", db.d.t(t))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, db.d.fail(err, "command")
}

// SetRemoved records that the host removed a user from a session's live
// room (removed) or let them back (not removed); repeating either is
// harmless.
func (db *DB) SetRemoved(ctx context.Context, sessionID, userID string, removed bool, at time.Time) error {
	if !removed {
		_, err := db.exec(ctx, "removal", "DELETE FROM live_removals WHERE session_id = ? AND user_id = ?", sessionID, userID)
		return err
	}
	_, err := db.exec(ctx, "removal", db.d.insertIgnore+" live_removals (session_id, user_id, removed_at) VALUES (?, ?, ?)"+db.d.onConflictIgnore,
		sessionID, userID, db.d.t(at))
	return err
}

// Removals returns who is removed from a session's live room, in the order
// they were removed.
func (db *DB) Removals(ctx context.Context, sessionID string) ([]ask2live.UserSummary, error) {
	rows, err := db.query(ctx, `SELECT u.username, u.display_name, u.avatar_url FROM live_removals r
		JOIN users u ON u.id = r.user_id WHERE r.session_id = ? ORDER BY r.removed_at, u.username`, sessionID)
	if err != nil {
		return nil, db.d.fail(err, "removals")
	}
	defer rows.Close()
	out := []ask2live.UserSummary{}
	for rows.Next() {
		var u ask2live.UserSummary
		if err := rows.Scan(&u.Username, &u.DisplayName, &u.AvatarURL); err != nil {
			return nil, db.d.fail(err, "removals")
		}
		out = append(out, u)
	}
	return out, db.d.fail(rows.Err(), "removals")
}
