package ask2live

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TextRule is what one kind of text must be. Every text the service takes —
// names, titles, questions, chat, search terms — is checked by a rule here,
// whatever database is behind the store: PostgreSQL refuses a NUL or invalid
// UTF-8 with an error while SQLite and MySQL store them, so the rule belongs
// to the domain, not to a store.
//
// All text must be valid UTF-8 without control characters; multi-line text
// may hold newlines and tabs (a CR LF pair counts as a newline). Required
// text must show something: text made only of invisible characters counts
// as empty. Names and titles may not carry the bidirectional overrides and
// isolates that make them read as something else.
type TextRule struct {
	Field     string
	Max       int  // characters; 0: no limit
	Required  bool // must show something after trimming
	MultiLine bool // newlines and tabs allowed
	Name      bool // a name or title: no bidirectional controls
}

// The rules of the texts the domain keeps (SPEC section 3).
var (
	displayNameRule = TextRule{Field: "display_name", Max: DisplayNameMaxLen, Required: true, Name: true}
	companyRule     = TextRule{Field: "company", Max: CompanyMaxLen}
	workFieldRule   = TextRule{Field: "work_field", Max: WorkFieldMaxLen}
	bioRule         = TextRule{Field: "bio", Max: BioMaxLen, MultiLine: true}
	titleRule       = TextRule{Field: "title", Max: TitleMaxLen, Required: true, Name: true}
	descriptionRule = TextRule{Field: "description", Max: DescriptionMaxLen, MultiLine: true}
	questionRule    = TextRule{Field: "text", Max: QuestionMaxLen, Required: true, MultiLine: true}
	chatRule        = TextRule{Field: "text", Max: ChatMaxLen, Required: true, MultiLine: true}
	searchRule      = TextRule{Field: "q", Max: SearchMaxLen}
)

// SearchMaxLen bounds the text searched for in session listings.
const SearchMaxLen = 200

// Check trims s and returns it, or the field error that says what is wrong.
func (r TextRule) Check(s string) (string, *FieldError) {
	if msg := textProblem(s, r.MultiLine); msg != "" {
		return "", &FieldError{r.Field, msg}
	}
	if r.MultiLine {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "" && r.Required:
		return "", &FieldError{r.Field, "must not be empty"}
	case r.Required && !hasVisible(s):
		return "", &FieldError{r.Field, "must contain visible characters"}
	case r.Max > 0 && utf8.RuneCountInString(s) > r.Max:
		return "", &FieldError{r.Field, fmt.Sprintf("must be at most %d characters", r.Max)}
	case r.Name && strings.ContainsFunc(s, isBidiControl):
		return "", &FieldError{r.Field, "must not contain bidirectional override or isolate characters"}
	}
	return s, nil
}

// CheckChat trims and checks a live room chat message.
func CheckChat(s string) (string, error) {
	s, fe := chatRule.Check(s)
	if fe != nil {
		return "", Invalid(*fe)
	}
	return s, nil
}

// CheckLine checks a value that is not kept as text — a URL query
// parameter, a client's command id — for what no text may hold: invalid
// UTF-8 and control characters. What the value means is checked where it is
// used.
func CheckLine(name, v string) *FieldError {
	if msg := textProblem(v, false); msg != "" {
		return &FieldError{name, msg}
	}
	return nil
}

// textProblem says what makes s unacceptable as any text, or "".
func textProblem(s string, multiLine bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	for i, c := range s {
		if !unicode.IsControl(c) {
			continue
		}
		if multiLine && (c == '\n' || c == '\t' || c == '\r' && strings.HasPrefix(s[i:], "\r\n")) {
			continue
		}
		if multiLine {
			return "must not contain control characters other than newlines and tabs"
		}
		return "must not contain control characters or line breaks"
	}
	return ""
}

// hasVisible reports whether s shows anything: a character that is not
// white space, a format character (zero-width space and joiners, word
// joiner, byte-order mark, …), a lone combining mark, or one of the blank
// letters (Hangul fillers, Braille blank) that render as nothing.
func hasVisible(s string) bool {
	for _, c := range s {
		switch {
		case unicode.IsSpace(c), unicode.In(c, unicode.Cf, unicode.Mn, unicode.Me, unicode.Zs):
		case c == '\u115f', c == '\u1160', c == '\u3164', c == '\uffa0', c == '\u2800':
		default:
			return true
		}
	}
	return false
}

// isBidiControl reports the explicit directional embeddings, overrides and
// isolates (U+202A–U+202E, U+2066–U+2069).
func isBidiControl(c rune) bool {
	return c >= '\u202a' && c <= '\u202e' || c >= '\u2066' && c <= '\u2069'
}

// checkFields runs rules over the given fields, trimming each in place and
// collecting the errors; nil pointers are fields the input leaves out.
func checkFields(errs []FieldError, checks ...fieldCheck) []FieldError {
	for _, c := range checks {
		if c.v == nil {
			continue
		}
		v, fe := c.rule.Check(*c.v)
		if fe != nil {
			errs = append(errs, *fe)
			continue
		}
		*c.v = v
	}
	return errs
}

type fieldCheck struct {
	rule TextRule
	v    *string
}
