package ask2live

import (
	"context"
	"time"
)

// Store keeps the product's data. Implementations (package store: SQLite,
// PostgreSQL, MySQL) make every method that reads-then-writes atomic, so the
// rules below hold under any concurrency.
//
// Errors are *Error values: ENotFound for a missing row, EConflict for a
// duplicate, EWrongState when a state check inside the method fails. Other
// failures are returned wrapped as EInternal or EUnavailable.
type Store interface {
	UserStore
	SessionStore
	QuestionStore
	LiveStore
	MediaStore
	AdminStore
	CalendarStore
	TeamStore

	// Ping checks that the database answers (for /readyz).
	Ping(ctx context.Context) error
	Close() error
}

// AuthToken is a stored credential. Only a hash of the secret is stored, so a
// leaked database does not leak live credentials.
type AuthToken struct {
	Hash      string // hex SHA-256 of the secret
	UserID    string
	Kind      string // "bearer" or "cookie"
	CreatedAt time.Time
	ExpiresAt time.Time
}

// UserStore keeps accounts and credentials.
type UserStore interface {
	// CreateUser inserts u (u.ID and u.Username set by the caller).
	// EConflict when the username is taken.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	UserByID(ctx context.Context, id string) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	// PasswordHash returns the user and the stored hash for a log-in.
	PasswordHash(ctx context.Context, username string) (*User, string, error)
	// SetPasswordHash replaces the password hash old by hash (a no-op when
	// the stored hash is no longer old).
	SetPasswordHash(ctx context.Context, userID, old, hash string) error
	// UpdateUser saves display name, company, work field, bio and avatar URL.
	UpdateUser(ctx context.Context, u *User) error

	CreateToken(ctx context.Context, t *AuthToken) error
	// TokenUser returns the owner of an unexpired token and when the token
	// expires; ENotFound otherwise, and for a suspended or deleted owner.
	TokenUser(ctx context.Context, hash string, now time.Time) (*User, time.Time, error)
	DeleteToken(ctx context.Context, hash string) error
	DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error)
}

// SessionStore keeps sessions and wishes.
type SessionStore interface {
	// CreateSession inserts s (ID, HostID, State, times set by the caller).
	CreateSession(ctx context.Context, s *Session) error
	// SessionByID returns s with Host, counts and WishedByMe (for viewerID,
	// which may be "").
	SessionByID(ctx context.Context, id, viewerID string) (*Session, error)
	// SessionRow returns the session's own fields and counts, without Host
	// and WishedByMe: a cheaper read for the checks before a write.
	SessionRow(ctx context.Context, id string) (*Session, error)
	// ListSessions returns one page. Order: live first by started_at desc, then
	// the rest by starts_at asc (nulls last), then by id; the cursor resumes
	// after the last item of the previous page.
	ListSessions(ctx context.Context, f SessionFilter) (*SessionPage, error)
	// WishedSessions returns the sessions userID wished, in any state,
	// newest wish first, at most limit.
	WishedSessions(ctx context.Context, userID string, limit int) ([]*Session, error)
	// Wishes returns the ids of the sessions userID wished.
	Wishes(ctx context.Context, userID string) (map[string]bool, error)

	// UpdateSession applies upd if the session is still before live
	// (EWrongState otherwise) and recomputes recruiting/ready with
	// RecruitState.
	UpdateSession(ctx context.Context, id string, upd SessionUpdate, now time.Time) (*Session, error)
	// SetChatSlowMode sets a session's slow mode (EWrongState once it is
	// over) and returns the session as an anonymous viewer sees it.
	SetChatSlowMode(ctx context.Context, id string, seconds int, now time.Time) (*Session, error)
	// TransitionSession moves the session to `to` if its current state is one
	// of from (EWrongState otherwise). Entering live sets started_at, entering
	// ended or cancelled sets ended_at.
	TransitionSession(ctx context.Context, id string, from []SessionState, to SessionState, now time.Time) (*Session, error)

	// Wish records userID's wish once (a repeat is a no-op), updates
	// wish_count and the state by RecruitState, all in one transaction, if
	// CheckWish allows it on the session as it is then (EForbidden for the
	// host, EWrongState when the session is ended or cancelled). It returns
	// the session as userID now sees it and whether anything changed.
	Wish(ctx context.Context, sessionID, userID string, now time.Time) (*Session, bool, error)
	// Unwish removes the wish if present (else a no-op), likewise.
	Unwish(ctx context.Context, sessionID, userID string, now time.Time) (*Session, bool, error)
}

// QuestionStore keeps the question queue and votes.
type QuestionStore interface {
	// CreateQuestion inserts q (ID, SessionID, AuthorID, Kind, Text, State,
	// times set by the caller) if AskPhase allows it on the session as it
	// is then (ENotFound, EWrongState otherwise); q.Phase and q.Author are
	// filled in.
	CreateQuestion(ctx context.Context, q *Question) error
	QuestionByID(ctx context.Context, id, viewerID string) (*Question, error)
	// VotedQuestions returns the ids of the questions of a session that
	// userID voted for.
	VotedQuestions(ctx context.Context, sessionID, userID string) (map[string]bool, error)
	// ListQuestions returns a session's questions in the default order
	// (QuestionLess), with Author and VotedByMe for viewerID.
	ListQuestions(ctx context.Context, sessionID, viewerID string) ([]*Question, error)
	// UpdateQuestionText changes the text of an open question (EWrongState
	// otherwise).
	UpdateQuestionText(ctx context.Context, id, text string, now time.Time) (*Question, error)
	// SetQuestionState sets the state. Setting answering returns any other
	// answering question of the session to open, so at most one is answering;
	// setting answered sets answered_at. It returns every question it changed,
	// the target first.
	SetQuestionState(ctx context.Context, id string, state QuestionState, now time.Time) ([]*Question, error)
	// SetPinned pins a question at the given time, or unpins it (nil); only
	// open and answering questions can be pinned (EWrongState).
	SetPinned(ctx context.Context, id string, at *time.Time, now time.Time) (*Question, error)
	DeleteQuestion(ctx context.Context, id string) error
	// Vote records userID's vote once (a repeat is a no-op) and keeps the
	// question's vote count exact, if CheckVote allows it (ENotFound,
	// EForbidden, EWrongState otherwise); Unvote removes it if present.
	// Both return the question as userID now sees it and whether the count
	// changed. When the database fails after the change was sent, the
	// question comes back with the error (the change may have been made).
	Vote(ctx context.Context, questionID, userID string) (*Question, bool, error)
	Unvote(ctx context.Context, questionID, userID string) (*Question, bool, error)
}

// LiveStore keeps what happens in live rooms.
type LiveStore interface {
	AddChatMessage(ctx context.Context, m *ChatMessage) error
	// DeleteChatMessage marks a message deleted (its text is cleared).
	DeleteChatMessage(ctx context.Context, sessionID, id string) error
	// RecentChat returns the last limit messages of a session, oldest first,
	// without deleted ones.
	RecentChat(ctx context.Context, sessionID string, limit int) ([]*ChatMessage, error)
	// RecordJoin opens a presence interval; RecordLeave closes the user's
	// open intervals in the session.
	RecordJoin(ctx context.Context, p *Participation) error
	RecordLeave(ctx context.Context, sessionID, userID string, at time.Time) error
	// SaveStage keeps a live room's stage (who is on air, who is muted) as
	// an opaque document, so that it survives a restart; Stage returns it
	// (nil when none was saved).
	SaveStage(ctx context.Context, sessionID string, stage []byte) error
	Stage(ctx context.Context, sessionID string) ([]byte, error)
	// SetRemoved records that the host removed userID from the session's
	// live room, or (removed false) let them back; a removed user may not
	// join the room. Removals returns who is removed, oldest removal first.
	SetRemoved(ctx context.Context, sessionID, userID string, removed bool, at time.Time) error
	Removals(ctx context.Context, sessionID string) ([]UserSummary, error)

	// ClaimCommand records, once, that a live-room command is starting:
	// claimed is true for the one call that recorded it. Any other call gets
	// the stored answer (nil while the first run has not finished) and when
	// the first run started.
	ClaimCommand(ctx context.Context, k CommandKey, now time.Time) (claimed bool, reply []byte, claimedAt time.Time, err error)
	// RetakeCommand claims anew a command that has no answer and whose
	// claim is still the one made at was (its node stopped mid-command);
	// false if someone else retook or finished it.
	RetakeCommand(ctx context.Context, k CommandKey, was, now time.Time) (bool, error)
	// CompleteCommand stores the answer of a claimed command.
	CompleteCommand(ctx context.Context, k CommandKey, reply []byte) error
	// ReleaseCommand forgets a claimed command that was refused, so that a
	// retry runs it again.
	ReleaseCommand(ctx context.Context, k CommandKey) error
	// DeleteCommandsBefore forgets commands claimed before t.
	DeleteCommandsBefore(ctx context.Context, t time.Time) (int64, error)
}

// CommandKey names one live-room command: a user's client id in a session.
type CommandKey struct {
	SessionID, UserID, CID string
}

// MediaStore keeps uploaded media (avatars) where every node can read it.
type MediaStore interface {
	PutMedia(ctx context.Context, key, contentType string, data []byte, now time.Time) error
	// Media returns ENotFound for an unknown key.
	Media(ctx context.Context, key string) (contentType string, data []byte, modified time.Time, err error)
	DeleteMedia(ctx context.Context, key string) error
}
