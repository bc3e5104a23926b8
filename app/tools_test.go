package app

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store"
	"github.com/ask2live/ask2live/store/storetest"
)

func runTool(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := RunTool(context.Background(), args[0], args[1:], &out)
	return out.String(), err
}

func TestVersion(t *testing.T) {
	out, err := runTool(t, "version")
	if err != nil || !strings.HasPrefix(out, "ask2live ") || !strings.Contains(out, runtime.Version()) {
		t.Fatalf("version: %q %v", out, err)
	}
	if _, err := runTool(t, "version", "-h"); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("version -h: %v", err)
	}
}

// openSQLite opens a store on a new file in dir.
func openSQLite(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "sqlite:"+path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// consistent checks the counters a write keeps in the same transaction as
// its rows: a backup torn between two writes breaks one of them.
func consistent(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"SELECT COUNT(*) FROM sessions s WHERE question_count != (SELECT COUNT(*) FROM questions q WHERE q.session_id = s.id)",
		"SELECT COUNT(*) FROM questions q WHERE votes != (SELECT COUNT(*) FROM votes v WHERE v.question_id = q.id)",
		"SELECT COUNT(*) FROM sessions s WHERE wish_count != (SELECT COUNT(*) FROM wishes w WHERE w.session_id = s.id)",
	} {
		var bad int
		if err := db.QueryRow(q).Scan(&bad); err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Errorf("%d rows break: %s", bad, q)
		}
	}
}

// TestBackupWhileWritingAndRestore backs up a SQLite database while
// writers ask, vote and wish, checks the backup is whole and consistent,
// restores it into a new data directory, and compares the restored data
// with the backup, table by table. Restoring is refused while a server
// uses the file, and over an existing database unless told.
func TestBackupWhileWritingAndRestore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	db := openSQLite(t, path)
	now := time.Now()
	var users []*ask2live.User
	for i := range 50 {
		u := &ask2live.User{ID: ask2live.NewID(now), Username: fmt.Sprintf("u%02d", i), DisplayName: "사용자", CreatedAt: now}
		if err := db.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	var sessions []string
	for i := range 10 {
		s := &ask2live.Session{ID: ask2live.NewID(now), HostID: users[i].ID, Title: "세션", State: ask2live.StateRecruiting, CreatedAt: now, UpdatedAt: now}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, s.ID)
	}
	if err := db.PutMedia(ctx, "avatars/a.jpg", "image/jpeg", bytes.Repeat([]byte{0xff, 0xd8}, 5000), now); err != nil {
		t.Fatal(err)
	}

	writers := storetest.StartWriters(t, 3, func(w, i int) error {
		sid := sessions[(i+w)%len(sessions)]
		u := users[10+(i*7+w)%(len(users)-10)] // not a host: hosts may not wish their own session
		q := &ask2live.Question{ID: ask2live.NewID(time.Now()), SessionID: sid, AuthorID: u.ID, Kind: ask2live.KindText,
			Text: "백업 중 질문", State: ask2live.QuestionOpen, Phase: ask2live.PhasePre, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := db.CreateQuestion(ctx, q); err != nil {
			return err
		}
		if _, _, err := db.Vote(ctx, q.ID, users[10+(i*7+w+1)%(len(users)-10)].ID); err != nil { // not the author
			return err
		}
		_, _, err := db.Wish(ctx, sid, u.ID, time.Now())
		return err
	})
	writers.Wait(30)
	bak := filepath.Join(t.TempDir(), "ask2live-backup.db")
	out, err := runTool(t, "backup", "-database-url", "sqlite:"+path, "-out", bak)
	before := writers.Count()
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	writers.Wait(before + 30)
	writers.Stop()
	t.Log(strings.TrimSpace(out))
	consistent(t, bak)
	if _, err := runTool(t, "backup", "-database-url", "sqlite:"+path, "-out", bak); err == nil {
		t.Fatal("a backup over an existing file was written")
	}

	// The backup holds some writes, not all.
	backup := openSQLite(t, bak)
	want, err := store.Checksums(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	live, _ := store.Checksums(ctx, db)
	if want["questions"] == live["questions"] || strings.HasPrefix(want["questions"], "0:") {
		t.Fatalf("the backup (%s questions) was not taken while writing (%s)", want["questions"], live["questions"])
	}
	backup.Close()

	restored := t.TempDir()
	if _, err := runTool(t, "restore", "-data-dir", restored, "-from", bak); err != nil {
		t.Fatalf("restore: %v", err)
	}
	got, err := store.Checksums(ctx, openSQLite(t, filepath.Join(restored, "ask2live.db")))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("restored data differs from the backup:\n got %v\nwant %v", got, want)
	}

	// A running server holds the file: restore waits for it to stop.
	serving := "sqlite:" + filepath.Join(restored, "ask2live.db")
	_, stopServer := boot(t, serving)
	if _, err := runTool(t, "restore", "-database-url", serving, "-from", bak, "-replace"); err == nil || !strings.Contains(err.Error(), "stop it first") {
		t.Fatalf("restore under a running server: %v", err)
	}
	if err := stopServer(); err != nil {
		t.Fatal(err)
	}
	if _, err := runTool(t, "restore", "-database-url", serving, "-from", bak, "-replace"); err != nil {
		t.Fatalf("restore once the server stopped: %v", err)
	}
	// Over an existing database only when told.
	other := filepath.Join(t.TempDir(), "other.db")
	openSQLite(t, other).Close()
	if _, err := runTool(t, "restore", "-database-url", "sqlite:"+other, "-from", bak); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("restore over an existing database: %v", err)
	}
	if _, err := runTool(t, "restore", "-database-url", "sqlite:"+other, "-from", bak, "-replace"); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.Checksums(ctx, openSQLite(t, other)); !reflect.DeepEqual(got, want) {
		t.Fatal("the replaced database differs from the backup")
	}
	// A file that is not a backup is refused before anything is touched.
	if _, err := runTool(t, "restore", "-database-url", "sqlite:"+other, "-from", filepath.Join(dir, "live.db.lock"), "-replace"); err == nil {
		t.Fatal("restored from a file that is not a database")
	}
}

// TestCopyDataCommand copies through the command line and refuses to copy
// twice into the same target.
func TestCopyDataCommand(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(t.TempDir(), "src.db")
	db := openSQLite(t, src)
	now := time.Now()
	if err := db.CreateUser(ctx, &ask2live.User{ID: ask2live.NewID(now), Username: "host", DisplayName: "호스트", CreatedAt: now}, "x"); err != nil {
		t.Fatal(err)
	}
	dst := "sqlite:" + filepath.Join(t.TempDir(), "dst.db")
	out, err := runTool(t, "copy-data", "-from", "sqlite:"+src, "-to", dst)
	if err != nil || !strings.Contains(out, "checksums match") {
		t.Fatalf("copy-data: %v\n%s", err, out)
	}
	if _, err := runTool(t, "copy-data", "-from", "sqlite:"+src, "-to", dst); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("second copy: %v", err)
	}
	if _, err := runTool(t, "copy-data", "-from", "sqlite:"+src, "-to", dst, "-resume"); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if _, err := runTool(t, "backup", "-database-url", "postgres://x@127.0.0.1/y", "-out", "z"); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup of PostgreSQL: %v", err)
	}
}

// TestAdminTool grants and revokes the admin role on the command line,
// before or after the flags, records each change as the command line's in
// the audit log, and refuses an unknown user clearly.
func TestAdminTool(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLite(t, filepath.Join(dir, "ask2live.db"))
	svc := ask2live.NewService(db, nil)
	svc.Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	if _, _, err := svc.Register(ctx, ask2live.RegisterInput{Username: "kim", Password: "password-kim"}, ask2live.TokenBearer); err != nil {
		t.Fatal(err)
	}
	out, err := runTool(t, "admin", "grant", "KIM", "-data-dir", dir)
	if err != nil || !strings.Contains(out, "kim is a site admin") {
		t.Fatalf("grant: %q %v", out, err)
	}
	if u, _ := db.UserByUsername(ctx, "kim"); !u.IsAdmin() {
		t.Fatal("kim is not an admin after grant")
	}
	out, err = runTool(t, "admin", "-database-url", "sqlite:"+filepath.Join(dir, "ask2live.db"), "revoke", "kim")
	if err != nil || !strings.Contains(out, "no longer") {
		t.Fatalf("revoke: %q %v", out, err)
	}
	if u, _ := db.UserByUsername(ctx, "kim"); u.IsAdmin() {
		t.Fatal("kim is still an admin after revoke")
	}
	log, err := db.AuditLog(ctx, "", 10)
	if err != nil || len(log.Items) != 2 || log.Items[0].Action != ask2live.AuditRevokeAdmin || log.Items[1].Action != ask2live.AuditGrantAdmin ||
		log.Items[0].Actor != nil || log.Items[0].Target != "kim" {
		t.Fatalf("audit log: %+v %v", log, err)
	}
	if _, err := runTool(t, "admin", "grant", "nobody", "-data-dir", dir); err == nil || !strings.Contains(err.Error(), `no user "nobody"`) {
		t.Fatalf("unknown user: %v", err)
	}
	for _, args := range [][]string{{"admin"}, {"admin", "grant"}, {"admin", "promote", "kim"}, {"admin", "grant", "kim", "lee"}} {
		if _, err := runTool(t, append(args, "-data-dir", dir)...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
}
