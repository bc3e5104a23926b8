// Package storetest gives tests a fresh, isolated database on each backend:
// SQLite always; PostgreSQL and MySQL when ASK2LIVE_TEST_POSTGRES_URL and
// ASK2LIVE_TEST_MYSQL_URL are set. With CI=true a missing URL fails the test
// instead of skipping the backend.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"

	"github.com/ask2live/ask2live/store"
)

// Environment variables naming the test servers.
const (
	PostgresEnv = "ASK2LIVE_TEST_POSTGRES_URL"
	MySQLEnv    = "ASK2LIVE_TEST_MYSQL_URL"
	RedisEnv    = "ASK2LIVE_TEST_REDIS_URL"
)

// RedisURL returns the test Redis for the multi-node tests; without one the
// test is skipped, or fails when CI=true.
func RedisURL(t testing.TB) string {
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

// RedisPrefix returns a fresh key prefix on the test Redis (see RedisURL)
// and deletes every key made under it when the test ends: the prefix's own
// and the rate limits' ("rate:" + prefix, the form go-redis/redis_rate
// gives its keys).
func RedisPrefix(t testing.TB) string {
	t.Helper()
	opts, err := redis.ParseURL(RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	prefix := "a2l-test-" + randomHex(6) + ":"
	t.Cleanup(func() {
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		ctx := context.Background()
		for _, pattern := range []string{prefix + "*", "rate:" + prefix + "*"} {
			keys, err := rdb.Keys(ctx, pattern).Result()
			if err != nil {
				t.Error(err)
			}
			if len(keys) > 0 {
				rdb.Del(ctx, keys...)
			}
		}
	})
	return prefix
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
	db, err := store.Open(context.Background(), URL(t, backend), store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
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
