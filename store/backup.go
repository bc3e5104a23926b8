package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// BackupSQLite writes a consistent copy of the SQLite database at src to
// the new file dst while servers may be reading and writing it: SQLite's
// VACUUM INTO reads one snapshot (a read transaction, which in WAL mode
// never blocks the writer) and writes it compacted. The copy is then
// opened and checked (integrity, and the schema CopyData knows), and its
// row counts returned. Avatars are rows of the database, so they are in it.
func BackupSQLite(ctx context.Context, src, dst string) (map[string]int64, error) {
	if _, err := os.Stat(src); err != nil {
		return nil, fmt.Errorf("the database to back up: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		return nil, fmt.Errorf("%s exists already: back up to a new file", dst)
	}
	db, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// Written next to its final name and renamed when whole, so a failed
	// backup never leaves a file that looks like one.
	tmp := dst + ".partial"
	_ = os.Remove(tmp)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("copying the database: %w", err)
	}
	counts, err := CheckSQLite(ctx, tmp)
	if err == nil {
		err = syncFile(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, dst)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return nil, err
	}
	return counts, syncDir(filepath.Dir(dst))
}

// CheckSQLite opens a database file read-only, runs SQLite's integrity
// check, and counts the rows of every table CopyData knows.
func CheckSQLite(ctx context.Context, path string) (map[string]int64, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return nil, fmt.Errorf("%s is not a readable SQLite database: %w", path, err)
	}
	if res != "ok" {
		return nil, fmt.Errorf("%s fails SQLite's integrity check: %s", path, res)
	}
	counts := map[string]int64{}
	for _, t := range copyTables {
		n, err := countRows(ctx, db, t.name)
		if err != nil {
			return nil, fmt.Errorf("%s is not an ask2live database (%s): %w", path, t.name, err)
		}
		counts[t.name] = n
	}
	return counts, nil
}

// RestoreSQLite puts the backup file at dst (a server's database path),
// after checking it. An existing database is only replaced with replace;
// its write-ahead log goes with it. No server may be running on dst: the
// caller holds the data directory's lock (see LockDataDir).
func RestoreSQLite(ctx context.Context, backup, dst string, replace bool) (map[string]int64, error) {
	counts, err := CheckSQLite(ctx, backup)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(dst); err == nil && !replace {
		return nil, fmt.Errorf("%s exists: restoring would replace it (say so to go ahead)", dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return nil, err
	}
	tmp := dst + ".restoring"
	if err := copyFile(backup, tmp); err != nil {
		_ = os.Remove(tmp)
		return nil, err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dst + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			_ = os.Remove(tmp)
			return nil, err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return nil, err
	}
	return counts, syncDir(filepath.Dir(dst))
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

// SQLitePath returns the file of a sqlite: database URL, or "" for others.
func SQLitePath(rawURL string) string {
	if p, ok := strings.CutPrefix(rawURL, "sqlite:"); ok {
		return p
	}
	return ""
}
