package ask2live

import "time"

// SessionState is where a session is in its lifecycle (SPEC section 3):
//
//	recruiting ─(wishes ≥ target)─▶ ready ─(host confirms)─▶ scheduled ─(host starts)─▶ live ─(host ends)─▶ ended
//	     ▲                            │
//	     └──(a wish is withdrawn)─────┘      any state before live ─(host cancels)─▶ cancelled
type SessionState string

// Session states.
const (
	StateRecruiting SessionState = "recruiting"
	StateReady      SessionState = "ready"
	StateScheduled  SessionState = "scheduled"
	StateLive       SessionState = "live"
	StateEnded      SessionState = "ended"
	StateCancelled  SessionState = "cancelled"
)

// Valid reports whether s is a known state.
func (s SessionState) Valid() bool {
	switch s {
	case StateRecruiting, StateReady, StateScheduled, StateLive, StateEnded, StateCancelled:
		return true
	}
	return false
}

// BeforeLive reports whether the session has not gone live yet (and was not
// cancelled): the states in which the host may edit or cancel it.
func (s SessionState) BeforeLive() bool {
	return s == StateRecruiting || s == StateReady || s == StateScheduled
}

// Closed reports whether the session is over (ended or cancelled).
func (s SessionState) Closed() bool { return s == StateEnded || s == StateCancelled }

// Session is a Q&A session. Counts and WishedByMe are derived for a viewer.
type Session struct {
	ID           string       `json:"id"`
	HostID       string       `json:"-"`
	Title        string       `json:"title"`
	Description  string       `json:"description"`
	State        SessionState `json:"state"`
	StartsAt     *time.Time   `json:"starts_at"`
	StartedAt    *time.Time   `json:"started_at"`
	EndedAt      *time.Time   `json:"ended_at"`
	TargetGuests int          `json:"target_guests"`
	WishCount    int          `json:"wish_count"`
	// AllowAnonymous lets guests ask without their name showing to the
	// audience (see Question.Anonymous).
	AllowAnonymous bool `json:"allow_anonymous"`
	// ChatSlowSeconds is slow mode: while above 0, each guest may send one
	// chat message per that many seconds (the host's team is exempt).
	ChatSlowSeconds int       `json:"chat_slow_seconds"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	// CalendarSequence counts the changes calendars must take over (see
	// CalendarRevised): the SEQUENCE of the session's iCalendar event.
	CalendarSequence int `json:"-"`

	// Derived for the response.
	WishedByMe       bool  `json:"wished_by_me"`
	QuestionCount    int   `json:"question_count"`
	ParticipantCount int   `json:"participant_count"`
	Host             *User `json:"host"`

	// enc is the encoding of the cached public view this value was copied
	// from (see AppendJSON); the Service sets it, and only on copies that
	// differ from the view in WishedByMe and ParticipantCount alone.
	enc *publicJSON
}

// Session limits (SPEC section 3).
const (
	TitleMaxLen       = 100
	DescriptionMaxLen = 2000
	TargetGuestsMax   = 100000
)

// SessionInput creates a session.
type SessionInput struct {
	Title        string     `json:"title"`
	Description  string     `json:"description,omitempty"`
	StartsAt     *time.Time `json:"starts_at"`
	TargetGuests int        `json:"target_guests,omitempty"`
	OpenNow      bool       `json:"open_now,omitempty"`
	// AllowAnonymous lets guests ask anonymously (see Question.Anonymous).
	AllowAnonymous bool `json:"allow_anonymous,omitempty"`
}

// Validate trims and checks the input against now.
func (in *SessionInput) Validate(now time.Time) error {
	errs := checkFields(nil, fieldCheck{titleRule, &in.Title}, fieldCheck{descriptionRule, &in.Description})
	if in.TargetGuests < 0 || in.TargetGuests > TargetGuestsMax {
		errs = append(errs, FieldError{"target_guests", "must be between 0 and 100000"})
	}
	if !in.OpenNow {
		if in.StartsAt == nil {
			errs = append(errs, FieldError{"starts_at", "is required unless open_now is set"})
		} else if !in.StartsAt.After(now) {
			errs = append(errs, FieldError{"starts_at", "must be in the future"})
		}
	}
	if len(errs) > 0 {
		return Invalid(errs...)
	}
	return nil
}

// InitialState returns the state a new session starts in.
func (in *SessionInput) InitialState() SessionState {
	switch {
	case in.OpenNow:
		return StateLive
	case in.TargetGuests == 0:
		return StateScheduled
	default:
		return StateRecruiting
	}
}

// SessionUpdate edits a session before it goes live; nil fields stay.
type SessionUpdate struct {
	Title        *string    `json:"title"`
	Description  *string    `json:"description"`
	StartsAt     *time.Time `json:"starts_at"`
	TargetGuests *int       `json:"target_guests"`
	// AllowAnonymous turns anonymous questions on or off; questions already
	// asked anonymously stay so.
	AllowAnonymous *bool `json:"allow_anonymous"`
}

// Validate trims and checks the set fields.
func (u *SessionUpdate) Validate(now time.Time) error {
	errs := checkFields(nil, fieldCheck{titleRule, u.Title}, fieldCheck{descriptionRule, u.Description})
	if u.StartsAt != nil && !u.StartsAt.After(now) {
		errs = append(errs, FieldError{"starts_at", "must be in the future"})
	}
	if u.TargetGuests != nil && (*u.TargetGuests < 0 || *u.TargetGuests > TargetGuestsMax) {
		errs = append(errs, FieldError{"target_guests", "must be between 0 and 100000"})
	}
	if len(errs) > 0 {
		return Invalid(errs...)
	}
	return nil
}

// RecruitState is the state a session in recruiting/ready should be in for
// its wish count and target. Sessions the host already confirmed are never
// moved back (SPEC: a withdrawal never un-schedules).
func RecruitState(current SessionState, wishes, target int) SessionState {
	if current != StateRecruiting && current != StateReady {
		return current
	}
	if target == 0 {
		// Target removed by an edit: nothing left to gather.
		return StateReady
	}
	if wishes >= target {
		return StateReady
	}
	return StateRecruiting
}

// CheckWish says whether userID may wish (on) or withdraw a wish for a
// session as it stands: the host may do neither, and a session that is over
// takes no new wishes.
func CheckWish(s *Session, userID string, on bool) error {
	if s.HostID == userID {
		return Errorf(EForbidden, "the host cannot wish their own session")
	}
	if on && s.State.Closed() {
		return Errorf(EWrongState, "the session is %s", s.State)
	}
	return nil
}

// SessionFilter selects sessions for listing. Cursor is opaque to clients
// (the store encodes it); Limit is clamped by the caller.
type SessionFilter struct {
	States []SessionState
	HostID string
	// HostUsername is resolved to HostID by the Service; stores ignore it.
	HostUsername string
	Text         string // matched against title and description
	ViewerID     string // for WishedByMe
	Cursor       string
	Limit        int
	// TookPartID keeps the sessions this user hosted, wished, asked a
	// question in or joined the live room of.
	TookPartID string
}

// SessionPage is one page of a listing.
type SessionPage struct {
	Items      []*Session `json:"items"`
	NextCursor string     `json:"next_cursor"`
}

// Feed is the main page (SPEC section 2).
type Feed struct {
	WishedLive []*Session `json:"wished_live"`
	Live       []*Session `json:"live"`
	Upcoming   []*Session `json:"upcoming"`
	Recruiting []*Session `json:"recruiting"`
}

// MySessions is My page: the sessions one hosts that are not over, the
// ones one wished, and the ended (or cancelled) ones one took part in —
// hosted, wished, asked in or joined.
type MySessions struct {
	Hosting []*Session `json:"hosting"`
	Wished  []*Session `json:"wished"`
	Ended   []*Session `json:"ended"`
}
