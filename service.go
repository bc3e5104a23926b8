package ask2live

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Notifier hears about changes made through the Service, so live rooms and
// the per-user event streams can tell clients. Implementations must not
// block; they are called after the change is stored.
type Notifier interface {
	SessionChanged(s *Session)
	QuestionsChanged(sessionID string, qs []*Question)
	// VotesChanged is a change of a question's votes and nothing else: a
	// listener may hold it back briefly and pass on only the latest.
	VotesChanged(sessionID string, q *Question)
	QuestionDeleted(sessionID, questionID string)
	// TeamChanged gives a session's whole team after the host changed it.
	TeamChanged(sessionID string, team []TeamMember)
}

// Presence counts the people in live rooms (the live hub provides it).
type Presence interface {
	ParticipantCount(sessionID string) int
}

// Credential is a fresh secret handed to a client at log-in.
type Credential struct {
	Token     string
	ExpiresAt time.Time
}

// Credential kinds.
const (
	TokenBearer = "bearer" // Authorization: Bearer, for API clients
	TokenCookie = "cookie" // the browser's HttpOnly session cookie
)

// Profile is a public profile page.
type Profile struct {
	User     *User      `json:"user"`
	Upcoming []*Session `json:"upcoming"`
	Past     []*Session `json:"past"`
}

// Service holds the product's rules: who may do what, in which state. HTTP and
// the live rooms both go through it, so a rule is written once.
type Service struct {
	Store    Store
	Notifier Notifier // nil: nobody listens
	Presence Presence // nil: participant counts stay 0
	// Accounts hears of suspended and deleted accounts; nil: nobody.
	Accounts AccountWatcher
	Log      *slog.Logger
	Now      func() time.Time
	Argon2   Argon2Params
	TokenTTL time.Duration // lifetime of bearer tokens and session cookies
	// Cache keeps public views of the most-read pages and recent
	// credentials; nil reads everything from the Store. Every write below
	// invalidates what it changed.
	Cache *ReadCache

	dummyOnce sync.Once
	dummyHash string
	// AvatarLimits bound decoding uploaded avatars; read at the first
	// upload.
	AvatarLimits AvatarLimits

	// hashing bounds concurrent password hashing: each argon2id run takes
	// Argon2.Memory, so a burst of log-ins must queue, not allocate
	// gigabytes at once.
	hashing *hashPool
	// avatars decodes uploads within AvatarLimits; built on first use.
	avatarsOnce sync.Once
	avatars     *avatarDecoder
}

// withHashSlot runs fn on one of the password-hashing threads.
func (s *Service) withHashSlot(ctx context.Context, fn func()) error {
	return s.hashing.run(ctx, fn)
}

// SetHashWorkers bounds how many password hashes run at once (n ≤ 0: one
// per core). Call it before the service is used.
func (s *Service) SetHashWorkers(n int) {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	s.hashing = newHashPool(n)
}

// NewService returns a Service with default settings over store.
func NewService(store Store, log *slog.Logger) *Service {
	return &Service{
		Store:    store,
		Log:      log,
		Now:      func() time.Time { return time.Now().UTC() },
		Argon2:   DefaultArgon2,
		TokenTTL: 30 * 24 * time.Hour,
		Cache:    NewReadCache(DefaultReadCacheConfig),
		hashing:  newHashPool(runtime.GOMAXPROCS(0)),

		AvatarLimits: DefaultAvatarLimits,
	}
}

// now is the service clock at the precision every database keeps.
func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// invalidate drops what a write changed from the read cache (and other
// nodes' caches). It runs after the write, whether or not it failed: a write
// that failed late may still have committed.
func (s *Service) invalidate(inv Invalidation) {
	s.Cache.Invalidate(inv)
}

// refused reports whether err is a rule's refusal from the store, made
// before it changed anything (so there is nothing to invalidate).
func refused(err error) bool {
	switch ErrorCode(err) {
	case ENotFound, EForbidden, EWrongState:
		return true
	}
	return false
}

func (s *Service) notify(f func(n Notifier)) {
	if s.Notifier != nil {
		f(s.Notifier)
	}
}

// HashToken returns the stored form of a credential secret.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// RegisterInput creates an account.
type RegisterInput struct {
	Username    string `json:"username"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
}

// Register creates an account and a credential of the given kind.
func (s *Service) Register(ctx context.Context, in RegisterInput, kind string) (*User, *Credential, error) {
	in.Username = NormalizeUsername(in.Username)
	dn := strings.TrimSpace(in.DisplayName)
	if dn == "" {
		dn = in.Username
	}
	var errs []FieldError
	if fe := ValidateUsername(in.Username); fe != nil {
		errs = append(errs, *fe)
	}
	if fe := ValidatePassword(in.Password); fe != nil {
		errs = append(errs, *fe)
	}
	upd := ProfileUpdate{DisplayName: &dn}
	if err := upd.Validate(); err != nil {
		errs = append(errs, ErrorFields(err)...)
	}
	if len(errs) > 0 {
		return nil, nil, Invalid(errs...)
	}
	var hash string
	var err error
	if serr := s.withHashSlot(ctx, func() { hash, err = HashPassword(in.Password, s.Argon2) }); serr != nil {
		return nil, nil, serr
	}
	if err != nil {
		return nil, nil, Wrap(EInternal, err, "could not hash password")
	}
	now := s.now()
	u := &User{ID: NewID(now), Username: in.Username, DisplayName: dn, CreatedAt: now}
	if err := s.Store.CreateUser(ctx, u, hash); err != nil {
		if ErrorCode(err) == EConflict {
			return nil, nil, &Error{Code: EConflict, Message: "username is taken",
				Fields: []FieldError{{"username", "is taken"}}}
		}
		return nil, nil, err
	}
	cred, err := s.IssueCredential(ctx, u.ID, kind)
	if err != nil {
		return nil, nil, err
	}
	return u, cred, nil
}

// Login checks a password and issues a credential of the given kind.
func (s *Service) Login(ctx context.Context, username, password, kind string) (*User, *Credential, error) {
	if msg := textProblem(username, false); msg != "" {
		return nil, nil, Invalid(FieldError{"username", msg})
	}
	username = NormalizeUsername(username)
	if username == "" || password == "" || len(password) > PasswordMaxLen {
		return nil, nil, Errorf(EUnauthenticated, "wrong username or password")
	}
	u, hash, err := s.Store.PasswordHash(ctx, username)
	if err != nil && ErrorCode(err) != ENotFound {
		return nil, nil, err
	}
	if u == nil || u.DeletedAt != nil {
		// A deleted account is as good as none. Spend the same time as a real check so timing does not tell which
		// usernames exist.
		if err := s.withHashSlot(ctx, func() { s.verifyDummy(password) }); err != nil {
			return nil, nil, err
		}
		return nil, nil, Errorf(EUnauthenticated, "wrong username or password")
	}
	var ok bool
	if serr := s.withHashSlot(ctx, func() { ok, err = VerifyPassword(password, hash) }); serr != nil {
		return nil, nil, serr
	}
	if err != nil {
		return nil, nil, Wrap(EInternal, err, "could not check password")
	}
	if !ok {
		return nil, nil, Errorf(EUnauthenticated, "wrong username or password")
	}
	// Only someone who knows the password learns of the suspension.
	if u.SuspendedAt != nil {
		return nil, nil, Errorf(EForbidden, "this account is suspended")
	}
	s.upgradeHash(ctx, u.ID, password, hash)
	cred, err := s.IssueCredential(ctx, u.ID, kind)
	if err != nil {
		return nil, nil, err
	}
	return u, cred, nil
}

// upgradeHash re-hashes a password whose stored hash was made with other
// cost parameters than the service's, once its owner has proved it. A
// failure only leaves the old hash in place.
func (s *Service) upgradeHash(ctx context.Context, userID, password, hash string) {
	if p, ok := hashParams(hash); ok && p == s.Argon2 {
		return
	}
	var fresh string
	var err error
	if serr := s.withHashSlot(ctx, func() { fresh, err = HashPassword(password, s.Argon2) }); serr != nil || err != nil {
		return
	}
	if err := s.Store.SetPasswordHash(ctx, userID, hash, fresh); err != nil {
		s.Log.Warn("upgrading a password hash", slog.Any("err", err))
	}
}

func (s *Service) verifyDummy(password string) {
	s.dummyOnce.Do(func() { s.dummyHash, _ = HashPassword("not-a-real-password", s.Argon2) })
	_, _ = VerifyPassword(password, s.dummyHash)
}

// IssueCredential creates a new credential of the given kind for a user.
func (s *Service) IssueCredential(ctx context.Context, userID, kind string) (*Credential, error) {
	if kind != TokenBearer && kind != TokenCookie {
		return nil, Errorf(EInternal, "unknown credential kind %q", kind)
	}
	now := s.now()
	cred := &Credential{Token: NewToken(), ExpiresAt: now.Add(s.TokenTTL)}
	err := s.Store.CreateToken(ctx, &AuthToken{
		Hash: HashToken(cred.Token), UserID: userID, Kind: kind, CreatedAt: now, ExpiresAt: cred.ExpiresAt,
	})
	if err != nil {
		return nil, err
	}
	return cred, nil
}

// Logout revokes a credential.
func (s *Service) Logout(ctx context.Context, token string) error {
	hash := HashToken(token)
	defer s.invalidate(Invalidation{Token: hash})
	return s.Store.DeleteToken(ctx, hash)
}

// Authenticate returns the owner of a valid credential.
func (s *Service) Authenticate(ctx context.Context, token string) (*User, error) {
	if token == "" || len(token) > 256 {
		return nil, Errorf(EUnauthenticated, "missing or invalid credentials")
	}
	hash, now := HashToken(token), s.now()
	var gen fillToken
	if s.Cache != nil {
		var u *User
		if u, gen = s.Cache.getToken(hash, now); u != nil {
			return u, nil
		}
	}
	u, expires, err := s.Store.TokenUser(ctx, hash, now)
	if ErrorCode(err) == ENotFound {
		return nil, Errorf(EUnauthenticated, "missing, expired or revoked credentials")
	}
	if err != nil {
		return nil, err
	}
	if s.Cache != nil {
		s.Cache.putToken(hash, u, expires, gen)
	}
	return u, nil
}

func requireUser(actor *User) error {
	if actor == nil {
		return Errorf(EUnauthenticated, "log in first")
	}
	return nil
}

// UpdateProfile changes the actor's profile.
func (s *Service) UpdateProfile(ctx context.Context, actor *User, upd ProfileUpdate) (*User, error) {
	if err := requireUser(actor); err != nil {
		return nil, err
	}
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	u, err := s.Store.UserByID(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	upd.Apply(u)
	defer s.invalidate(Invalidation{User: u.ID})
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// PublicProfile returns a user's profile with their upcoming and past sessions.
func (s *Service) PublicProfile(ctx context.Context, username string, viewer *User) (*Profile, error) {
	u, err := s.Store.UserByUsername(ctx, NormalizeUsername(username))
	if err != nil {
		return nil, err
	}
	vid := viewerID(viewer)
	up, err := s.Store.ListSessions(ctx, SessionFilter{HostID: u.ID, ViewerID: vid, Limit: 50,
		States: []SessionState{StateRecruiting, StateReady, StateScheduled, StateLive}})
	if err != nil {
		return nil, err
	}
	past, err := s.Store.ListSessions(ctx, SessionFilter{HostID: u.ID, ViewerID: vid, Limit: 50,
		States: []SessionState{StateEnded}})
	if err != nil {
		return nil, err
	}
	return &Profile{User: u, Upcoming: up.Items, Past: past.Items}, nil
}

func viewerID(u *User) string {
	if u == nil {
		return ""
	}
	return u.ID
}
