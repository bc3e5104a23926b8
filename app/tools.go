package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store"
)

// Tools are the operator's commands beside running the server:
// `ask2live version`, `copy-data`, `backup`, `restore` and `admin`.
var tools = map[string]func(ctx context.Context, args []string, out io.Writer) error{
	"admin":     adminTool,
	"version":   versionTool,
	"copy-data": copyDataTool,
	"backup":    backupTool,
	"restore":   restoreTool,
}

// IsTool tells whether the first argument names a tool rather than a flag
// of the server.
func IsTool(name string) bool { _, ok := tools[name]; return ok }

// RunTool runs the named tool; flag.ErrHelp when only help was asked for.
func RunTool(ctx context.Context, name string, args []string, out io.Writer) error {
	return tools[name](ctx, args, out)
}

// Version describes this build: the module version (or "devel"), the
// commit and whether the tree was modified, and the Go version.
func Version() string {
	v, commit, dirty := "devel", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if commit != "" {
		v += " (" + commit
		if dirty {
			v += ", modified"
		}
		v += ")"
	}
	return v + " " + runtime.Version()
}

func versionTool(_ context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(out)
	if err := fs.Parse(args); err != nil {
		return err
	}
	fmt.Fprintln(out, "ask2live", Version())
	return nil
}

func toolFlags(name, usage string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: ask2live %s\n\n%s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
	}
	return fs
}

func parseTool(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see %s -h)", fs.Arg(0), fs.Name())
	}
	return nil
}

func copyDataTool(ctx context.Context, args []string, out io.Writer) error {
	fs := toolFlags("copy-data -from URL -to URL [-resume]",
		"Copies every table from one database to another (sqlite:PATH, postgres://…, mysql://…) in one\n"+
			"consistent snapshot of the source, which may be serving meanwhile, and verifies row counts and\n"+
			"checksums. The target is migrated first and must be empty, unless -resume continues a copy\n"+
			"that was interrupted. Avatars are rows of the database and move with it.", out)
	from := fs.String("from", "", "source database URL")
	to := fs.String("to", "", "target database URL")
	resume := fs.Bool("resume", false, "continue an interrupted copy: keep the rows already in the target")
	if err := parseTool(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errors.New("copy-data needs -from and -to")
	}
	if *from == *to {
		return errors.New("-from and -to name the same database")
	}
	src, err := store.Open(ctx, *from, store.Options{})
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to, store.Options{})
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	defer dst.Close()
	rep, err := store.CopyData(ctx, src, dst, store.CopyOptions{Resume: *resume}, out)
	if err != nil {
		return err
	}
	var rows int64
	for _, t := range rep {
		rows += t.Rows
	}
	fmt.Fprintf(out, "copied %d rows in %d tables; counts and checksums match\n", rows, len(rep))
	return nil
}

// databaseFlags adds the server's -data-dir and -database-url to a tool's
// flags; the function it returns gives the database URL they name (the
// server's default file in -data-dir when no URL is given).
func databaseFlags(fs *flag.FlagSet) func() string {
	dataDir := fs.String("data-dir", "data", "the server's data directory")
	dbURL := fs.String("database-url", "", "the server's database URL (sqlite:PATH, postgres://…, mysql://…), when not the default file in -data-dir")
	return func() string {
		if *dbURL != "" {
			return *dbURL
		}
		return "sqlite:" + filepath.Join(*dataDir, "ask2live.db")
	}
}

// sqliteFile resolves a database URL to a SQLite file, or says why these
// tools do not apply.
func sqliteFile(dbURL string) (string, error) {
	path := store.SQLitePath(dbURL)
	if path == "" {
		return "", errors.New("backup and restore handle the embedded SQLite database; back up PostgreSQL with pg_dump and MySQL with mysqldump (docs/OPERATIONS.md), which hold everything, avatars included")
	}
	return path, nil
}

func backupTool(ctx context.Context, args []string, out io.Writer) error {
	fs := toolFlags("backup -out FILE [-data-dir DIR | -database-url sqlite:PATH]",
		"Writes a consistent copy of the SQLite database (accounts, sessions, questions, chat, avatars)\n"+
			"to a new file while the server keeps running, then checks it.", out)
	dbURL := databaseFlags(fs)
	dst := fs.String("out", "", "the backup file to write (must not exist)")
	if err := parseTool(fs, args); err != nil {
		return err
	}
	if *dst == "" {
		return errors.New("backup needs -out FILE")
	}
	src, err := sqliteFile(dbURL())
	if err != nil {
		return err
	}
	counts, err := store.BackupSQLite(ctx, src, *dst)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "backed up %s to %s: %s\n", src, *dst, describeCounts(counts))
	return nil
}

func restoreTool(ctx context.Context, args []string, out io.Writer) error {
	fs := toolFlags("restore -from FILE [-data-dir DIR | -database-url sqlite:PATH] [-replace]",
		"Checks a backup file and puts it in place of the server's SQLite database. The server must be\n"+
			"stopped (restore refuses while one uses the file); an existing database is replaced only with\n"+
			"-replace.", out)
	dbURL := databaseFlags(fs)
	from := fs.String("from", "", "the backup file")
	replace := fs.Bool("replace", false, "replace an existing database")
	if err := parseTool(fs, args); err != nil {
		return err
	}
	if *from == "" {
		return errors.New("restore needs -from FILE")
	}
	dst, err := sqliteFile(dbURL())
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return err
	}
	unlock, err := store.LockSQLite(dst, true)
	if err != nil {
		return err
	}
	defer unlock()
	counts, err := store.RestoreSQLite(ctx, *from, dst, *replace)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "restored %s from %s: %s\n", dst, *from, describeCounts(counts))
	return nil
}

func describeCounts(counts map[string]int64) string {
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, counts[n])
	}
	return strings.Join(parts, ", ")
}

func adminTool(ctx context.Context, args []string, out io.Writer) error {
	fs := toolFlags("admin grant|revoke USER [-data-dir DIR | -database-url URL]",
		"Grants or revokes the site admin role: admins suspend and delete accounts and end or remove\n"+
			"sessions from the Admin page. Each change is recorded in the audit log, as made from the\n"+
			"command line. A running server sees it within a few seconds (its caches' age).", out)
	dbURL := databaseFlags(fs)
	// The action and the user may come before or after the flags.
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) != 2 || (pos[0] != "grant" && pos[0] != "revoke") {
		fs.Usage()
		return errors.New("want: admin grant USER, or admin revoke USER")
	}
	db, err := store.Open(ctx, dbURL(), store.Options{MaxOpenConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	svc := ask2live.NewService(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	u, err := svc.SetAdmin(ctx, nil, pos[1], pos[0] == "grant")
	if c := ask2live.ErrorCode(err); c == ask2live.ENotFound || c == ask2live.EWrongState {
		return errors.New(ask2live.ErrorMessage(err))
	} else if err != nil {
		return err
	}
	if u.Role == ask2live.RoleAdmin {
		fmt.Fprintf(out, "%s is a site admin\n", u.Username)
	} else {
		fmt.Fprintf(out, "%s is no longer a site admin\n", u.Username)
	}
	return nil
}
