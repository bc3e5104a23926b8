package store

import "context"

// CountRows counts a table's rows for one key, for the consistency tests.
func (db *DB) CountRows(ctx context.Context, table, col, id string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, db.d.q("SELECT COUNT(*) FROM "+table+" WHERE "+col+" = ?"), id).Scan(&n)
	return n, err
}

// ExecForTest runs a statement on the writer, for tests that damage a
// database on purpose.
func (db *DB) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := db.w.ExecContext(ctx, db.d.q(query), args...)
	return err
}

// DeleteSessionForTest removes a session and every row that belongs to it,
// as an interrupted copy would have left them out.
func (db *DB) DeleteSessionForTest(ctx context.Context, id string) error {
	for _, q := range []string{
		"DELETE FROM votes WHERE question_id IN (SELECT id FROM questions WHERE session_id = ?)",
		"DELETE FROM questions WHERE session_id = ?",
		"DELETE FROM wishes WHERE session_id = ?",
		"DELETE FROM chat_messages WHERE session_id = ?",
		"DELETE FROM participations WHERE session_id = ?",
		"DELETE FROM live_commands WHERE session_id = ?",
		"DELETE FROM live_removals WHERE session_id = ?",
		"DELETE FROM session_team WHERE session_id = ?",
		"DELETE FROM sessions WHERE id = ?",
	} {
		if err := db.ExecForTest(ctx, q, id); err != nil {
			return err
		}
	}
	return nil
}
