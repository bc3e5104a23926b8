package ask2live

import (
	"context"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Questions returns a session's whole queue in the default order.
func (s *Service) Questions(ctx context.Context, sessionID string, viewer *User) ([]*Question, error) {
	page, err := s.QuestionPage(ctx, sessionID, viewer, "", 0)
	if err != nil {
		return nil, err
	}
	return page.Items, nil
}

// Question list page sizes.
const (
	QuestionPageDefault = 100
	QuestionPageMax     = 500
)

// QuestionPage is one page of a session's queue.
type QuestionPage struct {
	Items      []*Question `json:"items"`
	NextCursor string      `json:"next_cursor"`
}

// QuestionPage returns up to limit questions of a session's queue (limit <= 0:
// all of them), in the default order, after the one cursor names (""
// starts at the top). A question whose place changed between pages (a vote)
// may be missed or seen twice, as with any listing that moves.
func (s *Service) QuestionPage(ctx context.Context, sessionID string, viewer *User, cursor string, limit int) (*QuestionPage, error) {
	var after *Question
	if cursor != "" {
		var err error
		if after, err = decodeQuestionCursor(cursor); err != nil {
			return nil, err
		}
	}
	pub, err := s.publicQuestions(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	start := 0
	if after != nil {
		for start < len(pub) && !QuestionLess(after, pub[start]) {
			start++
		}
	}
	end := len(pub)
	if limit > 0 {
		end = min(end, start+limit)
	}
	var voted map[string]bool
	if viewer != nil {
		voted, err = s.viewerSet(votesKey(viewer.ID, sessionID), func() (map[string]bool, error) {
			return s.Store.VotedQuestions(ctx, sessionID, viewer.ID)
		})
		if err != nil {
			return nil, err
		}
	}
	seesAuthors, err := s.authorsSeen(ctx, sessionID, viewer, pub[start:end])
	if err != nil {
		return nil, err
	}
	viewerName := ""
	if viewer != nil {
		viewerName = viewer.Username
	}
	page := &QuestionPage{Items: make([]*Question, end-start)}
	for i, p := range pub[start:end] {
		v := *p.SeenBy(viewerName, seesAuthors)
		v.VotedByMe = voted[v.ID]
		page.Items[i] = &v
	}
	if end < len(pub) {
		page.NextCursor = encodeQuestionCursor(pub[end-1])
	}
	return page, nil
}

// authorsSeen reports whether the viewer sees who asked the anonymous
// questions among qs: the host and the host's team do (the author always
// sees their own). It asks the store only when there is one to hide.
func (s *Service) authorsSeen(ctx context.Context, sessionID string, viewer *User, qs []*Question) (bool, error) {
	if viewer == nil || !slices.ContainsFunc(qs, func(q *Question) bool { return q.Anonymous && q.AuthorID != viewer.ID }) {
		return false, nil
	}
	sess, err := s.publicSession(ctx, sessionID)
	if err != nil {
		return false, err
	}
	role, err := s.RoleIn(ctx, sess, viewer)
	return role.Moderates(), err
}

// A question cursor is the queue position of the last question of a page:
// phase, votes, creation time and id.
func encodeQuestionCursor(q *Question) string {
	return base64.RawURLEncoding.EncodeToString([]byte(string(q.Phase) + "|" + strconv.Itoa(q.Votes) + "|" +
		strconv.FormatInt(q.CreatedAt.UnixMicro(), 10) + "|" + q.ID))
}

func decodeQuestionCursor(c string) (*Question, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if parts := strings.Split(string(b), "|"); err == nil && len(parts) == 4 {
		votes, err1 := strconv.Atoi(parts[1])
		micros, err2 := strconv.ParseInt(parts[2], 10, 64)
		phase := Phase(parts[0])
		if err1 == nil && err2 == nil && votes >= 0 && (phase == PhasePre || phase == PhaseLive) && ValidID(parts[3]) {
			return &Question{Phase: phase, Votes: votes, CreatedAt: time.UnixMicro(micros).UTC(), ID: parts[3]}, nil
		}
	}
	return nil, Invalid(FieldError{"cursor", "is not a cursor this server issued"})
}

// publicQuestions returns a session's queue as an anonymous viewer sees it,
// from the read cache when it holds it. The questions are shared.
func (s *Service) publicQuestions(ctx context.Context, sessionID string) ([]*Question, error) {
	var gen fillToken
	if s.Cache != nil {
		var qs []*Question
		var ok bool
		if qs, ok, gen = s.Cache.getQuestions(sessionID); ok {
			return qs, nil
		}
	}
	if _, err := s.publicSession(ctx, sessionID); err != nil {
		return nil, err
	}
	qs, err := s.Store.ListQuestions(ctx, sessionID, "")
	if err != nil {
		return nil, err
	}
	if s.Cache != nil {
		for _, q := range qs {
			q.encodePublic()
		}
		s.Cache.putQuestions(sessionID, qs, gen)
	}
	return qs, nil
}

// Ask adds a question to a session that is not over. Asked before the
// session is live, it is a pre-question and goes ahead of live ones.
func (s *Service) Ask(ctx context.Context, actor *User, sessionID string, in QuestionInput) (*Question, error) {
	if err := requireUser(actor); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	// The store checks the session (AskPhase) under its lock and sets the
	// phase.
	now := s.now()
	q := &Question{
		ID:        NewID(now),
		SessionID: sessionID,
		AuthorID:  actor.ID,
		Kind:      in.Kind,
		Text:      in.Text,
		Anonymous: in.Anonymous,
		State:     QuestionOpen,
		CreatedAt: now,
		UpdatedAt: now,
	}
	err := s.Store.CreateQuestion(ctx, q)
	if err == nil || !refused(err) {
		s.invalidate(Invalidation{Session: sessionID, Questions: sessionID})
	}
	if err != nil {
		return nil, err
	}
	s.notify(func(n Notifier) { n.QuestionsChanged(sessionID, []*Question{q}) })
	return q, nil
}

// question loads a question and its session.
func (s *Service) question(ctx context.Context, actor *User, id string) (*Question, *Session, error) {
	if err := requireUser(actor); err != nil {
		return nil, nil, err
	}
	q, err := s.Store.QuestionByID(ctx, id, actor.ID)
	if err != nil {
		return nil, nil, err
	}
	sess, err := s.Store.SessionRow(ctx, q.SessionID)
	if err != nil {
		return nil, nil, err
	}
	return q, sess, nil
}

// moderatedQuestion returns a question for a moderator's action on it: the
// actor must host its session or moderate it, and the session must not be
// over.
func (s *Service) moderatedQuestion(ctx context.Context, actor *User, id, action string) (*Question, error) {
	q, sess, err := s.question(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	role, err := s.RoleIn(ctx, sess, actor)
	if err != nil {
		return nil, err
	}
	if !role.Moderates() {
		return nil, Errorf(EForbidden, "only the host and moderators can %s", action)
	}
	if sess.State.Closed() {
		return nil, Errorf(EWrongState, "the session is %s", sess.State)
	}
	return q, nil
}

// EditQuestion changes the text of the actor's own open question.
func (s *Service) EditQuestion(ctx context.Context, actor *User, id, text string) (*Question, error) {
	q, sess, err := s.question(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if q.AuthorID != actor.ID {
		return nil, Errorf(EForbidden, "only the author can edit a question")
	}
	if sess.State.Closed() {
		return nil, Errorf(EWrongState, "the session is %s", sess.State)
	}
	in := QuestionInput{Text: text, Kind: q.Kind}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	out, err := s.Store.UpdateQuestionText(ctx, id, in.Text, s.now())
	s.invalidate(Invalidation{Questions: q.SessionID})
	if err != nil {
		return nil, err
	}
	s.notify(func(n Notifier) { n.QuestionsChanged(q.SessionID, []*Question{out}) })
	return out, nil
}

// SetQuestionState moves a question through the host's queue (the host and
// moderators).
// Listeners see every question that changed, so the live room can take the
// mic back when a voice question is answered.
func (s *Service) SetQuestionState(ctx context.Context, actor *User, id string, state QuestionState) (*Question, error) {
	if !state.Valid() {
		return nil, Invalid(FieldError{"state", "must be open, answering, answered or dismissed"})
	}
	q, err := s.moderatedQuestion(ctx, actor, id, "change a question's state")
	if err != nil {
		return nil, err
	}
	if q.State == state {
		return q, nil
	}
	changed, err := s.Store.SetQuestionState(ctx, id, state, s.now())
	s.invalidate(Invalidation{Questions: q.SessionID})
	if err != nil {
		return nil, err
	}
	s.notify(func(n Notifier) { n.QuestionsChanged(q.SessionID, changed) })
	return changed[0], nil
}

// PinQuestion pins a question to the top of the queue, or unpins it (the
// host and moderators). Pinned questions come first, the earliest pinned first.
func (s *Service) PinQuestion(ctx context.Context, actor *User, id string, pin bool) (*Question, error) {
	q, err := s.moderatedQuestion(ctx, actor, id, "pin a question")
	if err != nil {
		return nil, err
	}
	if (q.PinnedAt != nil) == pin {
		return q, nil
	}
	var at *time.Time
	if pin {
		now := s.now()
		at = &now
	}
	out, err := s.Store.SetPinned(ctx, id, at, s.now())
	s.invalidate(Invalidation{Questions: q.SessionID})
	if err != nil {
		return nil, err
	}
	s.notify(func(n Notifier) { n.QuestionsChanged(q.SessionID, []*Question{out}) })
	return out, nil
}

// DeleteQuestion removes a question: the author's own open question, or any
// question by the host or a moderator.
func (s *Service) DeleteQuestion(ctx context.Context, actor *User, id string) error {
	q, sess, err := s.question(ctx, actor, id)
	if err != nil {
		return err
	}
	if q.AuthorID != actor.ID || q.State != QuestionOpen {
		role, err := s.RoleIn(ctx, sess, actor)
		if err != nil {
			return err
		}
		switch {
		case role.Moderates():
		case q.AuthorID != actor.ID:
			return Errorf(EForbidden, "only the author, the host or a moderator can delete a question")
		default:
			return Errorf(EWrongState, "a question that is %s can no longer be deleted by its author", q.State)
		}
	}
	err = s.Store.DeleteQuestion(ctx, id)
	s.invalidate(Invalidation{Session: q.SessionID, Questions: q.SessionID})
	if err != nil {
		return err
	}
	s.notify(func(n Notifier) { n.QuestionDeleted(q.SessionID, id) })
	return nil
}

// Vote upvotes a question once; Unvote takes the vote back. Authors cannot
// vote for their own question.
func (s *Service) Vote(ctx context.Context, actor *User, id string) (*Question, error) {
	return s.vote(ctx, actor, id, true)
}

// Unvote removes the actor's vote.
func (s *Service) Unvote(ctx context.Context, actor *User, id string) (*Question, error) {
	return s.vote(ctx, actor, id, false)
}

func (s *Service) vote(ctx context.Context, actor *User, id string, on bool) (*Question, error) {
	if err := requireUser(actor); err != nil {
		return nil, err
	}
	// The store applies CheckVote under the question's lock.
	var out *Question
	var changed bool
	var err error
	if on {
		out, changed, err = s.Store.Vote(ctx, id, actor.ID)
	} else {
		out, changed, err = s.Store.Unvote(ctx, id, actor.ID)
	}
	if out != nil {
		s.invalidate(Invalidation{Questions: out.SessionID, Voter: actor.ID})
	}
	if err != nil {
		return nil, err
	}
	if changed {
		s.notify(func(n Notifier) { n.VotesChanged(out.SessionID, out) })
	}
	if out.Anonymous {
		// The voter is never the author; the host's team sees who asked.
		sess, err := s.Store.SessionRow(ctx, out.SessionID)
		if err != nil {
			return nil, err
		}
		role, err := s.RoleIn(ctx, sess, actor)
		if err != nil {
			return nil, err
		}
		return out.SeenBy(actor.Username, role.Moderates()), nil
	}
	return out, nil
}
