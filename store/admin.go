package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ask2live/ask2live"
)

// unusablePassword is stored as a deleted account's password hash: it is
// not a hash of anything, and the service never checks a deleted
// account's password.
const unusablePassword = "!deleted"

// addAudit writes an audit entry inside a transaction.
func (db *DB) addAudit(ctx context.Context, tx *txn, e *ask2live.AuditEntry) error {
	var actor any
	if e.ActorID != "" {
		actor = e.ActorID
	}
	_, err := tx.ExecContext(ctx, db.d.q(`INSERT INTO audit_log (id, actor_id, action, target_type, target_id, detail, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), e.ID, actor, e.Action, e.TargetType, e.TargetID, e.Detail, db.d.t(e.CreatedAt))
	return err
}

// AddAudit records an audit entry on its own.
func (db *DB) AddAudit(ctx context.Context, e *ask2live.AuditEntry) error {
	return db.tx(ctx, "audit entry", func(tx *txn) error { return db.addAudit(ctx, tx, e) })
}

// updateUser runs one UPDATE of a user and its audit entry in one
// transaction, and more statements after it (extra) in the same.
func (db *DB) updateUser(ctx context.Context, userID string, e *ask2live.AuditEntry, query string, args []any, extra ...string) error {
	return db.tx(ctx, "user", func(tx *txn) error {
		res, err := tx.ExecContext(ctx, db.d.q(query), args...)
		if err != nil {
			return err
		}
		if err := mustAffect(res, "user"); err != nil {
			return err
		}
		for _, q := range extra {
			if _, err := tx.ExecContext(ctx, db.d.q(q), userID); err != nil {
				return err
			}
		}
		return db.addAudit(ctx, tx, e)
	})
}

// SetRole sets a user's role.
func (db *DB) SetRole(ctx context.Context, userID string, role ask2live.Role, e *ask2live.AuditEntry) error {
	return db.updateUser(ctx, userID, e, "UPDATE users SET role = ?, updated_at = ? WHERE id = ?",
		[]any{string(role), db.d.t(e.CreatedAt), userID})
}

// deleteCredentials are the statements that delete every credential of an
// account: its log-in tokens and its calendar feed's secret.
var deleteCredentials = []string{
	"DELETE FROM auth_tokens WHERE user_id = ?",
	"DELETE FROM calendar_feeds WHERE user_id = ?",
}

// SetSuspended suspends an account and deletes its credentials, or lifts
// the suspension (at nil).
func (db *DB) SetSuspended(ctx context.Context, userID string, at *time.Time, e *ask2live.AuditEntry) error {
	var extra []string
	if at != nil {
		extra = deleteCredentials
	}
	return db.updateUser(ctx, userID, e, "UPDATE users SET suspended_at = ?, updated_at = ? WHERE id = ?",
		[]any{db.d.tp(at), db.d.t(e.CreatedAt), userID}, extra...)
}

// DeleteAccount scrubs an account and deletes its credentials.
func (db *DB) DeleteAccount(ctx context.Context, userID string, at time.Time, e *ask2live.AuditEntry) error {
	return db.updateUser(ctx, userID, e, `UPDATE users SET display_name = ?, company = '', work_field = '', bio = '',
		avatar_url = '', password_hash = ?, deleted_at = ?, updated_at = ? WHERE id = ?`,
		[]any{ask2live.DeletedDisplayName, unusablePassword, db.d.t(at), db.d.t(at), userID},
		deleteCredentials...)
}

// AdminUsers lists accounts by username, optionally those whose username
// or display name holds f.Text.
func (db *DB) AdminUsers(ctx context.Context, f ask2live.AdminUserFilter) (*ask2live.AdminUserPage, error) {
	var where []string
	var args []any
	if text := strings.TrimSpace(f.Text); text != "" {
		pat := "%" + escapeLike(text) + "%"
		where = append(where, fmt.Sprintf("(u.username %[1]s ? ESCAPE '!' OR u.display_name %[1]s ? ESCAPE '!')", db.d.like))
		args = append(args, pat, pat)
	}
	if f.Cursor != "" {
		where = append(where, "u.username > ?")
		args = append(args, f.Cursor)
	}
	query := "SELECT " + userColumns + " FROM users u"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY u.username LIMIT ?"
	args = append(args, f.Limit+1)
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, db.d.fail(err, "users")
	}
	defer rows.Close()
	page := &ask2live.AdminUserPage{Items: []*ask2live.AdminUser{}}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, db.d.fail(err, "users")
		}
		if len(page.Items) == f.Limit {
			page.NextCursor = page.Items[len(page.Items)-1].Username
			break
		}
		page.Items = append(page.Items, u.AdminView())
	}
	return page, db.d.fail(rows.Err(), "users")
}

// AuditLog returns a page of the audit log, newest first: by time, then
// by id (ids made in one millisecond do not sort by time).
func (db *DB) AuditLog(ctx context.Context, cursor string, limit int) (*ask2live.AuditPage, error) {
	query := `SELECT a.id, a.action, a.target_type, a.target_id, a.detail, a.created_at,
		au.username, au.display_name, au.avatar_url, tu.username
		FROM audit_log a
		LEFT JOIN users au ON au.id = a.actor_id
		LEFT JOIN users tu ON a.target_type = 'user' AND tu.id = a.target_id`
	var args []any
	if cursor != "" {
		at, id, err := decodeAuditCursor(cursor)
		if err != nil {
			return nil, err
		}
		query += " WHERE (a.created_at < ? OR (a.created_at = ? AND a.id < ?))"
		args = append(args, db.d.t(at), db.d.t(at), id)
	}
	query += " ORDER BY a.created_at DESC, a.id DESC LIMIT ?"
	args = append(args, limit+1)
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, db.d.fail(err, "audit log")
	}
	defer rows.Close()
	page := &ask2live.AuditPage{Items: []*ask2live.AuditEntry{}}
	for rows.Next() {
		var e ask2live.AuditEntry
		var created dbTime
		var actorName, actorDisplay, actorAvatar, targetName *string
		if err := rows.Scan(&e.ID, &e.Action, &e.TargetType, &e.TargetID, &e.Detail, &created,
			&actorName, &actorDisplay, &actorAvatar, &targetName); err != nil {
			return nil, db.d.fail(err, "audit log")
		}
		if len(page.Items) == limit {
			last := page.Items[len(page.Items)-1]
			page.NextCursor = encodeAuditCursor(last.CreatedAt, last.ID)
			break
		}
		e.CreatedAt = created.T
		if actorName != nil {
			e.Actor = &ask2live.UserSummary{Username: *actorName, DisplayName: deref(actorDisplay), AvatarURL: deref(actorAvatar)}
		}
		e.Target = e.TargetID
		if targetName != nil {
			e.Target = *targetName
		}
		page.Items = append(page.Items, &e)
	}
	return page, db.d.fail(rows.Err(), "audit log")
}

func encodeAuditCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "|" + id))
}

func decodeAuditCursor(c string) (time.Time, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		us, id, ok := strings.Cut(string(b), "|")
		n, err := strconv.ParseInt(us, 10, 64)
		// Only the form encodeAuditCursor writes: no sign, no leading zeros.
		if ok && err == nil && n >= 0 && strconv.FormatInt(n, 10) == us && ask2live.ValidID(id) {
			return time.UnixMicro(n).UTC(), id, nil
		}
	}
	return time.Time{}, "", ask2live.Invalid(ask2live.FieldError{Field: "cursor", Message: "is not a cursor this server issued"})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
