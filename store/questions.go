package store

import (
	"context"
	"time"

	"github.com/ask2live/ask2live"
)

const questionSelect = `SELECT q.id, q.session_id, q.author_id, q.kind, q.text, q.state, q.phase, q.votes,
	q.created_at, q.updated_at, q.answered_at, u.username, u.display_name, u.avatar_url,
	CASE WHEN EXISTS (SELECT 1 FROM votes v WHERE v.question_id = q.id AND v.user_id = ?) THEN 1 ELSE 0 END
	FROM questions q JOIN users u ON u.id = q.author_id`

func scanQuestion(sc scanner) (*ask2live.Question, error) {
	var q ask2live.Question
	var created, updated, answered dbTime
	var voted dbBool
	err := sc.Scan(&q.ID, &q.SessionID, &q.AuthorID, &q.Kind, &q.Text, &q.State, &q.Phase, &q.Votes,
		&created, &updated, &answered, &q.Author.Username, &q.Author.DisplayName, &q.Author.AvatarURL, &voted)
	if err != nil {
		return nil, err
	}
	q.CreatedAt, q.UpdatedAt, q.AnsweredAt = created.T, updated.T, answered.ptr()
	q.VotedByMe = bool(voted)
	return &q, nil
}

// CreateQuestion inserts a question and counts it on its session.
func (db *DB) CreateQuestion(ctx context.Context, q *ask2live.Question) error {
	d := db.d
	err := db.tx(ctx, "question", func(tx *txn) error {
		if _, err := db.lockSession(ctx, tx, q.SessionID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO questions (id, session_id, author_id, kind, text, state, phase,
			votes, created_at, updated_at, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`),
			q.ID, q.SessionID, q.AuthorID, q.Kind, q.Text, q.State, q.Phase, d.t(q.CreatedAt), d.t(q.UpdatedAt), d.tp(q.AnsweredAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, d.q("UPDATE sessions SET question_count = question_count + 1 WHERE id = ?"), q.SessionID)
		return err
	})
	if err != nil {
		return err
	}
	stored, err := db.QuestionByID(ctx, q.ID, "")
	if err != nil {
		return err
	}
	*q = *stored
	return nil
}

// QuestionByID returns a question for a viewer.
func (db *DB) QuestionByID(ctx context.Context, id, viewerID string) (*ask2live.Question, error) {
	q, err := scanQuestion(db.queryRow(ctx, questionSelect+" WHERE q.id = ?", viewerID, id))
	return q, db.d.fail(err, "question")
}

// ListQuestions returns a session's questions in the default order.
func (db *DB) ListQuestions(ctx context.Context, sessionID, viewerID string) ([]*ask2live.Question, error) {
	rows, err := db.query(ctx, questionSelect+` WHERE q.session_id = ?
		ORDER BY CASE WHEN q.phase = 'pre' THEN 0 ELSE 1 END, q.votes DESC, q.created_at, q.id`, viewerID, sessionID)
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

// Vote records a vote once and keeps the count exact.
func (db *DB) Vote(ctx context.Context, questionID, userID string) (*ask2live.Question, error) {
	return db.vote(ctx, questionID, userID, db.d.insertIgnore+" votes (question_id, user_id) VALUES (?, ?)"+db.d.onConflictIgnore, "+ 1")
}

// Unvote removes a vote if present.
func (db *DB) Unvote(ctx context.Context, questionID, userID string) (*ask2live.Question, error) {
	return db.vote(ctx, questionID, userID, "DELETE FROM votes WHERE question_id = ? AND user_id = ?", "- 1")
}

func (db *DB) vote(ctx context.Context, questionID, userID, change, delta string) (*ask2live.Question, error) {
	err := db.tx(ctx, "vote", func(tx *txn) error {
		if _, _, err := db.lockQuestion(ctx, tx, questionID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.d.q(change), questionID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			_, err = tx.ExecContext(ctx, db.d.q("UPDATE questions SET votes = votes "+delta+" WHERE id = ?"), questionID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.QuestionByID(ctx, questionID, userID)
}

// VotedQuestions returns the ids of a session's questions a user voted for.
// It walks the session's questions by index and probes each one's vote by
// primary key.
func (db *DB) VotedQuestions(ctx context.Context, sessionID, userID string) (map[string]bool, error) {
	return db.idSet(ctx, "votes", `SELECT q.id FROM questions q JOIN votes v ON v.question_id = q.id AND v.user_id = ?
		WHERE q.session_id = ?`, userID, sessionID)
}
