// Package live runs the live rooms: one WebSocket per participant, a
// server-authoritative room state per live session, events in one sequence
// per room, and the per-user event stream for the main page. docs/PROTOCOL.md
// describes the wire protocol; this file is its Go form.
package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ask2live/ask2live"
)

// ProtocolVersion is the version a client names in its hello.
const ProtocolVersion = 1

// Close codes (4000–4999 are the application's; see docs/PROTOCOL.md).
const (
	CloseGoingAway    = 1001 // server shutting down: reconnect
	CloseTooBig       = 1009 // a frame over the size limit
	CloseBadFrame     = 4400 // not JSON, no hello first, wrong version
	CloseUnauthorized = 4401 // credentials expired
	CloseRemoved      = 4403 // the host removed this participant
	CloseNotFound     = 4404 // no such session
	CloseNotLive      = 4409 // the session is not live (or has ended)
	CloseSlow         = 4008 // the client fell too far behind: reconnect with last_seq
	CloseIdle         = 4000 // no frames (not even pongs) within the idle timeout
	// CloseTooManySockets: the user already has -max-sockets-per-user
	// sockets in this room on this node.
	CloseTooManySockets = 4429
)

// Command types a client sends.
const (
	CmdHello            = "hello"
	CmdAsk              = "ask"
	CmdVote             = "vote"
	CmdUnvote           = "unvote"
	CmdEditQuestion     = "edit_question"
	CmdDeleteQuestion   = "delete_question"
	CmdSetQuestionState = "set_question_state"
	CmdPin              = "pin"
	CmdUnpin            = "unpin"
	CmdChat             = "chat"
	CmdDeleteChat       = "delete_chat"
	CmdGrantMic         = "grant_mic"
	CmdRevokeMic        = "revoke_mic"
	CmdExtendMic        = "extend_mic"
	CmdDeclineMic       = "decline_mic"
	CmdGiveBackMic      = "give_back_mic"
	CmdMute             = "mute"
	CmdRemove           = "remove"
	CmdReadmit          = "readmit"
	CmdParticipants     = "participants"
	CmdEnd              = "end"
	CmdSetSlowMode      = "set_slow_mode"
	CmdRTC              = "rtc"
)

// Command is one client frame. Fields are used by the types that need them.
type Command struct {
	Type       string                 `json:"type"`
	CID        string                 `json:"cid,omitempty"`
	V          int                    `json:"v,omitempty"`
	LastSeq    *uint64                `json:"last_seq,omitempty"`
	Epoch      string                 `json:"epoch,omitempty"`
	Text       string                 `json:"text,omitempty"`
	Kind       ask2live.QuestionKind  `json:"kind,omitempty"`
	QuestionID string                 `json:"question_id,omitempty"`
	State      ask2live.QuestionState `json:"state,omitempty"`
	MessageID  string                 `json:"message_id,omitempty"`
	Username   string                 `json:"username,omitempty"`
	Muted      *bool                  `json:"muted,omitempty"`
	// Seconds is a grant's time limit (0: none) or the time an extension adds.
	Seconds int `json:"seconds,omitempty"`
	// Anonymous asks without the name showing to the audience (ask).
	Anonymous bool            `json:"anonymous,omitempty"`
	Signal    json.RawMessage `json:"signal,omitempty"`
}

// MaxCIDLen bounds client command ids.
const MaxCIDLen = 64

// MaxMicSeconds bounds the seconds of a mic command before the room's own
// limit (Config.MaxMicTime) applies.
const MaxMicSeconds = 86400

// DecodeCommand parses and checks one client frame. Every failure is an
// *ask2live.Error with code invalid_input, so the caller can answer with a
// typed error (or close the socket for a malformed hello).
func DecodeCommand(frame []byte) (*Command, error) {
	var c Command
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, ask2live.Errorf(ask2live.EInvalid, "not a command: %s", shorten(err.Error()))
	}
	if dec.More() {
		return nil, ask2live.Errorf(ask2live.EInvalid, "one JSON object per frame")
	}
	if !utf8.Valid(frame) {
		// encoding/json would quietly turn the bad bytes into U+FFFD.
		return nil, ask2live.Errorf(ask2live.EInvalid, "a frame must be UTF-8")
	}
	if err := c.checkRefs(); err != nil {
		return nil, err
	}
	need := func(ok bool, what string) error {
		if !ok {
			return ask2live.Errorf(ask2live.EInvalid, "%s needs %s", c.Type, what)
		}
		return nil
	}
	var err error
	switch c.Type {
	case CmdHello:
		err = need(c.V == ProtocolVersion, "v: 1")
	case CmdAsk, CmdChat:
		err = need(c.CID != "", "a cid")
	case CmdVote, CmdUnvote, CmdDeleteQuestion, CmdPin, CmdUnpin:
		err = need(c.CID != "" && c.QuestionID != "", "a cid and a question_id")
	case CmdEditQuestion:
		err = need(c.CID != "" && c.QuestionID != "", "a cid, a question_id and text")
	case CmdSetQuestionState:
		err = need(c.CID != "" && c.QuestionID != "" && c.State.Valid(), "a cid, a question_id and a valid state")
	case CmdDeleteChat:
		err = need(c.CID != "" && c.MessageID != "", "a cid and a message_id")
	case CmdGrantMic:
		err = need(c.CID != "" && c.Username != "" && c.Seconds >= 0 && c.Seconds <= MaxMicSeconds, "a cid, a username and seconds from 0 to 86400")
	case CmdExtendMic:
		err = need(c.CID != "" && c.Username != "" && c.Seconds > 0 && c.Seconds <= MaxMicSeconds, "a cid, a username and seconds from 1 to 86400")
	case CmdRemove, CmdReadmit:
		err = need(c.CID != "" && c.Username != "", "a cid and a username")
	case CmdRevokeMic, CmdDeclineMic, CmdGiveBackMic, CmdParticipants, CmdEnd:
		err = need(c.CID != "", "a cid")
	case CmdMute:
		err = need(c.CID != "" && c.Muted != nil, "a cid and muted")
	case CmdSetSlowMode:
		err = need(c.CID != "" && c.Seconds >= 0 && c.Seconds <= ask2live.ChatSlowMax, "a cid and seconds from 0 to 600")
	case CmdRTC:
		err = need(len(c.Signal) > 0, "a signal")
	case "":
		err = ask2live.Errorf(ask2live.EInvalid, "a command needs a type")
	default:
		err = ask2live.Errorf(ask2live.EInvalid, "unknown command type %q", shorten(c.Type))
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// cidOf returns the command id of a frame DecodeCommand refused, when it
// has a usable one, so that the client can tell which command failed.
func cidOf(frame []byte) string {
	var head struct {
		CID string `json:"cid"`
	}
	if json.Unmarshal(frame, &head) != nil || len(head.CID) > MaxCIDLen || ask2live.CheckLine("cid", head.CID) != nil {
		return ""
	}
	return head.CID
}

// checkRefs refuses a command id or epoch holding what no text may, and ids
// and usernames that cannot name anything, before they reach a store. Texts
// (questions, chat) are checked by the domain's rules where they are used.
func (c *Command) checkRefs() error {
	bad := func(format string, args ...any) error { return ask2live.Errorf(ask2live.EInvalid, format, args...) }
	switch {
	case len(c.CID) > MaxCIDLen || ask2live.CheckLine("cid", c.CID) != nil:
		return bad("cid must be at most %d characters, without control characters", MaxCIDLen)
	case len(c.Epoch) > MaxCIDLen || ask2live.CheckLine("epoch", c.Epoch) != nil:
		return bad("epoch is not one this server gave")
	case c.QuestionID != "" && !ask2live.ValidID(c.QuestionID):
		return bad("question_id is not a question id")
	case c.MessageID != "" && !ask2live.ValidID(c.MessageID):
		return bad("message_id is not a message id")
	case c.Username != "" && ask2live.ValidateUsername(c.Username) != nil:
		return bad("username is not a username")
	}
	return nil
}

func shorten(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// Server message types.
const (
	MsgSnapshot = "snapshot" // the room, on join (or when too far behind to resume)
	MsgResume   = "resume"   // on join with last_seq: the missed events follow
	MsgAck      = "ack"      // a command succeeded
	MsgError    = "error"    // a command failed
	MsgRTC      = "rtc"      // WebRTC signalling from the server
	MsgSpeaking = "speaking" // who is talking now (not sequenced)

	// Sequenced room events.
	EvQuestion        = "question"         // a question was asked or changed
	EvQuestionDeleted = "question_deleted" // a question was removed
	EvChat            = "chat"             // a chat message
	EvChatDeleted     = "chat_deleted"     // the host removed a chat message
	EvOnAir           = "on_air"           // the set of people on air (or muted) changed
	EvPresence        = "presence"         // participants joined or left (batched)
	EvSession         = "session"          // the session changed (ended: the room closes)
	EvRemoval         = "removal"          // the host removed someone for the session, or let them back
	EvTeam            = "team"             // the host changed the session's team (the whole team follows)
)

// Event is a sequenced room event as sent to clients. Exactly the fields of
// its type are set.
type Event struct {
	Type       string                `json:"type"`
	Seq        uint64                `json:"seq"`
	Question   *ask2live.Question    `json:"question,omitempty"`
	QuestionID string                `json:"question_id,omitempty"`
	Chat       *ask2live.ChatMessage `json:"chat,omitempty"`
	MessageID  string                `json:"message_id,omitempty"`
	OnAir      *OnAir                `json:"on_air,omitempty"`
	Presence   *Presence             `json:"presence,omitempty"`
	Session    *SessionInfo          `json:"session,omitempty"`
	Removal    *Removal              `json:"removal,omitempty"`
	Team       []ask2live.TeamMember `json:"team,omitempty"`
}

// Removal says the host removed a user from the room for the rest of the
// session (Removed) or let them back in.
type Removal struct {
	User    ask2live.UserSummary `json:"user"`
	Removed bool                 `json:"removed"`
}

// OnAir is the stage: who may speak now, who muted themselves, and what
// changed last.
type OnAir struct {
	Speakers []string `json:"speakers"` // usernames, host first
	Muted    []string `json:"muted"`
	Change   string   `json:"change,omitempty"` // granted, revoked, declined, gave_back, muted, unmuted, extended, time_up
	Username string   `json:"username,omitempty"`
	// Until says when each guest given the mic for a limited time must give
	// it back (the server takes it then); guests with no limit are absent.
	Until map[string]time.Time `json:"until,omitempty"`
	// People names the speakers (display names and avatars), so that every
	// client can show who is on air, not only the host with its list.
	People []ask2live.UserSummary `json:"people,omitempty"`
}

// Presence is a batch of joins and leaves.
type Presence struct {
	Count  int                    `json:"count"`
	Joined []ask2live.UserSummary `json:"joined"`
	Left   []string               `json:"left"`
}

// SessionInfo is the part of a session the room shows.
type SessionInfo struct {
	ID        string                `json:"id"`
	Title     string                `json:"title"`
	State     ask2live.SessionState `json:"state"`
	StartedAt *time.Time            `json:"started_at"`
	EndedAt   *time.Time            `json:"ended_at"`
	Host      ask2live.UserSummary  `json:"host"`
	// ChatSlowSeconds is the chat's slow mode (0: off).
	ChatSlowSeconds int `json:"chat_slow_seconds"`
}

func sessionInfo(s *ask2live.Session) *SessionInfo {
	info := &SessionInfo{ID: s.ID, Title: s.Title, State: s.State, StartedAt: s.StartedAt, EndedAt: s.EndedAt, ChatSlowSeconds: s.ChatSlowSeconds}
	if s.Host != nil {
		info.Host = s.Host.Summary()
	}
	return info
}

// Snapshot is the whole room for one participant.
type Snapshot struct {
	Type             string                  `json:"type"`
	V                int                     `json:"v"`
	Seq              uint64                  `json:"seq"`
	Epoch            string                  `json:"epoch"`
	Session          *SessionInfo            `json:"session"`
	You              You                     `json:"you"`
	Questions        []*ask2live.Question    `json:"questions"`
	OnAir            OnAir                   `json:"on_air"`
	Chat             []*ask2live.ChatMessage `json:"chat"`
	ParticipantCount int                     `json:"participant_count"`
	// Team is the host's team: moderators and co-hosts.
	Team         []ask2live.TeamMember  `json:"team"`
	Participants []ask2live.UserSummary `json:"participants,omitempty"` // the host and moderators
	Removed      []ask2live.UserSummary `json:"removed,omitempty"`      // the host and co-hosts: who may not come back
	// ServerTime is the server's clock when it sent the snapshot, for
	// clients to count down to the stage's time limits in its terms.
	ServerTime time.Time `json:"server_time"`
}

// You says who the snapshot is for.
type You struct {
	Username string `json:"username"`
	Host     bool   `json:"host"`
	// Role is "host", "cohost", "moderator", or absent for a guest.
	Role ask2live.TeamRole `json:"role,omitempty"`
}

// Resume starts the replay of missed events.
type Resume struct {
	Type  string `json:"type"`
	From  uint64 `json:"from"` // first replayed seq
	Seq   uint64 `json:"seq"`  // the room's current seq
	Epoch string `json:"epoch"`
}

// Ack answers a command.
type Ack struct {
	Type   string `json:"type"`
	CID    string `json:"cid"`
	Result any    `json:"result,omitempty"`
}

// ErrorMsg answers a failed command.
type ErrorMsg struct {
	Type    string        `json:"type"`
	CID     string        `json:"cid,omitempty"`
	Code    ask2live.Code `json:"code"`
	Message string        `json:"message"`
	// RetryAfterMS comes with rate_limited: how long until the budget has
	// room for the command again.
	RetryAfterMS int64 `json:"retry_after_ms,omitempty"`
}

// Speaking tells who started or stopped talking.
type Speaking struct {
	Type     string `json:"type"`
	Username string `json:"username"`
	Speaking bool   `json:"speaking"`
}

// RTCMessage carries signalling from the server.
type RTCMessage struct {
	Type   string          `json:"type"`
	Signal json.RawMessage `json:"signal"`
}

func errorMsg(cid string, err error) ErrorMsg {
	m := ErrorMsg{Type: MsgError, CID: cid, Code: ask2live.ErrorCode(err), Message: ask2live.ErrorMessage(err)}
	var re *retryError
	if errors.As(err, &re) {
		m.RetryAfterMS = max(1, (re.after + time.Millisecond - 1).Milliseconds())
	}
	return m
}

// retryError is a rate_limited error that knows when the budget has room
// again.
type retryError struct {
	err   *ask2live.Error
	after time.Duration
}

func (e *retryError) Error() string { return e.err.Error() }
func (e *retryError) Unwrap() error { return e.err }

// rateLimited refuses a command whose budget has room again after wait:
// the message says when, and so does the error's retry_after_ms.
func rateLimited(wait time.Duration, what string) error {
	secs := math.Ceil(wait.Seconds()*10) / 10 // 0.5 s, 1.2 s
	if wait >= 10*time.Second {
		secs = math.Ceil(wait.Seconds())
	}
	return &retryError{err: ask2live.Errorf(ask2live.ERateLimited, "%s; retry in %s s", what, strconv.FormatFloat(secs, 'f', -1, 64)), after: wait}
}

// cleanChat trims and checks a chat message by the domain's rule for chat.
func cleanChat(s string) (string, error) { return ask2live.CheckChat(s) }
