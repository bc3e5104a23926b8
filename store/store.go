// Package store keeps ask2live's data in SQLite (the embedded default),
// PostgreSQL or MySQL/MariaDB, behind the ask2live.Store interface. One SQL
// layer serves all three; the few differences (placeholders, insert-or-ignore,
// row locks, time encoding, error codes) live in a dialect value.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ask2live/ask2live"
)

// Options tune the connection pools.
type Options struct {
	MaxOpenConns int // PostgreSQL/MySQL pool size, and SQLite readers (default 16)
	// CheckpointInterval is how often SQLite's write-ahead log is copied
	// back into the database file, in the background (default 1 s). The
	// writer never checkpoints itself: a checkpoint inside a commit held up
	// every queued write for the time of its fsync.
	CheckpointInterval time.Duration
}

// DB implements ask2live.Store.
type DB struct {
	d dialect
	w *sql.DB // writes (SQLite: a single connection, so writers queue instead of failing busy)
	r *sql.DB // reads (SQLite: a pool of read-only connections; elsewhere the same as w)
	// ckpt is SQLite's checkpointer: one connection of its own, used by a
	// goroutine that stops with stopCkpt.
	ckpt     *sql.DB
	stopCkpt chan struct{}
	ckptDone chan struct{}

	// reads and writes cache prepared statements by query text: parsing the
	// SQL again for every request was a third of the CPU of a read-heavy
	// load, and inside a write transaction it held the single SQLite writer
	// for longer. With one pool for both (PostgreSQL, MySQL) writes points
	// at reads.
	reads  stmtCache
	writes *stmtCache

	onClose []func() // run at the end of Close
}

// OnClose has Close call f once the database is closed.
func (db *DB) OnClose(f func()) { db.onClose = append(db.onClose, f) }

// stmtCache keeps prepared statements of one pool.
type stmtCache struct {
	pool   *sql.DB
	stmts  sync.Map
	cached atomic.Int32
}

// maxCachedStatements bounds each cache; the store issues a few dozen
// distinct queries, so it is never reached in practice.
const maxCachedStatements = 512

// prepared returns the cached statement for query, preparing it once; nil
// when the cache is full.
func (c *stmtCache) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	if c.cached.Load() >= maxCachedStatements {
		return nil, nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	c.cached.Add(1)
	return st, nil
}

// lookup returns the statement for query if it was prepared.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	return nil
}

func (c *stmtCache) close() {
	c.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
}

// prepared returns the cached read statement for query.
func (db *DB) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	return db.reads.prepared(ctx, query)
}

// newDB sets up the statement caches over the pools.
func newDB(d dialect, w, r *sql.DB) *DB {
	db := &DB{d: d, w: w, r: r}
	db.reads.pool = r
	db.writes = &db.reads
	if w != r {
		db.writes = &stmtCache{pool: w}
	}
	return db
}

// txn is a write transaction whose statements come from the write
// statement cache. Queries are passed already rewritten for the dialect.
//
// A statement cannot be prepared on the pool while the transaction holds
// a connection: SQLite's writer pool has only that one, and a full
// PostgreSQL or MySQL pool could wait on itself. So a statement not yet
// cached runs unprepared and is prepared for later transactions once this
// one has ended (db.tx).
type txn struct {
	db      *DB
	tx      *sql.Tx
	missing []string
}

func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	st := t.db.writes.lookup(query)
	if st == nil {
		t.missing = append(t.missing, query)
		return nil, nil
	}
	return t.tx.StmtContext(ctx, st), nil
}

// ExecContext runs a statement in the transaction.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.tx.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.tx.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a single-row query in the transaction.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) rowScanner {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	if st == nil {
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs a read query through the statement cache.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	query = db.d.q(query)
	st, err := db.prepared(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return db.r.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// queryRow runs a single-row read query through the statement cache.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) rowScanner {
	query = db.d.q(query)
	st, err := db.prepared(ctx, query)
	if err != nil {
		return errRow{err}
	}
	if st == nil {
		return db.r.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

type rowScanner interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

var _ ask2live.Store = (*DB)(nil)

// Open connects to the database named by rawURL — sqlite:PATH,
// postgres://… (or postgresql://…) or mysql://user:pass@host:port/db — and
// applies the embedded migrations.
func Open(ctx context.Context, rawURL string, opts Options) (*DB, error) {
	if opts.MaxOpenConns <= 0 {
		opts.MaxOpenConns = 16
	}
	if opts.CheckpointInterval <= 0 {
		opts.CheckpointInterval = time.Second
	}
	var db *DB
	var err error
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		db, err = openSQLite(strings.TrimPrefix(rawURL, "sqlite:"), opts)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db, err = openPostgres(rawURL, opts)
	case strings.HasPrefix(rawURL, "mysql://"):
		db, err = openMySQL(rawURL, opts)
	default:
		return nil, fmt.Errorf("database url: unknown scheme in %q (want sqlite:, postgres:// or mysql://)", redact(rawURL))
	}
	if err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to %s: %w", redact(rawURL), err)
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating %s: %w", redact(rawURL), err)
	}
	if db.ckpt != nil {
		db.stopCkpt, db.ckptDone = make(chan struct{}), make(chan struct{})
		go db.checkpoints(opts.CheckpointInterval)
	}
	return db, nil
}

// redact hides a password in a database URL for messages and logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func openSQLite(path string, opts Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("database url: sqlite: needs a file path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("creating the data directory: %w", err)
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	w, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&"+pragmas+"&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		return nil, err
	}
	// One writer: SQLite allows one write transaction at a time, so writers
	// wait in Go's pool rather than fail with SQLITE_BUSY.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(opts.MaxOpenConns)
	r.SetMaxIdleConns(opts.MaxOpenConns)
	ckpt, err := sql.Open("sqlite", "file:"+path+"?"+pragmas)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	ckpt.SetMaxOpenConns(1)
	db := newDB(sqliteDialect, w, r)
	db.ckpt = ckpt
	return db, nil
}

func openPostgres(raw string, opts Options) (*DB, error) {
	db, err := sql.Open("pgx", raw)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	db.SetMaxOpenConns(opts.MaxOpenConns)
	db.SetMaxIdleConns(opts.MaxOpenConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return newDB(postgresDialect, db, db), nil
}

// mysqlConfig turns mysql://user:pass@host:port/db?k=v into the driver's
// configuration. Query parameters are passed to the server as session
// variables, as the driver does for its own DSN.
func mysqlConfig(raw string) (*mysql.Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	cfg := mysql.NewConfig()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = u.Hostname() + ":3306"
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	if cfg.DBName == "" {
		return nil, errors.New("database url: mysql:// needs a database name")
	}
	cfg.ParseTime = true
	// The busiest writes send each half of their transaction as one
	// multi-statement query (see write.go), whose arguments the driver
	// escapes into the text; every other statement is prepared.
	cfg.MultiStatements = true
	cfg.InterpolateParams = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_unicode_ci"
	cfg.Params = map[string]string{"time_zone": "'+00:00'"}
	for k, vs := range u.Query() {
		cfg.Params[k] = vs[0]
	}
	return cfg, nil
}

func openMySQL(raw string, opts Options) (*DB, error) {
	cfg, err := mysqlConfig(raw)
	if err != nil {
		return nil, err
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("database url: %w", err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(opts.MaxOpenConns)
	db.SetMaxIdleConns(opts.MaxOpenConns)
	db.SetConnMaxLifetime(30 * time.Minute)
	return newDB(mysqlDialect, db, db), nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.w.PingContext(ctx); err != nil {
		return ask2live.Wrap(ask2live.EUnavailable, err, "the database is not reachable")
	}
	return nil
}

// checkpoints copies the write-ahead log back into the database file every
// interval, without blocking writers (PASSIVE: frames still in use by a
// reader wait for the next round), and once more at Close.
func (db *DB) checkpoints(interval time.Duration) {
	defer close(db.ckptDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-db.stopCkpt:
			return
		case <-t.C:
			// A failure (the database is busy or gone) is retried next
			// round; nothing is lost meanwhile, the log only grows.
			_, _ = db.ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

// Close closes the connection pools.
func (db *DB) Close() error {
	if db.stopCkpt != nil {
		close(db.stopCkpt)
		<-db.ckptDone
		db.stopCkpt = nil
	}
	db.reads.close()
	if db.writes != &db.reads {
		db.writes.close()
	}
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	if db.ckpt != nil {
		_, _ = db.ckpt.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		err = errors.Join(err, db.ckpt.Close())
	}
	for _, f := range db.onClose {
		f()
	}
	db.onClose = nil
	return err
}

// Dialect returns "sqlite", "postgres" or "mysql".
func (db *DB) Dialect() string { return db.d.name }

// dialect holds what differs between the databases.
type dialect struct {
	name string
	// insertIgnore and onConflictIgnore turn an INSERT into one that does
	// nothing when the row exists.
	insertIgnore     string
	onConflictIgnore string
	forUpdate        string // row lock inside a transaction
	like             string // case-insensitive LIKE
	numbered         bool   // $1, $2 … instead of ?
}

var (
	sqliteDialect   = dialect{name: "sqlite", insertIgnore: "INSERT OR IGNORE INTO", like: "LIKE"}
	postgresDialect = dialect{name: "postgres", insertIgnore: "INSERT INTO", onConflictIgnore: " ON CONFLICT DO NOTHING",
		forUpdate: " FOR UPDATE", like: "ILIKE", numbered: true}
	mysqlDialect = dialect{name: "mysql", insertIgnore: "INSERT IGNORE INTO", forUpdate: " FOR UPDATE", like: "LIKE"}
)

// q rewrites ? placeholders for the dialect.
func (d dialect) q(query string) string {
	if !d.numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// sqliteTimeLayout is fixed-width so that text order is time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

// t encodes a time for the dialect, at microsecond precision (what
// PostgreSQL and MySQL keep).
func (d dialect) t(t time.Time) any {
	t = stored(t)
	if d.name == "sqlite" {
		return t.Format(sqliteTimeLayout)
	}
	return t
}

// stored returns t as the database gives it back: UTC, whole microseconds.
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// storedPtr is stored for an optional time.
func storedPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := stored(*t)
	return &v
}

// tp encodes an optional time.
func (d dialect) tp(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.t(*t)
}

// dbTime scans a time stored by any dialect.
type dbTime struct {
	T     time.Time
	Valid bool
}

func (t *dbTime) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		t.Valid = false
		return nil
	case time.Time:
		t.T, t.Valid = x.UTC(), true
		return nil
	case string:
		return t.parse(x)
	case []byte:
		return t.parse(string(x))
	}
	return fmt.Errorf("store: cannot scan %T as a time", v)
}

func (t *dbTime) parse(s string) error {
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad time %q: %w", s, err)
	}
	t.T, t.Valid = p.UTC(), true
	return nil
}

func (t dbTime) ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.T
	return &v
}

// dbBool scans booleans stored as integers or booleans.
type dbBool bool

// flag is how a bool column is written: 0 or 1, the same on every database
// (see migration 0009), so that copy-data moves the values as they are.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (b *dbBool) Scan(v any) error {
	switch x := v.(type) {
	case bool:
		*b = dbBool(x)
	case int64:
		*b = x != 0
	case []byte:
		*b = len(x) > 0 && x[0] != '0'
	case nil:
		*b = false
	default:
		return fmt.Errorf("store: cannot scan %T as a bool", v)
	}
	return nil
}

// errNotFound is returned for a missing row.
func errNotFound(what string) error {
	return ask2live.Errorf(ask2live.ENotFound, "%s not found", what)
}

// fail classifies a driver error into the domain's codes.
func (d dialect) fail(err error, what string) error {
	if err == nil {
		return nil
	}
	var de *ask2live.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return errNotFound(what)
	}
	if isUniqueViolation(err) {
		return ask2live.Wrap(ask2live.EConflict, err, what+" already exists")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || isConnectionError(err) {
		return ask2live.Wrap(ask2live.EUnavailable, err, "the database did not answer in time")
	}
	return ask2live.Wrap(ask2live.EInternal, err, "database error")
}

func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func isConnectionError(err error) bool {
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, mysql.ErrInvalidConn) {
		return true
	}
	var pe *pgconn.ConnectError
	return errors.As(err, &pe)
}

// tx runs fn in a write transaction.
func (db *DB) tx(ctx context.Context, what string, fn func(tx *txn) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return db.d.fail(err, what)
	}
	t := &txn{db: db, tx: tx}
	defer db.prepareMissing(ctx, t)
	if err := fn(t); err != nil {
		_ = tx.Rollback()
		return db.d.fail(err, what)
	}
	return db.d.fail(tx.Commit(), what)
}

// prepareMissing prepares, once the transaction has ended, the statements
// it ran unprepared.
func (db *DB) prepareMissing(ctx context.Context, t *txn) {
	for _, q := range t.missing {
		if db.writes.lookup(q) == nil {
			if _, err := db.writes.prepared(ctx, q); err != nil {
				return // tried again after the next transaction that runs it
			}
		}
	}
}

// exec runs one write statement outside a transaction.
func (db *DB) exec(ctx context.Context, what, query string, args ...any) (sql.Result, error) {
	query = db.d.q(query)
	st, err := db.writes.prepared(ctx, query)
	if err != nil {
		return nil, db.d.fail(err, what)
	}
	var res sql.Result
	if st == nil {
		res, err = db.w.ExecContext(ctx, query, args...)
	} else {
		res, err = st.ExecContext(ctx, args...)
	}
	return res, db.d.fail(err, what)
}
