package store

import (
	"context"
	"time"

	"github.com/ask2live/ask2live"
)

const questionSelect = `SELECT q.id, q.session_id, q.author_id, q.kind, q.text, q.state, q.phase, q.votes,
	q.created_at, q.updated_at, q.answered_at, q.pinned_at, q.anonymous, u.username, u.display_name, u.avatar_url,
	CASE WHEN EXISTS (SELECT 1 FROM votes v WHERE v.question_id = q.id AND v.user_id = ?) THEN 1 ELSE 0 END
	FROM questions q JOIN users u ON u.id = q.author_id`

func scanQuestion(sc scanner) (*ask2live.Question, error) {
	var q ask2live.Question
	var created, updated, answered, pinned dbTime
	var voted, anonymous dbBool
	err := sc.Scan(&q.ID, &q.SessionID, &q.AuthorID, &q.Kind, &q.Text, &q.State, &q.Phase, &q.Votes,
		&created, &updated, &answered, &pinned, &anonymous, &q.Author.Username, &q.Author.DisplayName, &q.Author.AvatarURL, &voted)
	if err != nil {
		return nil, err
	}
	q.CreatedAt, q.UpdatedAt, q.AnsweredAt, q.PinnedAt = created.T, updated.T, answered.ptr(), pinned.ptr()
	q.VotedByMe, q.Anonymous = bool(voted), bool(anonymous)
	return &q, nil
}

// CreateQuestion checks, under the session's lock, that the session takes
// the question, sets its phase, inserts it and counts it on the session;
// q.Author is filled in.
func (db *DB) CreateQuestion(ctx context.Context, q *ask2live.Question) error {
	d := db.d
	var state ask2live.SessionState
	var allowAnonymous dbBool
	var author ask2live.UserSummary
	return db.write(ctx, "session", []readStep{
		{d.q("SELECT state, allow_anonymous FROM sessions WHERE id = ?" + d.forUpdate), []any{q.SessionID},
			func(r rowScanner) error { return r.Scan(&state, &allowAnonymous) }},
		{d.q("SELECT username, display_name, avatar_url FROM users WHERE id = ?"), []any{q.AuthorID},
			func(r rowScanner) error { return r.Scan(&author.Username, &author.DisplayName, &author.AvatarURL) }},
	}, func() ([]step, error) {
		phase, err := ask2live.AskPhase(state, q.Kind)
		if err != nil {
			return nil, err
		}
		if q.Anonymous && !bool(allowAnonymous) {
			return nil, ask2live.Errorf(ask2live.EWrongState, "this session does not take anonymous questions")
		}
		q.Phase, q.Author, q.Votes, q.VotedByMe = phase, author, 0, false
		q.CreatedAt, q.UpdatedAt, q.AnsweredAt = stored(q.CreatedAt), stored(q.UpdatedAt), storedPtr(q.AnsweredAt)
		return []step{
			{d.q(`INSERT INTO questions (id, session_id, author_id, kind, text, state, phase,
			votes, created_at, updated_at, answered_at, anonymous) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`),
				[]any{q.ID, q.SessionID, q.AuthorID, q.Kind, q.Text, q.State, q.Phase, d.t(q.CreatedAt), d.t(q.UpdatedAt), d.tp(q.AnsweredAt), flag(q.Anonymous)}},
			{d.q("UPDATE sessions SET question_count = question_count + 1 WHERE id = ?"), []any{q.SessionID}},
		}, nil
	})
}

// QuestionByID returns a question for a viewer.
func (db *DB) QuestionByID(ctx context.Context, id, viewerID string) (*ask2live.Question, error) {
	q, err := scanQuestion(db.queryRow(ctx, questionSelect+" WHERE q.id = ?", viewerID, id))
	return q, db.d.fail(err, "question")
}

// ListQuestions returns a session's questions in the default order.
func (db *DB) ListQuestions(ctx context.Context, sessionID, viewerID string) ([]*ask2live.Question, error) {
	rows, err := db.query(ctx, questionSelect+` WHERE q.session_id = ?
		ORDER BY CASE WHEN q.pinned_at IS NULL THEN 1 ELSE 0 END, q.pinned_at,
			CASE WHEN q.phase = 'pre' THEN 0 ELSE 1 END, q.votes DESC, q.created_at, q.id`, viewerID, sessionID)
	if err != nil {
		return nil, db.d.fail(err, "questions")
	}
	defer rows.Close()
	out := []*ask2live.Question{}
	for rows.Next() {
		q, err := scanQuestion(rows)
		if err != nil {
			return nil, db.d.fail(err, "questions")
		}
		out = append(out, q)
	}
	return out, db.d.fail(rows.Err(), "questions")
}

// lockQuestion reads a question's state inside a transaction with a row lock.
func (db *DB) lockQuestion(ctx context.Context, tx *txn, id string) (sessionID string, state ask2live.QuestionState, err error) {
	err = tx.QueryRowContext(ctx, db.d.q("SELECT session_id, state FROM questions WHERE id = ?"+db.d.forUpdate), id).
		Scan(&sessionID, &state)
	return sessionID, state, db.d.fail(err, "question")
}

// lockQuestionInSession locks a question's session and then the question.
// Everything that touches several questions of a session takes the session
// lock first, so two such transactions cannot deadlock.
func (db *DB) lockQuestionInSession(ctx context.Context, tx *txn, id string) (sessionID string, err error) {
	err = tx.QueryRowContext(ctx, db.d.q("SELECT session_id FROM questions WHERE id = ?"), id).Scan(&sessionID)
	if err != nil {
		return "", db.d.fail(err, "question")
	}
	if _, err := db.lockSession(ctx, tx, sessionID); err != nil {
		return "", err
	}
	_, _, err = db.lockQuestion(ctx, tx, id)
	return sessionID, err
}

// UpdateQuestionText edits an open question.
func (db *DB) UpdateQuestionText(ctx context.Context, id, text string, now time.Time) (*ask2live.Question, error) {
	err := db.tx(ctx, "question", func(tx *txn) error {
		_, state, err := db.lockQuestion(ctx, tx, id)
		if err != nil {
			return err
		}
		if state != ask2live.QuestionOpen {
			return ask2live.Errorf(ask2live.EWrongState, "a question that is %s can no longer be edited", state)
		}
		_, err = tx.ExecContext(ctx, db.d.q("UPDATE questions SET text = ?, updated_at = ? WHERE id = ?"), text, db.d.t(now), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.QuestionByID(ctx, id, "")
}

// SetQuestionState changes a question's state, keeping at most one question
// of the session answering.
func (db *DB) SetQuestionState(ctx context.Context, id string, state ask2live.QuestionState, now time.Time) ([]*ask2live.Question, error) {
	changed := []string{id}
	err := db.tx(ctx, "question", func(tx *txn) error {
		// The session lock also serializes two concurrent "answering"
		// changes, so they cannot both win.
		sessionID, err := db.lockQuestionInSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if state == ask2live.QuestionAnswering {
			rows, err := tx.QueryContext(ctx, db.d.q("SELECT id FROM questions WHERE session_id = ? AND state = ? AND id <> ?"),
				sessionID, ask2live.QuestionAnswering, id)
			if err != nil {
				return err
			}
			for rows.Next() {
				var other string
				if err := rows.Scan(&other); err != nil {
					rows.Close()
					return err
				}
				changed = append(changed, other)
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.d.q("UPDATE questions SET state = ?, updated_at = ? WHERE session_id = ? AND state = ? AND id <> ?"),
				ask2live.QuestionOpen, db.d.t(now), sessionID, ask2live.QuestionAnswering, id); err != nil {
				return err
			}
		}
		var answered any
		if state == ask2live.QuestionAnswered {
			answered = db.d.t(now)
		}
		_, err = tx.ExecContext(ctx, db.d.q("UPDATE questions SET state = ?, answered_at = ?, updated_at = ? WHERE id = ?"),
			state, answered, db.d.t(now), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]*ask2live.Question, 0, len(changed))
	for _, qid := range changed {
		q, err := db.QuestionByID(ctx, qid, "")
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// SetPinned pins a question (at the given time) or unpins it (nil). A
// question can be pinned while it is open or being answered.
func (db *DB) SetPinned(ctx context.Context, id string, at *time.Time, now time.Time) (*ask2live.Question, error) {
	err := db.tx(ctx, "question", func(tx *txn) error {
		_, state, err := db.lockQuestion(ctx, tx, id)
		if err != nil {
			return err
		}
		if at != nil && state != ask2live.QuestionOpen && state != ask2live.QuestionAnswering {
			return ask2live.Errorf(ask2live.EWrongState, "a question that is %s cannot be pinned", state)
		}
		_, err = tx.ExecContext(ctx, db.d.q("UPDATE questions SET pinned_at = ?, updated_at = ? WHERE id = ?"),
			db.d.tp(storedPtr(at)), db.d.t(now), id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.QuestionByID(ctx, id, "")
}

// DeleteQuestion removes a question and uncounts it.
func (db *DB) DeleteQuestion(ctx context.Context, id string) error {
	return db.tx(ctx, "question", func(tx *txn) error {
		sessionID, err := db.lockQuestionInSession(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.d.q("DELETE FROM questions WHERE id = ?"), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, db.d.q("UPDATE sessions SET question_count = question_count - 1 WHERE id = ?"), sessionID)
		return err
	})
}

// Vote records userID's vote once, if the rules allow it, and keeps the
// count exact. It returns the question as userID now sees it and whether
// the count changed. On a failure after the change was sent, the question
// is returned too (its session's cached views may have changed).
func (db *DB) Vote(ctx context.Context, questionID, userID string) (*ask2live.Question, bool, error) {
	return db.vote(ctx, questionID, userID, true)
}

// Unvote removes userID's vote if present; see Vote.
func (db *DB) Unvote(ctx context.Context, questionID, userID string) (*ask2live.Question, bool, error) {
	return db.vote(ctx, questionID, userID, false)
}

// questionRowSelect reads a question's own columns.
const questionRowSelect = `SELECT id, session_id, author_id, kind, text, state, phase, votes, created_at, updated_at, answered_at, pinned_at,
	anonymous FROM questions WHERE id = ?`

func (db *DB) vote(ctx context.Context, questionID, userID string, on bool) (*ask2live.Question, bool, error) {
	d := db.d
	var q ask2live.Question
	var created, updated, answered, pinned dbTime
	var anonymous dbBool
	var sessionState ask2live.SessionState
	var voted int
	changed, decided := false, false
	err := db.write(ctx, "question", []readStep{
		{d.q(questionRowSelect + d.forUpdate), []any{questionID}, func(r rowScanner) error {
			return r.Scan(&q.ID, &q.SessionID, &q.AuthorID, &q.Kind, &q.Text, &q.State, &q.Phase, &q.Votes,
				&created, &updated, &answered, &pinned, &anonymous)
		}},
		{d.q(`SELECT u.username, u.display_name, u.avatar_url, s.state,
			(SELECT COUNT(*) FROM votes v WHERE v.question_id = q.id AND v.user_id = ?)
			FROM questions q JOIN users u ON u.id = q.author_id JOIN sessions s ON s.id = q.session_id WHERE q.id = ?`),
			[]any{userID, questionID}, func(r rowScanner) error {
				return r.Scan(&q.Author.Username, &q.Author.DisplayName, &q.Author.AvatarURL, &sessionState, &voted)
			}},
	}, func() ([]step, error) {
		q.CreatedAt, q.UpdatedAt, q.AnsweredAt, q.PinnedAt = created.T, updated.T, answered.ptr(), pinned.ptr()
		q.Anonymous = bool(anonymous)
		if err := ask2live.CheckVote(q.AuthorID, userID, sessionState); err != nil {
			return nil, err
		}
		decided = true
		q.VotedByMe = on
		switch {
		case on && voted == 0:
			changed, q.Votes = true, q.Votes+1
			return []step{
				{d.q("INSERT INTO votes (question_id, user_id) VALUES (?, ?)"), []any{questionID, userID}},
				{d.q("UPDATE questions SET votes = votes + 1 WHERE id = ?"), []any{questionID}},
			}, nil
		case !on && voted > 0:
			changed, q.Votes = true, q.Votes-1
			return []step{
				{d.q("DELETE FROM votes WHERE question_id = ? AND user_id = ?"), []any{questionID, userID}},
				{d.q("UPDATE questions SET votes = votes - 1 WHERE id = ?"), []any{questionID}},
			}, nil
		}
		return nil, nil
	})
	if err != nil {
		if decided {
			return &q, false, err
		}
		return nil, false, err
	}
	return &q, changed, nil
}

// VotedQuestions returns the ids of a session's questions a user voted for.
// It walks the session's questions by index and probes each one's vote by
// primary key.
func (db *DB) VotedQuestions(ctx context.Context, sessionID, userID string) (map[string]bool, error) {
	return db.idSet(ctx, "votes", `SELECT q.id FROM questions q JOIN votes v ON v.question_id = q.id AND v.user_id = ?
		WHERE q.session_id = ?`, userID, sessionID)
}
