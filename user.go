package ask2live

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// User is an account. Username is stored lower-case and compared
// case-insensitively.
type User struct {
	ID          string    `json:"-"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Company     string    `json:"company"`
	WorkField   string    `json:"work_field"`
	Bio         string    `json:"bio"`
	AvatarURL   string    `json:"avatar_url"` // "" when the user has no avatar
	CreatedAt   time.Time `json:"created_at"`

	// Role and the account's standing are for the server and for admins
	// only: never in public JSON (see AdminUser).
	Role        Role       `json:"-"`
	SuspendedAt *time.Time `json:"-"`
	DeletedAt   *time.Time `json:"-"`
}

// IsAdmin reports whether u may use the site administration.
func (u *User) IsAdmin() bool {
	return u != nil && u.Role == RoleAdmin && u.SuspendedAt == nil && u.DeletedAt == nil
}

// UserSummary is how a user appears inside other objects (question author,
// participant, chat sender).
type UserSummary struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	AvatarURL   string `json:"avatar_url"`
}

// Summary returns the short form of u.
func (u *User) Summary() UserSummary {
	return UserSummary{Username: u.Username, DisplayName: u.DisplayName, AvatarURL: u.AvatarURL}
}

// Profile limits (SPEC section 3).
const (
	UsernameMinLen    = 3
	UsernameMaxLen    = 32
	PasswordMinLen    = 8
	PasswordMaxLen    = 128 // bounds the cost of hashing an attacker's input
	DisplayNameMaxLen = 40
	CompanyMaxLen     = 100
	WorkFieldMaxLen   = 100
	BioMaxLen         = 1000
)

var usernamePattern = regexp.MustCompile(`^[a-z0-9_.-]+$`)

// NormalizeUsername returns the canonical (lower-case, trimmed) form.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateUsername checks a normalized username.
func ValidateUsername(s string) *FieldError {
	n := utf8.RuneCountInString(s)
	switch {
	case n < UsernameMinLen || n > UsernameMaxLen:
		return &FieldError{"username", "must be 3 to 32 characters"}
	case !usernamePattern.MatchString(s):
		return &FieldError{"username", "may contain only a-z, 0-9, '_', '.' and '-'"}
	}
	return nil
}

// ValidatePassword checks a new password.
func ValidatePassword(s string) *FieldError {
	n := utf8.RuneCountInString(s)
	switch {
	case n < PasswordMinLen:
		return &FieldError{"password", "must be at least 8 characters"}
	case len(s) > PasswordMaxLen:
		return &FieldError{"password", "must be at most 128 bytes"}
	}
	return nil
}

// ProfileUpdate changes some profile fields; nil fields stay as they are.
type ProfileUpdate struct {
	DisplayName *string `json:"display_name"`
	Company     *string `json:"company"`
	WorkField   *string `json:"work_field"`
	Bio         *string `json:"bio"`
}

// Validate trims the given fields and checks them by their text rules.
func (p *ProfileUpdate) Validate() error {
	errs := checkFields(nil, fieldCheck{displayNameRule, p.DisplayName}, fieldCheck{companyRule, p.Company},
		fieldCheck{workFieldRule, p.WorkField}, fieldCheck{bioRule, p.Bio})
	if len(errs) > 0 {
		return Invalid(errs...)
	}
	return nil
}

// Apply copies the set fields onto u.
func (p *ProfileUpdate) Apply(u *User) {
	if p.DisplayName != nil {
		u.DisplayName = *p.DisplayName
	}
	if p.Company != nil {
		u.Company = *p.Company
	}
	if p.WorkField != nil {
		u.WorkField = *p.WorkField
	}
	if p.Bio != nil {
		u.Bio = *p.Bio
	}
}
