package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// copyTable is a table that CopyData moves, with its primary key.
type copyTable struct {
	name string
	key  []string
}

// copyTables lists every table of the schema in an order that respects the
// foreign keys (a row's parents are copied before it). CopyData refuses a
// database holding a table not listed here, so a migration that adds one
// cannot be forgotten by the copy.
var copyTables = []copyTable{
	{"users", []string{"id"}},
	{"auth_tokens", []string{"hash"}},
	{"sessions", []string{"id"}},
	{"wishes", []string{"session_id", "user_id"}},
	{"questions", []string{"id"}},
	{"votes", []string{"question_id", "user_id"}},
	{"chat_messages", []string{"id"}},
	{"participations", []string{"id"}},
	{"media", []string{"media_key"}},
	{"live_commands", []string{"session_id", "user_id", "cid"}},
	{"live_removals", []string{"session_id", "user_id"}},
	{"audit_log", []string{"id"}},
	{"calendar_feeds", []string{"user_id"}},
	{"session_team", []string{"session_id", "user_id"}},
}

// CopyOptions tune CopyData.
type CopyOptions struct {
	// Resume lets the target hold rows already: rows whose key is there are
	// left as they are (an interrupted copy runs again to completion).
	// Without it a target with any row is refused.
	Resume bool
	// BatchRows and BatchBytes bound one INSERT (defaults 500 rows, 4 MiB).
	BatchRows  int
	BatchBytes int
}

// TableCopy is what CopyData did to one table.
type TableCopy struct {
	Table          string
	Rows           int64 // rows in the source's snapshot
	Inserted       int64 // rows written to the target (fewer when resuming)
	SourceChecksum string
	TargetChecksum string
}

// CopyData copies every table of src into dst, which must have the same
// schema version (Open migrates both). The source is read in one
// read-only, repeatable-read transaction, so the copy is a consistent
// snapshot even while a server writes to it. Afterwards each table's row
// count and a checksum of its rows (independent of order and of how each
// database stores times, booleans and text) are compared between the
// source snapshot and the target; any difference is an error. Progress
// lines go to progress (may be nil).
func CopyData(ctx context.Context, src, dst *DB, opts CopyOptions, progress io.Writer) ([]TableCopy, error) {
	if opts.BatchRows <= 0 {
		opts.BatchRows = 500
	}
	if opts.BatchBytes <= 0 {
		opts.BatchBytes = 4 << 20
	}
	if progress == nil {
		progress = io.Discard
	}
	for _, db := range []*DB{src, dst} {
		if err := db.checkCopyTables(ctx); err != nil {
			return nil, err
		}
	}
	sv, err := src.schemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	dv, err := dst.schemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if sv != dv {
		return nil, fmt.Errorf("the source is at schema version %d and the target at %d: run the newer binary against both", sv, dv)
	}
	if !opts.Resume {
		for _, t := range copyTables {
			n, err := countRows(ctx, dst.r, t.name)
			if err != nil {
				return nil, err
			}
			if n > 0 {
				return nil, fmt.Errorf("the target is not empty (%s has %d rows): copy into an empty database, or resume an interrupted copy", t.name, n)
			}
		}
	}

	// SQLite's read transactions are snapshots already (and its driver
	// takes no isolation level); the others are asked for one.
	txo := &sql.TxOptions{ReadOnly: true}
	if src.d.name != "sqlite" {
		txo.Isolation = sql.LevelRepeatableRead
	}
	snap, err := src.r.BeginTx(ctx, txo)
	if err != nil {
		return nil, fmt.Errorf("opening a snapshot of the source: %w", err)
	}
	defer snap.Rollback()

	var report []TableCopy
	for _, t := range copyTables {
		tc, err := copyOne(ctx, snap, src.d, dst, t, opts)
		if err != nil {
			return report, fmt.Errorf("copying %s: %w", t.name, err)
		}
		fmt.Fprintf(progress, "%-15s %8d rows, %8d written\n", t.name, tc.Rows, tc.Inserted)
		report = append(report, tc)
	}
	// Verify against the target as it is now.
	var bad []string
	for i, t := range copyTables {
		n, sum, err := tableChecksum(ctx, dst.r, dst.d, t.name)
		if err != nil {
			return report, fmt.Errorf("verifying %s: %w", t.name, err)
		}
		report[i].TargetChecksum = sum
		if n != report[i].Rows || sum != report[i].SourceChecksum {
			bad = append(bad, fmt.Sprintf("%s: source %d rows (%s), target %d rows (%s)", t.name, report[i].Rows, report[i].SourceChecksum[:12], n, sum[:12]))
		}
	}
	if len(bad) > 0 {
		return report, fmt.Errorf("the target differs from the source snapshot:\n  %s", strings.Join(bad, "\n  "))
	}
	return report, nil
}

// copyOne streams one table from the snapshot into dst in batches, and
// checksums the source rows on the way.
func copyOne(ctx context.Context, snap *sql.Tx, sd dialect, dst *DB, t copyTable, opts CopyOptions) (TableCopy, error) {
	tc := TableCopy{Table: t.name}
	rows, err := snap.QueryContext(ctx, "SELECT * FROM "+t.name)
	if err != nil {
		return tc, err
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return tc, err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = strings.ToLower(c.Name())
	}
	var sum rowSum
	var batch [][]any
	size := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := dst.insertRows(ctx, t.name, names, batch)
		tc.Inserted += n
		batch, size = batch[:0], 0
		return err
	}
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return tc, err
		}
		row := make([]any, len(cols))
		for i, v := range raw {
			cv, err := canonical(names[i], cols[i].DatabaseTypeName(), v)
			if err != nil {
				return tc, fmt.Errorf("column %s: %w", names[i], err)
			}
			row[i] = cv
			size += valueSize(cv)
		}
		sum.add(names, row)
		tc.Rows++
		batch = append(batch, encodeRow(dst.d, names, row))
		if len(batch) >= opts.BatchRows || size >= opts.BatchBytes {
			if err := flush(); err != nil {
				return tc, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return tc, err
	}
	if err := flush(); err != nil {
		return tc, err
	}
	tc.SourceChecksum = sum.String()
	return tc, nil
}

// insertRows writes a batch in one statement, leaving rows whose key is
// already there; it returns how many it wrote.
func (db *DB) insertRows(ctx context.Context, table string, cols []string, rows [][]any) (int64, error) {
	var b strings.Builder
	b.WriteString(db.d.insertIgnore + " " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	args := make([]any, 0, len(rows)*len(cols))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = append(args, r...)
	}
	b.WriteString(db.d.onConflictIgnore)
	res, err := db.w.ExecContext(ctx, db.d.q(b.String()), args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, nil // the driver cannot tell; the verification still runs
	}
	return n, nil
}

// tableChecksum counts a table's rows and checksums them as CopyData does.
func tableChecksum(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, d dialect, table string) (int64, string, error) {
	rows, err := q.QueryContext(ctx, "SELECT * FROM "+table)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	cols, err := rows.ColumnTypes()
	if err != nil {
		return 0, "", err
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = strings.ToLower(c.Name())
	}
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var sum rowSum
	var n int64
	row := make([]any, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, "", err
		}
		for i, v := range raw {
			if row[i], err = canonical(names[i], cols[i].DatabaseTypeName(), v); err != nil {
				return 0, "", fmt.Errorf("column %s: %w", names[i], err)
			}
		}
		sum.add(names, row)
		n++
	}
	return n, sum.String(), rows.Err()
}

// canonical turns a scanned value into the same Go value whichever
// database it came from: times (columns named *_at) as UTC time.Time,
// flags (deleted) as bool, the media bytes as []byte, numbers as int64,
// and every other column as a string.
func canonical(col, dbType string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch {
	case strings.HasSuffix(col, "_at"):
		var t dbTime
		if err := t.Scan(v); err != nil {
			return nil, err
		}
		return t.T.UTC().Truncate(time.Microsecond), nil
	case col == "deleted":
		var b dbBool
		if err := b.Scan(v); err != nil {
			return nil, err
		}
		return bool(b), nil
	case col == "data":
		switch x := v.(type) {
		case []byte:
			return slices.Clone(x), nil
		case string:
			return []byte(x), nil
		}
	}
	switch x := v.(type) {
	case int64:
		return x, nil
	case int32:
		return int64(x), nil
	case float64:
		return int64(x), nil
	case string:
		if isIntegerType(dbType) {
			return strconv.ParseInt(x, 10, 64)
		}
		return x, nil
	case []byte:
		if isIntegerType(dbType) {
			return strconv.ParseInt(string(x), 10, 64)
		}
		return string(x), nil
	case bool:
		return x, nil
	case time.Time:
		return x.UTC(), nil
	}
	return nil, fmt.Errorf("unexpected %T", v)
}

func isIntegerType(t string) bool {
	t = strings.ToUpper(t)
	return strings.Contains(t, "INT") || t == "NUMERIC"
}

// encodeRow turns canonical values into what the target's driver stores.
func encodeRow(d dialect, cols []string, row []any) []any {
	out := make([]any, len(row))
	for i, v := range row {
		switch x := v.(type) {
		case time.Time:
			out[i] = d.t(x)
		case bool:
			out[i] = x
			if d.name == "sqlite" {
				out[i] = boolByte(x)
			}
		default:
			out[i] = v
		}
	}
	return out
}

func valueSize(v any) int {
	switch x := v.(type) {
	case string:
		return len(x)
	case []byte:
		return len(x)
	}
	return 8
}

// rowSum is an order-independent checksum of a set of rows: the sum, modulo
// 2^128, of each row's SHA-256 prefix. Rows are unique by their key, so
// equal sums mean equal sets but for a negligible chance.
type rowSum struct{ hi, lo uint64 }

func (s *rowSum) add(cols []string, row []any) {
	h := sha256.New()
	var n [8]byte
	for i, v := range row {
		h.Write([]byte(cols[i]))
		switch x := v.(type) {
		case nil:
			h.Write([]byte{0})
		case string:
			h.Write([]byte{1})
			binary.BigEndian.PutUint64(n[:], uint64(len(x)))
			h.Write(n[:])
			h.Write([]byte(x))
		case []byte:
			h.Write([]byte{2})
			binary.BigEndian.PutUint64(n[:], uint64(len(x)))
			h.Write(n[:])
			h.Write(x)
		case int64:
			h.Write([]byte{3})
			binary.BigEndian.PutUint64(n[:], uint64(x))
			h.Write(n[:])
		case bool:
			h.Write([]byte{4, boolByte(x)})
		case time.Time:
			h.Write([]byte{5})
			binary.BigEndian.PutUint64(n[:], uint64(x.UnixMicro()))
			h.Write(n[:])
		}
	}
	d := h.Sum(nil)
	lo := s.lo + binary.BigEndian.Uint64(d[8:16])
	carry := uint64(0)
	if lo < s.lo {
		carry = 1
	}
	s.lo = lo
	s.hi += binary.BigEndian.Uint64(d[0:8]) + carry
}

func (s rowSum) String() string { return fmt.Sprintf("%016x%016x", s.hi, s.lo) }

func countRows(ctx context.Context, db *sql.DB, table string) (int64, error) {
	var n int64
	err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n)
	return n, err
}

// checkCopyTables fails if the database has a table CopyData does not know.
func (db *DB) checkCopyTables(ctx context.Context) error {
	var q string
	switch db.d.name {
	case "sqlite":
		q = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	case "postgres":
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	default:
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'"
	}
	rows, err := db.r.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	var unknown []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		name = strings.ToLower(name)
		if name == "schema_migrations" || slices.ContainsFunc(copyTables, func(t copyTable) bool { return t.name == name }) {
			continue
		}
		unknown = append(unknown, name)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(unknown) > 0 {
		return fmt.Errorf("the database has tables this copy does not know: %s", strings.Join(unknown, ", "))
	}
	return nil
}

// schemaVersion is the newest migration applied.
func (db *DB) schemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	if err := db.r.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("reading the schema version: %w", err)
	}
	if !v.Valid {
		return 0, errors.New("the database has no schema version")
	}
	return int(v.Int64), nil
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// Checksums returns each table's row count and checksum as CopyData
// computes them ("rows:checksum"): equal maps mean equal data, whichever
// databases hold it.
func Checksums(ctx context.Context, db *DB) (map[string]string, error) {
	out := map[string]string{}
	for _, t := range copyTables {
		n, sum, err := tableChecksum(ctx, db.r, db.d, t.name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
		out[t.name] = fmt.Sprintf("%d:%s", n, sum)
	}
	return out, nil
}
