package store

import "database/sql"

// Pools returns the connection pools by role ("write", "read"; one pool
// serves both on PostgreSQL and MySQL), for pool statistics.
func (db *DB) Pools() map[string]*sql.DB {
	if db.r == db.w {
		return map[string]*sql.DB{"write": db.w}
	}
	return map[string]*sql.DB{"write": db.w, "read": db.r}
}
