package ask2live

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Role is what an account may do beyond what every user may.
type Role string

// Roles. An admin is granted on the command line (`ask2live admin grant`).
const (
	RoleUser  Role = ""
	RoleAdmin Role = "admin"
)

// DeletedDisplayName is what a deleted account is called wherever its
// questions and sessions still appear.
const DeletedDisplayName = "deleted user"

// Audit actions: what an entry of the audit log records.
const (
	AuditGrantAdmin    = "admin.grant"
	AuditRevokeAdmin   = "admin.revoke"
	AuditSuspendUser   = "user.suspend"
	AuditUnsuspendUser = "user.unsuspend"
	AuditDeleteUser    = "user.delete"
	AuditEndSession    = "session.end"
	AuditCancelSession = "session.cancel"
	AuditRemoveSession = "session.remove"
)

// What an audit entry acts on.
const (
	AuditTargetUser    = "user"
	AuditTargetSession = "session"
)

// AuditEntry is one administrative action. Actor is nil when the action came
// from the command line.
type AuditEntry struct {
	ID         string       `json:"id"`
	ActorID    string       `json:"-"` // "" for the command line
	Actor      *UserSummary `json:"actor"`
	Action     string       `json:"action"`
	TargetType string       `json:"target_type"`
	TargetID   string       `json:"-"`
	// Target names the target as people know it: a username or a session
	// id (filled in by the store).
	Target    string    `json:"target"`
	Detail    string    `json:"detail"`
	CreatedAt time.Time `json:"created_at"`
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Items      []*AuditEntry `json:"items"`
	NextCursor string        `json:"next_cursor"`
}

// AdminUser is an account as the site administration sees it.
type AdminUser struct {
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	AvatarURL   string     `json:"avatar_url"`
	CreatedAt   time.Time  `json:"created_at"`
	Role        Role       `json:"role"`
	SuspendedAt *time.Time `json:"suspended_at"`
	DeletedAt   *time.Time `json:"deleted_at"`
}

// AdminView returns u as the site administration sees it.
func (u *User) AdminView() *AdminUser {
	return &AdminUser{Username: u.Username, DisplayName: u.DisplayName, AvatarURL: u.AvatarURL, CreatedAt: u.CreatedAt,
		Role: u.Role, SuspendedAt: u.SuspendedAt, DeletedAt: u.DeletedAt}
}

// AdminUserFilter selects accounts for the site administration.
type AdminUserFilter struct {
	Text   string // in the username or the display name
	Cursor string // the last username of the previous page
	Limit  int
}

// AdminUserPage is one page of accounts, by username.
type AdminUserPage struct {
	Items      []*AdminUser `json:"items"`
	NextCursor string       `json:"next_cursor"`
}

// Page sizes of the site administration.
const (
	AdminPageDefault = 20
	AdminPageMax     = 100
)

// AdminStore keeps roles, suspensions and the audit log. Each change is
// stored together with its audit entry, in one transaction.
type AdminStore interface {
	// SetRole sets a user's role.
	SetRole(ctx context.Context, userID string, role Role, audit *AuditEntry) error
	// SetSuspended suspends the account (at set) or lifts its suspension
	// (at nil). Suspending deletes every credential of the account: its
	// log-in tokens and its calendar feed.
	SetSuspended(ctx context.Context, userID string, at *time.Time, audit *AuditEntry) error
	// DeleteAccount scrubs the account's personal data (display name
	// DeletedDisplayName, company, work field, bio and avatar emptied, the
	// password unusable), deletes its credentials (log-in tokens and
	// calendar feed) and marks it deleted;
	// the row stays, so its username stays taken and its questions keep
	// an author.
	DeleteAccount(ctx context.Context, userID string, at time.Time, audit *AuditEntry) error
	// AdminUsers lists accounts by username.
	AdminUsers(ctx context.Context, f AdminUserFilter) (*AdminUserPage, error)
	// AddAudit records an entry on its own.
	AddAudit(ctx context.Context, e *AuditEntry) error
	// AuditLog returns a page of the log, newest first; cursor is the
	// NextCursor of the previous page (EInvalid for anything else).
	AuditLog(ctx context.Context, cursor string, limit int) (*AuditPage, error)
}

// AccountWatcher hears that an account lost its credentials (suspended or
// deleted), so that what the account still has open — live-room sockets —
// closes too. Implementations must not block.
type AccountWatcher interface {
	AccountClosed(username string)
}

func requireAdmin(actor *User) error {
	if actor == nil {
		return Errorf(EUnauthenticated, "log in first")
	}
	if !actor.IsAdmin() {
		return Errorf(EForbidden, "only site admins can do this")
	}
	return nil
}

func (s *Service) auditEntry(actor *User, action, targetType, targetID, detail string) *AuditEntry {
	now := s.now()
	return &AuditEntry{ID: NewID(now), ActorID: viewerID(actor), Action: action, TargetType: targetType,
		TargetID: targetID, Detail: detail, CreatedAt: now}
}

// adminTarget loads the account an admin acts on; an admin never acts on
// their own account, so they cannot lock themselves out.
func (s *Service) adminTarget(ctx context.Context, actor *User, username, what string) (*User, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	u, err := s.userByName(ctx, username)
	if err != nil {
		return nil, err
	}
	if u.ID == actor.ID {
		return nil, Errorf(EForbidden, "you cannot %s your own account", what)
	}
	if u.DeletedAt != nil {
		return nil, Errorf(EWrongState, "the account %s is deleted", u.Username)
	}
	return u, nil
}

func (s *Service) userByName(ctx context.Context, username string) (*User, error) {
	name := NormalizeUsername(username)
	if ValidateUsername(name) != nil {
		return nil, Errorf(ENotFound, "no user %q", strings.ToValidUTF8(username, "?"))
	}
	u, err := s.Store.UserByUsername(ctx, name)
	if ErrorCode(err) == ENotFound {
		return nil, Errorf(ENotFound, "no user %q", name)
	}
	return u, err
}

// AdminUsers lists accounts, with their role and standing (admins only).
func (s *Service) AdminUsers(ctx context.Context, actor *User, f AdminUserFilter) (*AdminUserPage, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if errs := checkFields(nil, fieldCheck{searchRule, &f.Text}); len(errs) > 0 {
		return nil, Invalid(errs...)
	}
	if f.Cursor != "" && ValidateUsername(f.Cursor) != nil {
		return nil, Invalid(FieldError{"cursor", "is not a cursor this server issued"})
	}
	if f.Limit <= 0 || f.Limit > AdminPageMax {
		f.Limit = AdminPageDefault
	}
	return s.Store.AdminUsers(ctx, f)
}

// SetAdmin grants (or revokes) the admin role. It is the command line's
// action: actor is nil there, and an admin may use it too.
func (s *Service) SetAdmin(ctx context.Context, actor *User, username string, admin bool) (*AdminUser, error) {
	if actor != nil {
		if err := requireAdmin(actor); err != nil {
			return nil, err
		}
	}
	u, err := s.userByName(ctx, username)
	if err != nil {
		return nil, err
	}
	if u.DeletedAt != nil {
		return nil, Errorf(EWrongState, "the account %s is deleted", u.Username)
	}
	role, action := RoleAdmin, AuditGrantAdmin
	if !admin {
		role, action = RoleUser, AuditRevokeAdmin
	}
	defer s.invalidate(Invalidation{User: u.ID})
	if err := s.Store.SetRole(ctx, u.ID, role, s.auditEntry(actor, action, AuditTargetUser, u.ID, "")); err != nil {
		return nil, err
	}
	u.Role = role
	return u.AdminView(), nil
}

// SuspendUser suspends an account (admins only): every credential it holds
// stops working at once, its live-room sockets close, and it cannot log in
// until unsuspended.
func (s *Service) SuspendUser(ctx context.Context, actor *User, username string) (*AdminUser, error) {
	u, err := s.adminTarget(ctx, actor, username, "suspend")
	if err != nil {
		return nil, err
	}
	if u.SuspendedAt != nil {
		return nil, Errorf(EWrongState, "the account %s is already suspended", u.Username)
	}
	now := s.now()
	err = s.Store.SetSuspended(ctx, u.ID, &now, s.auditEntry(actor, AuditSuspendUser, AuditTargetUser, u.ID, ""))
	s.closeAccount(u)
	if err != nil {
		return nil, err
	}
	u.SuspendedAt = &now
	return u.AdminView(), nil
}

// UnsuspendUser lifts a suspension (admins only); the user logs in again.
func (s *Service) UnsuspendUser(ctx context.Context, actor *User, username string) (*AdminUser, error) {
	u, err := s.adminTarget(ctx, actor, username, "unsuspend")
	if err != nil {
		return nil, err
	}
	if u.SuspendedAt == nil {
		return nil, Errorf(EWrongState, "the account %s is not suspended", u.Username)
	}
	defer s.invalidate(Invalidation{User: u.ID})
	if err := s.Store.SetSuspended(ctx, u.ID, nil, s.auditEntry(actor, AuditUnsuspendUser, AuditTargetUser, u.ID, "")); err != nil {
		return nil, err
	}
	u.SuspendedAt = nil
	return u.AdminView(), nil
}

// DeleteUser deletes an account (admins only): its personal data is
// scrubbed and its avatar deleted, it can never log in again, and its
// username stays taken; its questions and sessions stay, under the name
// DeletedDisplayName, so archives still read right.
func (s *Service) DeleteUser(ctx context.Context, actor *User, username string) (*AdminUser, error) {
	u, err := s.adminTarget(ctx, actor, username, "delete")
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.Store.DeleteAccount(ctx, u.ID, now, s.auditEntry(actor, AuditDeleteUser, AuditTargetUser, u.ID, ""))
	s.closeAccount(u)
	if err != nil {
		return nil, err
	}
	if key := strings.TrimPrefix(u.AvatarURL, MediaURLPrefix); key != "" && key != u.AvatarURL {
		if err := s.Store.DeleteMedia(ctx, key); err != nil && s.Log != nil {
			s.Log.Warn("deleting a deleted account's avatar", slog.String("key", key), slog.Any("err", err))
		}
	}
	return &AdminUser{Username: u.Username, DisplayName: DeletedDisplayName, CreatedAt: u.CreatedAt,
		Role: u.Role, SuspendedAt: u.SuspendedAt, DeletedAt: &now}, nil
}

// closeAccount drops what the caches hold of an account that lost its
// credentials (here and, through the cache's publisher, on other nodes)
// and closes its live sockets.
func (s *Service) closeAccount(u *User) {
	s.invalidate(Invalidation{User: u.ID})
	if s.Accounts != nil {
		s.Accounts.AccountClosed(u.Username)
	}
}

// AdminEndSession ends a live session, or cancels one that has not gone
// live (admins only).
func (s *Service) AdminEndSession(ctx context.Context, actor *User, id string) (*Session, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	sess, err := s.Store.SessionRow(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case sess.State == StateLive:
		return s.adminTransition(ctx, actor, sess, []SessionState{StateLive}, StateEnded, AuditEndSession)
	case sess.State.BeforeLive():
		return s.adminTransition(ctx, actor, sess, []SessionState{StateRecruiting, StateReady, StateScheduled}, StateCancelled, AuditCancelSession)
	}
	return nil, Errorf(EWrongState, "the session is already %s", sess.State)
}

// AdminRemoveSession cancels a session in any state, live or ended ones
// included, so that it leaves the main page and public profiles (admins
// only). A live room closes, as for any session that ends.
func (s *Service) AdminRemoveSession(ctx context.Context, actor *User, id string) (*Session, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	sess, err := s.Store.SessionRow(ctx, id)
	if err != nil {
		return nil, err
	}
	if sess.State == StateCancelled {
		return nil, Errorf(EWrongState, "the session is already cancelled")
	}
	return s.adminTransition(ctx, actor, sess, []SessionState{sess.State}, StateCancelled, AuditRemoveSession)
}

func (s *Service) adminTransition(ctx context.Context, actor *User, sess *Session, from []SessionState, to SessionState, action string) (*Session, error) {
	_, err := s.Store.TransitionSession(ctx, sess.ID, from, to, s.now())
	s.invalidate(Invalidation{Session: sess.ID})
	if err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("%s → %s: %s", sess.State, to, sess.Title)
	if err := s.Store.AddAudit(ctx, s.auditEntry(actor, action, AuditTargetSession, sess.ID, clip(detail, AuditDetailMaxLen))); err != nil {
		// The change is made; losing its record is logged loudly.
		if s.Log != nil {
			s.Log.Error("recording an admin action in the audit log", slog.String("action", action),
				slog.String("session", sess.ID), slog.Any("err", err))
		}
		return nil, err
	}
	return s.changed(ctx, sess.ID, actor)
}

// AuditDetailMaxLen bounds an audit entry's detail, in characters.
const AuditDetailMaxLen = 200

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// AuditLog returns the audit log, newest first (admins only).
func (s *Service) AuditLog(ctx context.Context, actor *User, cursor string, limit int) (*AuditPage, error) {
	if err := requireAdmin(actor); err != nil {
		return nil, err
	}
	if msg := textProblem(cursor, false); msg != "" || len(cursor) > 200 {
		return nil, Invalid(FieldError{"cursor", "is not a cursor this server issued"})
	}
	if limit <= 0 || limit > AdminPageMax {
		limit = AdminPageDefault
	}
	return s.Store.AuditLog(ctx, cursor, limit)
}
