package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/ask2live/ask2live"
)

const userColumns = "u.id, u.username, u.display_name, u.company, u.work_field, u.bio, u.avatar_url, u.created_at, u.role, u.suspended_at, u.deleted_at"

type scanner interface{ Scan(dest ...any) error }

func scanUser(s scanner, extra ...any) (*ask2live.User, error) {
	var u ask2live.User
	var created, suspended, deleted dbTime
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Company, &u.WorkField, &u.Bio, &u.AvatarURL, &created,
		&u.Role, &suspended, &deleted}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	u.CreatedAt, u.SuspendedAt, u.DeletedAt = created.T, suspended.ptr(), deleted.ptr()
	return &u, nil
}

// CreateUser inserts a user.
func (db *DB) CreateUser(ctx context.Context, u *ask2live.User, passwordHash string) error {
	now := db.d.t(u.CreatedAt)
	_, err := db.exec(ctx, "user", `INSERT INTO users
		(id, username, password_hash, display_name, company, work_field, bio, avatar_url, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Username, passwordHash, u.DisplayName, u.Company, u.WorkField, u.Bio, u.AvatarURL, now, now)
	return err
}

// UserByID returns a user.
func (db *DB) UserByID(ctx context.Context, id string) (*ask2live.User, error) {
	u, err := scanUser(db.queryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.id = ?", id))
	return u, db.d.fail(err, "user")
}

// UserByUsername returns a user by (normalized) username.
func (db *DB) UserByUsername(ctx context.Context, username string) (*ask2live.User, error) {
	u, err := scanUser(db.queryRow(ctx, "SELECT "+userColumns+" FROM users u WHERE u.username = ?", username))
	return u, db.d.fail(err, "user")
}

// PasswordHash returns a user and their password hash.
func (db *DB) PasswordHash(ctx context.Context, username string) (*ask2live.User, string, error) {
	var hash string
	u, err := scanUser(db.r.QueryRowContext(ctx,
		db.d.q("SELECT "+userColumns+", u.password_hash FROM users u WHERE u.username = ?"), username), &hash)
	if err != nil {
		return nil, "", db.d.fail(err, "user")
	}
	return u, hash, nil
}

// SetPasswordHash replaces a user's password hash, if it is still old (so
// two log-ins upgrading one hash at once write it once).
func (db *DB) SetPasswordHash(ctx context.Context, userID, old, hash string) error {
	_, err := db.exec(ctx, "user", "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", hash, userID, old)
	return err
}

// UpdateUser saves the profile fields.
func (db *DB) UpdateUser(ctx context.Context, u *ask2live.User) error {
	res, err := db.exec(ctx, "user", `UPDATE users SET display_name = ?, company = ?, work_field = ?, bio = ?,
		avatar_url = ?, updated_at = ? WHERE id = ?`,
		u.DisplayName, u.Company, u.WorkField, u.Bio, u.AvatarURL, db.d.t(time.Now()), u.ID)
	if err != nil {
		return err
	}
	return mustAffect(res, "user")
}

func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return errNotFound(what)
	}
	return nil
}

// CreateToken stores a credential.
func (db *DB) CreateToken(ctx context.Context, t *ask2live.AuthToken) error {
	_, err := db.exec(ctx, "token", "INSERT INTO auth_tokens (hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		t.Hash, t.UserID, t.Kind, db.d.t(t.CreatedAt), db.d.t(t.ExpiresAt))
	return err
}

// TokenUser returns the owner of an unexpired credential.
func (db *DB) TokenUser(ctx context.Context, hash string, now time.Time) (*ask2live.User, time.Time, error) {
	var expires dbTime
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+`, t.expires_at FROM auth_tokens t
		JOIN users u ON u.id = t.user_id WHERE t.hash = ? AND t.expires_at > ?
		AND u.suspended_at IS NULL AND u.deleted_at IS NULL`, hash, db.d.t(now)), &expires)
	if err != nil {
		return nil, time.Time{}, db.d.fail(err, "credential")
	}
	return u, expires.T, nil
}

// DeleteToken revokes a credential; revoking an unknown one is not an error.
func (db *DB) DeleteToken(ctx context.Context, hash string) error {
	_, err := db.exec(ctx, "token", "DELETE FROM auth_tokens WHERE hash = ?", hash)
	return err
}

// DeleteExpiredTokens removes expired credentials.
func (db *DB) DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.exec(ctx, "token", "DELETE FROM auth_tokens WHERE expires_at <= ?", db.d.t(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
