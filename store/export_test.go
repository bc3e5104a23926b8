package store

import "context"

// CountRows counts a table's rows for one key, for the consistency tests.
func (db *DB) CountRows(ctx context.Context, table, col, id string) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, db.d.q("SELECT COUNT(*) FROM "+table+" WHERE "+col+" = ?"), id).Scan(&n)
	return n, err
}
