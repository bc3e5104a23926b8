package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The busiest writes (ask, vote, wish and their reverses) are transactions
// in two halves, so that on a database server each half is one round trip:
//
//  1. BEGIN and the reads. The first read locks the row the write depends
//     on; the reads after it return everything else the rules and the
//     answer need.
//  2. Go applies the rules to what was read and builds the answer; then
//     the statements that follow from it, and COMMIT.
//
// PostgreSQL gets each half as one pipeline (pgx batch), MySQL as one
// multi-statement query. SQLite runs the same statements one by one on its
// single writer connection, where a round trip costs nothing.
//
// A read after the locking one sees every change committed before the lock
// was granted: on PostgreSQL (READ COMMITTED) each statement takes its
// snapshot when it starts, and the statements of a pipeline run one after
// the other; on InnoDB (REPEATABLE READ) the snapshot is taken at the
// transaction's first non-locking read, which comes after the lock. So a
// read of "has this user already voted" under the question's lock is exact,
// as long as every change to those rows takes the same lock first.

// readStep is one statement of a write's first half: it returns one row.
type readStep struct {
	query string // in the dialect's placeholders (d.q)
	args  []any
	scan  func(rowScanner) error
}

// step is one statement of a write's second half.
type step struct {
	query string // in the dialect's placeholders (d.q)
	args  []any
}

// rollbackTimeout bounds the clean-up of a write that failed half-way.
const rollbackTimeout = 5 * time.Second

// write runs reads, then decide, then the steps decide returned, in one
// transaction. decide returns the rules' verdict as an error (the
// transaction is rolled back and the error returned as it is); no steps
// means nothing changes. A read that finds no row fails the write with
// "<what> not found".
func (db *DB) write(ctx context.Context, what string, reads []readStep, decide func() ([]step, error)) error {
	var err error
	switch db.d.name {
	case "postgres":
		err = db.writePostgres(ctx, reads, decide)
	case "mysql":
		err = db.writeMySQL(ctx, reads, decide)
	default:
		err = db.tx(ctx, what, func(tx *txn) error {
			for _, r := range reads {
				if err := r.scan(tx.QueryRowContext(ctx, r.query, r.args...)); err != nil {
					return err
				}
			}
			steps, err := decide()
			if err != nil {
				return err
			}
			for _, s := range steps {
				if _, err := tx.ExecContext(ctx, s.query, s.args...); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return db.d.fail(err, what)
}

// writePostgres sends each half of the write as one pipeline on one
// connection of the pool. pgx keeps each connection's statements prepared.
func (db *DB) writePostgres(ctx context.Context, reads []readStep, decide func() ([]step, error)) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var werr error
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		werr = pgWrite(ctx, pc, reads, decide)
		if pc.IsClosed() {
			return driver.ErrBadConn
		}
		if pc.PgConn().TxStatus() != 'I' {
			// Failed half-way, or refused by the rules: end the
			// transaction, or give the connection up.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
			defer cancel()
			if _, err := pc.Exec(rctx, "rollback"); err != nil || pc.PgConn().TxStatus() != 'I' {
				return driver.ErrBadConn
			}
		}
		return nil
	})
	if werr != nil {
		return werr
	}
	return err
}

func pgWrite(ctx context.Context, pc *pgx.Conn, reads []readStep, decide func() ([]step, error)) error {
	b := &pgx.Batch{}
	b.Queue("begin")
	for _, r := range reads {
		b.Queue(r.query, r.args...)
	}
	br := pc.SendBatch(ctx, b)
	_, err := br.Exec()
	for _, r := range reads {
		if err != nil {
			break
		}
		err = r.scan(br.QueryRow())
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	steps, err := decide()
	if err != nil {
		return err
	}
	b = &pgx.Batch{}
	for _, s := range steps {
		b.Queue(s.query, s.args...)
	}
	b.Queue("commit")
	br = pc.SendBatch(ctx, b)
	for range len(steps) + 1 {
		if _, err = br.Exec(); err != nil {
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeMySQL sends each half of the write as one multi-statement query
// (the connection interpolates the arguments) on one connection of the
// pool.
func (db *DB) writeMySQL(ctx context.Context, reads []readStep, decide func() ([]step, error)) (err error) {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	defer func() {
		if err == nil {
			return
		}
		// Whatever failed, end the transaction, or give the connection
		// up; rolling back when none is open does nothing.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rollbackTimeout)
		defer cancel()
		if _, rerr := conn.ExecContext(rctx, "ROLLBACK"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	var q strings.Builder
	q.WriteString("START TRANSACTION")
	var args []any
	for _, r := range reads {
		q.WriteString("; ")
		q.WriteString(r.query)
		args = append(args, r.args...)
	}
	if err := mysqlReads(ctx, conn, q.String(), args, reads); err != nil {
		return err
	}
	steps, err := decide()
	if err != nil {
		return err
	}
	q.Reset()
	args = args[:0]
	for _, s := range steps {
		q.WriteString(s.query)
		q.WriteString("; ")
		args = append(args, s.args...)
	}
	q.WriteString("COMMIT")
	_, err = conn.ExecContext(ctx, q.String(), args...)
	return err
}

// mysqlReads runs the first half and scans one row of each read's result.
func mysqlReads(ctx context.Context, conn *sql.Conn, query string, args []any, reads []readStep) error {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for i, r := range reads {
		if i > 0 && !rows.NextResultSet() {
			if err := rows.Err(); err != nil {
				return err
			}
			return errors.New("store: a read of the write returned no result")
		}
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			if err := r.scan(errRow{sql.ErrNoRows}); err != nil {
				return err
			}
			continue
		}
		if err := r.scan(rows); err != nil {
			return err
		}
	}
	return rows.Close()
}
