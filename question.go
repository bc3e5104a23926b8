package ask2live

import (
	"sort"
	"time"
)

// QuestionKind says how a question is asked.
type QuestionKind string

// Question kinds.
const (
	KindText  QuestionKind = "text"
	KindVoice QuestionKind = "voice"
)

// QuestionState is where a question is in the host's queue.
type QuestionState string

// Question states: open → answering → answered, or dismissed.
const (
	QuestionOpen      QuestionState = "open"
	QuestionAnswering QuestionState = "answering"
	QuestionAnswered  QuestionState = "answered"
	QuestionDismissed QuestionState = "dismissed"
)

// Valid reports whether s is a known state.
func (s QuestionState) Valid() bool {
	switch s {
	case QuestionOpen, QuestionAnswering, QuestionAnswered, QuestionDismissed:
		return true
	}
	return false
}

// Phase says whether a question was asked before the session went live.
type Phase string

// Phases.
const (
	PhasePre  Phase = "pre"
	PhaseLive Phase = "live"
)

// AskPhase says whether a question of kind may be asked of a session in
// state, and if so its phase: a session that is over takes no questions,
// voice questions wait for the session to be live, and a question asked
// before then is a pre-question.
func AskPhase(state SessionState, kind QuestionKind) (Phase, error) {
	if state.Closed() {
		return "", Errorf(EWrongState, "the session is %s; it takes no more questions", state)
	}
	if kind == KindVoice && state != StateLive {
		return "", Errorf(EWrongState, "voice questions can be asked only while the session is live")
	}
	if state == StateLive {
		return PhaseLive, nil
	}
	return PhasePre, nil
}

// CheckVote says whether userID may vote for (or withdraw a vote from) a
// question by authorID in a session in state: not for one's own question,
// and not once the session is over.
func CheckVote(authorID, userID string, state SessionState) error {
	if authorID == userID {
		return Errorf(EForbidden, "you cannot vote for your own question")
	}
	if state.Closed() {
		return Errorf(EWrongState, "the session is %s", state)
	}
	return nil
}

// QuestionMaxLen limits question text (SPEC section 3).
const QuestionMaxLen = 500

// Question is one entry in a session's queue.
type Question struct {
	ID         string        `json:"id"`
	SessionID  string        `json:"session_id"`
	AuthorID   string        `json:"-"`
	Kind       QuestionKind  `json:"kind"`
	Text       string        `json:"text"`
	State      QuestionState `json:"state"`
	Phase      Phase         `json:"phase"`
	Votes      int           `json:"votes"`
	VotedByMe  bool          `json:"voted_by_me"`
	Author     UserSummary   `json:"author"`
	CreatedAt  time.Time     `json:"created_at"`
	UpdatedAt  time.Time     `json:"updated_at"`
	AnsweredAt *time.Time    `json:"answered_at"`
	// PinnedAt is when the host pinned the question to the top of the
	// queue; nil when it is not pinned.
	PinnedAt *time.Time `json:"pinned_at"`
	// Anonymous: the author asked without their name showing to the
	// audience. Only the author, the host and the host's team see Author;
	// everyone else gets the question from ForAudience.
	Anonymous bool `json:"anonymous"`

	// enc is the encoding of the cached public view this value was copied
	// from (see AppendJSON); set by the Service on copies that differ from
	// the view in VotedByMe alone.
	enc *publicJSON
}

// ForAudience returns the question as the audience may see it: an
// anonymous question without its author (a copy), any other as it is.
func (q *Question) ForAudience() *Question {
	if !q.Anonymous {
		return q
	}
	c := *q
	c.Author = UserSummary{}
	c.enc = nil
	return &c
}

// SeenBy returns the question as a viewer sees it: an anonymous question
// names its author only to the author and to those who see authors (the
// host and the host's team).
func (q *Question) SeenBy(username string, seesAuthors bool) *Question {
	if !q.Anonymous || seesAuthors || username != "" && q.Author.Username == username {
		return q
	}
	return q.ForAudience()
}

// QuestionInput asks a question.
type QuestionInput struct {
	Text string       `json:"text"`
	Kind QuestionKind `json:"kind,omitempty"`
	// Anonymous asks without the author's name showing to the audience,
	// where the session allows it.
	Anonymous bool `json:"anonymous,omitempty"`
}

// Validate trims and checks the input; an empty kind means text. A voice
// question may come without text.
func (in *QuestionInput) Validate() error {
	if in.Kind == "" {
		in.Kind = KindText
	}
	var errs []FieldError
	if in.Kind != KindText && in.Kind != KindVoice {
		errs = append(errs, FieldError{"kind", "must be text or voice"})
	}
	rule := questionRule
	rule.Required = in.Kind != KindVoice
	errs = checkFields(errs, fieldCheck{rule, &in.Text})
	if len(errs) > 0 {
		return Invalid(errs...)
	}
	return nil
}

// QuestionLess is the default queue order: pinned questions first (the
// earliest pinned first), then pre-questions before live ones, then more
// votes first, then older first, then by id for a total order.
func QuestionLess(a, b *Question) bool {
	if (a.PinnedAt == nil) != (b.PinnedAt == nil) {
		return a.PinnedAt != nil
	}
	if a.PinnedAt != nil && !a.PinnedAt.Equal(*b.PinnedAt) {
		return a.PinnedAt.Before(*b.PinnedAt)
	}
	if a.Phase != b.Phase {
		return a.Phase == PhasePre
	}
	if a.Votes != b.Votes {
		return a.Votes > b.Votes
	}
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.Before(b.CreatedAt)
	}
	return a.ID < b.ID
}

// SortQuestions sorts qs in the default order.
func SortQuestions(qs []*Question) {
	sort.SliceStable(qs, func(i, j int) bool { return QuestionLess(qs[i], qs[j]) })
}

// ChatMaxLen limits a chat message (SPEC section 3).
const ChatMaxLen = 500

// ChatMessage is one line of a live room's chat.
type ChatMessage struct {
	ID        string      `json:"id"`
	SessionID string      `json:"session_id"`
	SenderID  string      `json:"-"`
	Sender    UserSummary `json:"sender"`
	Text      string      `json:"text"`
	CreatedAt time.Time   `json:"created_at"`
	Deleted   bool        `json:"deleted,omitempty"`
}

// Participation records one presence interval of a user in a live room.
type Participation struct {
	SessionID string
	UserID    string
	JoinedAt  time.Time
	LeftAt    *time.Time
}
