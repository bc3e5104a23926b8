package storetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisServer is a Redis of a test's own, for tests that stop and restart
// it (never the machine's shared one). It keeps nothing on disk, so a
// restart starts it empty.
type RedisServer struct {
	t    testing.TB
	Port int
	dir  string
	cmd  *exec.Cmd
}

// StartRedis starts redis-server on a free loopback port; it is stopped
// when the test ends. Without redis-server the test is skipped, or fails
// when CI=true.
func StartRedis(t testing.TB) *RedisServer {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed: CI must run the fault tests")
		}
		t.Skip("redis-server is not installed")
	}
	s := &RedisServer{t: t, Port: freePort(t), dir: t.TempDir()}
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

// URL is the server's redis:// address.
func (s *RedisServer) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", s.Port) }

// Start starts the server (again) and waits until it answers.
func (s *RedisServer) Start() {
	s.t.Helper()
	s.cmd = exec.Command("redis-server", "--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", s.Port), MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("redis-server on port %d did not start: %v", s.Port, err)
		}
		time.Sleep(10 * time.Millisecond) // polling a process that is starting
	}
}

// Kill stops the server at once (SIGKILL): what it held is gone.
func (s *RedisServer) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// PostgresServer is a PostgreSQL of a test's own, for tests that stop and
// restart it (never the machine's shared one). Its data lives in the
// test's temporary folder; it runs as the postgres user.
type PostgresServer struct {
	t    testing.TB
	Port int
	dir  string
	bin  string
	cmd  *exec.Cmd
}

// StartPostgres initialises a cluster and starts it on a free loopback
// port; it is stopped when the test ends. Without the PostgreSQL server
// binaries the test is skipped, or fails when CI=true.
func StartPostgres(t testing.TB) *PostgresServer {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	_, errUser := user.Lookup("postgres")
	if len(bins) == 0 || errUser != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the PostgreSQL server is not installed: CI must run the fault tests")
		}
		t.Skip("the PostgreSQL server is not installed")
	}
	// The folder must belong to postgres: a temporary folder of its own,
	// removed when the test ends.
	dir, err := os.MkdirTemp("", "a2l-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s := &PostgresServer{t: t, Port: freePort(t), bin: filepath.Dir(bins[len(bins)-1]), dir: dir}
	if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v: %s", err, out)
	}
	if out, err := s.asPostgres(filepath.Join(s.bin, "initdb"), "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v: %s", err, out)
	}
	s.Start()
	t.Cleanup(s.Kill)
	return s
}

// asPostgres runs a command as the postgres user when the test runs as root
// (PostgreSQL refuses to run as root).
func (s *PostgresServer) asPostgres(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			s.t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		cmd.Dir = s.dir
	}
	return cmd
}

// URL is the server's postgres:// address.
func (s *PostgresServer) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
}

// Start starts the server (again) and waits until it accepts connections.
func (s *PostgresServer) Start() {
	s.t.Helper()
	s.cmd = s.asPostgres(filepath.Join(s.bin, "postgres"), "-D", filepath.Join(s.dir, "data"), "-p", strconv.Itoa(s.Port),
		// fsync off: a killed server keeps what the kernel holds, and the
		// tests never crash the machine. Commits stay synchronous: with
		// synchronous_commit off, an immediate shutdown loses the last
		// acknowledged commits, a database no one runs in production (a
		// session created just before the kill vanished, and the room's
		// next chat broke its foreign key).
		"-k", s.dir, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off")
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := exec.Command(filepath.Join(s.bin, "pg_isready"), "-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-t", "1").Run()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("postgres on port %d did not start: %v", s.Port, err)
		}
		time.Sleep(20 * time.Millisecond) // polling a process that is starting
	}
}

// Kill stops the server at once (an immediate shutdown: no checkpoint, the
// next start recovers from the log) and waits for it to exit.
func (s *PostgresServer) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	_ = s.cmd.Wait()
	s.cmd = nil
}
