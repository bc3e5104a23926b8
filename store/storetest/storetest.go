// Package storetest gives tests a fresh, isolated database on each backend:
// SQLite always; PostgreSQL and MySQL when ASK2LIVE_TEST_POSTGRES_URL and
// ASK2LIVE_TEST_MYSQL_URL are set. With CI=true a missing URL fails the test
// instead of skipping the backend. The multi-node tests get the Redis of
// ASK2LIVE_TEST_REDIS_URL with a key prefix of their own, emptied after them.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	goredis "github.com/redis/go-redis/v9"

	"github.com/ask2live/ask2live/store"
)

// Environment variables naming the test servers.
const (
	PostgresEnv = "ASK2LIVE_TEST_POSTGRES_URL"
	MySQLEnv    = "ASK2LIVE_TEST_MYSQL_URL"
	RedisEnv    = "ASK2LIVE_TEST_REDIS_URL"
)

// redisURL returns the test Redis for the multi-node tests; without one the
// test is skipped, or fails when CI=true.
func redisURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(RedisEnv)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the multi-node tests", RedisEnv)
		}
		t.Skipf("%s is not set", RedisEnv)
	}
	return u
}

// RedisKeyPrefix starts the key prefix of every test (see Redis).
const RedisKeyPrefix = "a2l-test:"

// Redis returns the test Redis and a key prefix of the test's own. Every key
// under the prefix is deleted when the test ends (after the clean-ups the
// test registers later, such as stopping its nodes), so a test leaves
// nothing behind in the shared Redis whether it passes or fails.
func Redis(t testing.TB) (url, prefix string) {
	t.Helper()
	url = redisURL(t)
	prefix = RedisKeyPrefix + randomHex(8) + ":"
	opts, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		rdb := goredis.NewClient(opts)
		defer rdb.Close()
		// The prefix's own keys, and the rate limits' ("rate:" + prefix,
		// the form go-redis/redis_rate gives its keys).
		for _, p := range []string{prefix, "rate:" + prefix} {
			if err := deleteKeys(context.Background(), rdb, p); err != nil {
				t.Errorf("deleting the test's Redis keys %s*: %v", p, err)
			}
		}
	})
	return url, prefix
}

// RedisPrefix is Redis for tests that need only the prefix (their code
// finds the test Redis by RedisEnv itself).
func RedisPrefix(t testing.TB) string {
	t.Helper()
	_, prefix := Redis(t)
	return prefix
}

// deleteKeys deletes the keys starting with prefix (which has no glob
// characters), scanning rather than blocking the server with KEYS.
func deleteKeys(ctx context.Context, rdb *goredis.Client, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return rdb.Unlink(ctx, batch...).Err()
	}
	return nil
}

// Backends returns the backends to run against.
func Backends(t testing.TB) []string {
	out := []string{"sqlite"}
	for _, b := range []struct{ name, env string }{{"postgres", PostgresEnv}, {"mysql", MySQLEnv}} {
		if os.Getenv(b.env) != "" {
			out = append(out, b.name)
		} else if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the %s suite", b.env, b.name)
		}
	}
	return out
}

// Run runs fn as a subtest per backend.
func Run(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range Backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}

// URL creates a fresh empty database (SQLite file, PostgreSQL schema or
// MySQL database) for the test and returns its URL; it is dropped when the
// test ends.
func URL(t testing.TB, backend string) string {
	t.Helper()
	name := "a2l_t_" + randomHex(6)
	switch backend {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "ask2live.db")
	case "postgres":
		base := os.Getenv(PostgresEnv)
		admin := sqlOpen(t, "pgx", base)
		mustExec(t, admin, "CREATE SCHEMA "+name)
		t.Cleanup(func() {
			mustExec(t, admin, "DROP SCHEMA "+name+" CASCADE")
			admin.Close()
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", name)
		u.RawQuery = q.Encode()
		return u.String()
	case "mysql":
		base := os.Getenv(MySQLEnv)
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		cfg := mysql.NewConfig()
		cfg.Net, cfg.Addr = "tcp", u.Host
		if u.User != nil {
			cfg.User = u.User.Username()
			cfg.Passwd, _ = u.User.Password()
		}
		admin := sqlOpen(t, "mysql", cfg.FormatDSN())
		mustExec(t, admin, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
		t.Cleanup(func() {
			mustExec(t, admin, "DROP DATABASE "+name)
			admin.Close()
		})
		u.Path = "/" + name
		return u.String()
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

// Open opens a fresh database for the test, closed when the test ends.
func Open(t testing.TB, backend string) *store.DB {
	t.Helper()
	return OpenURL(t, URL(t, backend))
}

// OpenURL opens the database at a URL from URL, closed when the test ends.
func OpenURL(t testing.TB, rawURL string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), rawURL, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", strings.Split(rawURL, ":")[0], err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func sqlOpen(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func mustExec(t testing.TB, db *sql.DB, stmt string) {
	t.Helper()
	if _, err := db.Exec(stmt); err != nil && !strings.Contains(err.Error(), "database is closed") {
		t.Fatalf("%s: %v", stmt, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Digest describes every table of the database at url — its row count and
// a hash of its rows — so a test can check that requests it expects to be
// refused stored nothing. Tables named in skip are left out.
func Digest(t testing.TB, rawURL string, skip ...string) string {
	t.Helper()
	var db *sql.DB
	var list string
	switch {
	case strings.HasPrefix(rawURL, "sqlite:"):
		db = sqlOpen(t, "sqlite", "file:"+strings.TrimPrefix(rawURL, "sqlite:")+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
		list = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	case strings.HasPrefix(rawURL, "postgres"):
		db = sqlOpen(t, "pgx", rawURL)
		list = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
	case strings.HasPrefix(rawURL, "mysql:"):
		u, err := url.Parse(rawURL)
		if err != nil {
			t.Fatal(err)
		}
		cfg := mysql.NewConfig()
		cfg.Net, cfg.Addr, cfg.DBName = "tcp", u.Host, strings.TrimPrefix(u.Path, "/")
		if u.User != nil {
			cfg.User = u.User.Username()
			cfg.Passwd, _ = u.User.Password()
		}
		db = sqlOpen(t, "mysql", cfg.FormatDSN())
		list = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
	default:
		t.Fatalf("digest: unknown database url %q", rawURL)
	}
	defer db.Close()
	tables := queryStrings(t, db, list)
	sort.Strings(tables)
	var out []string
	for _, table := range tables {
		if slices.Contains(skip, table) {
			continue
		}
		rows := queryStrings(t, db, "SELECT * FROM "+table)
		sort.Strings(rows)
		sum := sha256.Sum256([]byte(strings.Join(rows, "\n")))
		out = append(out, fmt.Sprintf("%s:%d:%x", table, len(rows), sum[:4]))
	}
	return strings.Join(out, " ")
}

// queryStrings returns each row of a query as one string.
func queryStrings(t testing.TB, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('|')
			}
			if raw, ok := v.([]byte); ok {
				v = string(raw)
			}
			fmt.Fprint(&b, v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
