package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store"
	"github.com/ask2live/ask2live/store/storetest"
)

// community fills db with a generated community: users (some with
// avatars and profiles), sessions in every state, pre- and live questions
// with votes and answers, wishes, chat, participations, credentials, live
// command records and removals. Text mixes Korean, English and emoji.
type community struct {
	users    []*ask2live.User
	sessions []*ask2live.Session
	media    []string
}

func generate(t *testing.T, db *store.DB, users, sessions, questionsPer int) *community {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	c := &community{}
	base := time.Date(2026, 11, 1, 9, 0, 0, 123456000, time.UTC)
	at := func(min int) time.Time {
		return base.Add(time.Duration(min)*time.Minute + time.Duration(rng.IntN(1e6))*time.Microsecond)
	}
	words := []string{"고루틴", "채널", "뮤텍스", "latency", "queue", "데이터베이스", "🎙️", "Q&A", "배포", "index"}
	text := func(n int) string {
		var b strings.Builder
		for i := range n {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	for i := range users {
		u := &ask2live.User{ID: ask2live.NewID(at(i)), Username: fmt.Sprintf("user%05d", i), DisplayName: "사용자 " + text(1), CreatedAt: at(i)}
		if err := db.CreateUser(ctx, u, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$"+fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
		if i%7 == 0 {
			u.Company, u.WorkField, u.Bio = "Gopher Works", "Backend", text(12)
			if i%21 == 0 {
				key := fmt.Sprintf("avatars/%05d.jpg", i)
				data := make([]byte, 2000+rng.IntN(30000))
				for j := range data {
					data[j] = byte(rng.IntN(256))
				}
				if err := db.PutMedia(ctx, key, "image/jpeg", data, at(i)); err != nil {
					t.Fatal(err)
				}
				u.AvatarURL = ask2live.MediaURLPrefix + key
				c.media = append(c.media, key)
			}
			if err := db.UpdateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		if i%10 == 0 {
			tok := &ask2live.AuthToken{Hash: fmt.Sprintf("%064x", i), UserID: u.ID, Kind: "cookie", CreatedAt: at(i), ExpiresAt: at(i + 60*24*30)}
			if err := db.CreateToken(ctx, tok); err != nil {
				t.Fatal(err)
			}
			if err := db.SetCalendarFeed(ctx, u.ID, fmt.Sprintf("%064x", i+1<<20), at(i)); err != nil {
				t.Fatal(err)
			}
		}
		c.users = append(c.users, u)
	}
	// Site administration: an admin granted on the command line, suspended
	// and deleted accounts, and their audit entries.
	admin := c.users[1]
	if err := db.SetRole(ctx, admin.ID, ask2live.RoleAdmin, &ask2live.AuditEntry{ID: ask2live.NewID(at(1)), Action: ask2live.AuditGrantAdmin,
		TargetType: ask2live.AuditTargetUser, TargetID: admin.ID, CreatedAt: at(1)}); err != nil {
		t.Fatal(err)
	}
	for i := 2; i < len(c.users); i += 97 {
		e := &ask2live.AuditEntry{ID: ask2live.NewID(at(i)), ActorID: admin.ID, Action: ask2live.AuditSuspendUser,
			TargetType: ask2live.AuditTargetUser, TargetID: c.users[i].ID, Detail: "스팸 🚫", CreatedAt: at(i)}
		when := at(i)
		if err := db.SetSuspended(ctx, c.users[i].ID, &when, e); err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			e := &ask2live.AuditEntry{ID: ask2live.NewID(at(i + 1)), ActorID: admin.ID, Action: ask2live.AuditDeleteUser,
				TargetType: ask2live.AuditTargetUser, TargetID: c.users[i].ID, CreatedAt: at(i + 1)}
			if err := db.DeleteAccount(ctx, c.users[i].ID, at(i+1), e); err != nil {
				t.Fatal(err)
			}
		}
	}
	states := []ask2live.SessionState{ask2live.StateRecruiting, ask2live.StateScheduled, ask2live.StateLive, ask2live.StateEnded, ask2live.StateCancelled}
	for i := range sessions {
		host := c.users[rng.IntN(len(c.users))]
		starts := at(60 * 24 * (i % 40))
		s := &ask2live.Session{ID: ask2live.NewID(at(i)), HostID: host.ID, Title: text(4), Description: text(20),
			State: ask2live.StateRecruiting, StartsAt: &starts, TargetGuests: rng.IntN(20), CreatedAt: at(i), UpdatedAt: at(i)}
		if i%9 == 0 {
			s.StartsAt = nil
		}
		s.AllowAnonymous = i%3 == 0
		s.ChatSlowSeconds = 30 * (i % 4)
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		for range rng.IntN(12) {
			w := c.users[rng.IntN(len(c.users))]
			if w.ID == host.ID {
				continue // hosts may not wish their own session
			}
			if _, _, err := db.Wish(ctx, s.ID, w.ID, at(i+1)); err != nil {
				t.Fatal(err)
			}
		}
		var qs []*ask2live.Question
		for j := range questionsPer {
			q := &ask2live.Question{ID: ask2live.NewID(at(i + j)), SessionID: s.ID, AuthorID: c.users[rng.IntN(len(c.users))].ID,
				Kind: ask2live.KindText, Text: text(1 + rng.IntN(15)), State: ask2live.QuestionOpen, Phase: ask2live.PhasePre, CreatedAt: at(i + j), UpdatedAt: at(i + j),
				Anonymous: s.AllowAnonymous && j%2 == 0}
			if err := db.CreateQuestion(ctx, q); err != nil {
				t.Fatal(err)
			}
			for range rng.IntN(4) {
				v := c.users[rng.IntN(len(c.users))]
				if v.ID == q.AuthorID {
					continue // authors may not vote for their own question
				}
				if _, _, err := db.Vote(ctx, q.ID, v.ID); err != nil {
					t.Fatal(err)
				}
			}
			qs = append(qs, q)
		}
		to := states[i%len(states)]
		row, err := db.SessionRow(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.State = row.State // wishes move it to ready
		switch to {
		case ask2live.StateScheduled, ask2live.StateCancelled:
			if _, err := db.TransitionSession(ctx, s.ID, []ask2live.SessionState{s.State}, to, at(i+5)); err != nil {
				t.Fatal(err)
			}
		case ask2live.StateLive, ask2live.StateEnded:
			if _, err := db.TransitionSession(ctx, s.ID, []ask2live.SessionState{s.State}, ask2live.StateLive, at(i+5)); err != nil {
				t.Fatal(err)
			}
			voice := &ask2live.Question{ID: ask2live.NewID(at(i + 9)), SessionID: s.ID, AuthorID: c.users[rng.IntN(len(c.users))].ID,
				Kind: ask2live.KindVoice, State: ask2live.QuestionOpen, Phase: ask2live.PhaseLive, CreatedAt: at(i + 9), UpdatedAt: at(i + 9)}
			if err := db.CreateQuestion(ctx, voice); err != nil {
				t.Fatal(err)
			}
			for k, q := range qs {
				if k%3 == 0 {
					if _, err := db.SetQuestionState(ctx, q.ID, ask2live.QuestionAnswered, at(i+10+k)); err != nil {
						t.Fatal(err)
					}
				}
			}
			var firstChat string
			for k := range 8 {
				u := c.users[rng.IntN(len(c.users))]
				m := &ask2live.ChatMessage{ID: ask2live.NewID(at(i + 20 + k)), SessionID: s.ID, SenderID: u.ID, Text: text(6), CreatedAt: at(i + 20 + k)}
				if err := db.AddChatMessage(ctx, m); err != nil {
					t.Fatal(err)
				}
				if k == 0 {
					firstChat = m.ID
				}
				if err := db.RecordJoin(ctx, &ask2live.Participation{SessionID: s.ID, UserID: u.ID, JoinedAt: at(i + 6)}); err != nil {
					t.Fatal(err)
				}
			}
			if err := db.DeleteChatMessage(ctx, s.ID, firstChat); err != nil {
				t.Fatal(err)
			}
			if err := db.SaveStage(ctx, s.ID, []byte(`{"on_air":["`+host.Username+`"]}`)); err != nil {
				t.Fatal(err)
			}
			k := ask2live.CommandKey{SessionID: s.ID, UserID: host.ID, CID: "c1"}
			if _, _, _, err := db.ClaimCommand(ctx, k, at(i+7)); err != nil {
				t.Fatal(err)
			}
			if err := db.CompleteCommand(ctx, k, []byte(`{"type":"ack","cid":"c1"}`)); err != nil {
				t.Fatal(err)
			}
			if err := db.SetRemoved(ctx, s.ID, c.users[rng.IntN(len(c.users))].ID, true, at(i+8)); err != nil {
				t.Fatal(err)
			}
			if err := db.SetTeamRole(ctx, s.ID, c.users[rng.IntN(len(c.users))].ID, ask2live.TeamModerator, at(i+9)); err != nil {
				t.Fatal(err)
			}
			if to == ask2live.StateEnded {
				if _, err := db.TransitionSession(ctx, s.ID, []ask2live.SessionState{ask2live.StateLive}, to, at(i+90)); err != nil {
					t.Fatal(err)
				}
			}
		}
		c.sessions = append(c.sessions, s)
	}
	return c
}

// reads is what the API serves from a database, as JSON: every list page,
// every session and its questions and chat as seen by a few viewers, users
// and their wishes, and every media file.
func reads(t *testing.T, db *store.DB, c *community) string {
	t.Helper()
	ctx := context.Background()
	var out strings.Builder
	put := func(what string, v any, err error) {
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		b, _ := json.Marshal(v)
		fmt.Fprintf(&out, "%s %s\n", what, b)
	}
	viewers := []string{"", c.users[0].ID, c.users[len(c.users)/2].ID}
	for _, v := range viewers {
		f := ask2live.SessionFilter{ViewerID: v, Limit: 50}
		for {
			p, err := db.ListSessions(ctx, f)
			put("list", p, err)
			if p.NextCursor == "" {
				break
			}
			f.Cursor = p.NextCursor
		}
		for _, s := range c.sessions {
			got, err := db.SessionByID(ctx, s.ID, v)
			put("session "+s.ID, got, err)
			qs, err := db.ListQuestions(ctx, s.ID, v)
			put("questions "+s.ID, qs, err)
		}
	}
	for _, s := range c.sessions {
		chat, err := db.RecentChat(ctx, s.ID, 100)
		put("chat "+s.ID, chat, err)
		st, err := db.Stage(ctx, s.ID)
		put("stage "+s.ID, string(st), err)
		rm, err := db.Removals(ctx, s.ID)
		put("removals "+s.ID, rm, err)
		team, err := db.Team(ctx, s.ID)
		put("team "+s.ID, team, err)
	}
	for i, u := range c.users {
		if i%5 != 0 {
			continue
		}
		got, err := db.UserByUsername(ctx, u.Username)
		put("user", got, err)
		w, err := db.Wishes(ctx, u.ID)
		put("wishes", w, err)
		// Calendars: the feed, and each session's sequence (not in the
		// sessions' JSON).
		if at, err := db.CalendarFeedCreated(ctx, u.ID); ask2live.ErrorCode(err) != ask2live.ENotFound {
			put("calendar feed", at, err)
		}
		cal, err := db.CalendarSessions(ctx, u.ID, time.Time{}, 500)
		var seqs []string
		for _, s := range cal {
			seqs = append(seqs, fmt.Sprintf("%s:%d", s.ID, s.CalendarSequence))
		}
		put("calendar", seqs, err)
	}
	for _, k := range c.media {
		ct, data, mod, err := db.Media(ctx, k)
		put("media "+k, []any{ct, data, mod}, err)
	}
	// What only the site administration sees: roles, suspensions,
	// deletions and the audit log.
	uf := ask2live.AdminUserFilter{Limit: 100}
	for {
		p, err := db.AdminUsers(ctx, uf)
		put("admin users", p, err)
		if p.NextCursor == "" {
			break
		}
		uf.Cursor = p.NextCursor
	}
	for cur := ""; ; {
		p, err := db.AuditLog(ctx, cur, 10)
		put("audit", p, err)
		if cur = p.NextCursor; cur == "" {
			break
		}
	}
	return out.String()
}

func copyData(t *testing.T, from, to *store.DB, opts store.CopyOptions) []store.TableCopy {
	t.Helper()
	var log strings.Builder
	rep, err := store.CopyData(context.Background(), from, to, opts, &log)
	if err != nil {
		t.Fatalf("copy: %v\n%s", err, log.String())
	}
	return rep
}

// TestCopyDataBetweenEveryPairOfDatabases copies a generated community
// from SQLite to PostgreSQL to MySQL and back to SQLite, and the other way
// round, so every database is read from and written to by every other;
// after each copy the target answers every read exactly as the source.
func TestCopyDataBetweenEveryPairOfDatabases(t *testing.T) {
	backends := storetest.Backends(t)
	if len(backends) < 3 {
		t.Log("PostgreSQL or MySQL not configured: copying between SQLite files only")
	}
	src := storetest.Open(t, "sqlite")
	c := generate(t, src, 2000, 120, 12)
	want := reads(t, src, c)
	rep := copyData(t, src, storetest.Open(t, "sqlite"), store.CopyOptions{})
	total := map[string]int64{}
	for _, tc := range rep {
		total[tc.Table] = tc.Rows
	}
	for _, table := range []string{"users", "sessions", "questions", "votes", "wishes", "chat_messages", "participations", "media", "auth_tokens", "live_commands", "live_removals", "audit_log", "calendar_feeds", "session_team"} {
		if total[table] == 0 {
			t.Errorf("the generated data has no %s: the copy of that table is not tested", table)
		}
	}
	t.Logf("rows: %v", total)

	chains := [][]string{{"postgres", "mysql", "sqlite"}, {"mysql", "postgres", "sqlite"}}
	for _, chain := range chains {
		t.Run(strings.Join(append([]string{"sqlite"}, chain...), "→"), func(t *testing.T) {
			from := src
			for _, b := range chain {
				if !contains(backends, b) {
					continue
				}
				to := storetest.Open(t, b)
				copyData(t, from, to, store.CopyOptions{BatchRows: 333})
				if got := reads(t, to, c); got != want {
					t.Fatalf("%s answers differently from the source after the copy:\n%s", b, firstDiff(want, got))
				}
				from = to
			}
		})
	}
}

// TestCopyDataRefusesAndResumes: a non-empty target is refused unless the
// copy resumes; an interrupted copy run again with Resume completes it; a
// table the copy does not know stops it before anything is written.
func TestCopyDataRefusesAndResumes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		src := storetest.Open(t, "sqlite")
		c := generate(t, src, 200, 20, 5)
		want := reads(t, src, c)
		dst := storetest.Open(t, backend)
		copyData(t, src, dst, store.CopyOptions{})

		_, err := store.CopyData(ctx, src, dst, store.CopyOptions{}, nil)
		if err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("a second copy into a filled target: %v, want a refusal", err)
		}

		// An interruption: the target lost its later rows.
		for _, s := range c.sessions[len(c.sessions)-3:] {
			if err := dst.DeleteSessionForTest(ctx, s.ID); err != nil {
				t.Fatal(err)
			}
		}
		rep := copyData(t, src, dst, store.CopyOptions{Resume: true})
		var inserted int64
		for _, tc := range rep {
			inserted += tc.Inserted
		}
		if inserted == 0 {
			t.Fatal("resuming wrote nothing")
		}
		if got := reads(t, dst, c); got != want {
			t.Fatalf("after resuming:\n%s", firstDiff(want, got))
		}

		other := storetest.Open(t, backend)
		if err := other.ExecForTest(ctx, "CREATE TABLE notes (id VARCHAR(10) PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		if _, err := store.CopyData(ctx, src, other, store.CopyOptions{}, nil); err == nil || !strings.Contains(err.Error(), "notes") {
			t.Fatalf("copy into a database with an unknown table: %v", err)
		}
	})
}

// TestCopyDataIsASnapshot copies a SQLite database while a writer keeps
// adding questions and votes: the copy holds exactly the rows of one
// moment, which the verification inside CopyData checks against the
// source's snapshot.
func TestCopyDataIsASnapshot(t *testing.T) {
	ctx := context.Background()
	src := storetest.Open(t, "sqlite")
	c := generate(t, src, 300, 30, 10)
	writers := storetest.StartWriters(t, 1, func(_, i int) error {
		// Sessions 0, 5, 10 … are still taking questions (recruiting).
		q := &ask2live.Question{ID: ask2live.NewID(time.Now()), SessionID: c.sessions[5*(i%(len(c.sessions)/5))].ID, AuthorID: c.users[i%len(c.users)].ID,
			Kind: ask2live.KindText, Text: "쓰는 중", State: ask2live.QuestionOpen, Phase: ask2live.PhasePre, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		if err := src.CreateQuestion(ctx, q); err != nil {
			return err
		}
		_, _, err := src.Vote(ctx, q.ID, c.users[(i+1)%len(c.users)].ID)
		return err
	})
	// Wait until writes are flowing, copy, and stop the writer after.
	writers.Wait(20)
	copyData(t, src, storetest.Open(t, "sqlite"), store.CopyOptions{BatchRows: 50})
	if n := writers.Stop(); n < 21 {
		t.Fatalf("the writer made %d writes: the copy did not overlap it", n)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range min(len(w), len(g)) {
		if w[i] != g[i] {
			return fmt.Sprintf("line %d\nwant %.400s\ngot  %.400s", i, w[i], g[i])
		}
	}
	return fmt.Sprintf("want %d lines, got %d", len(w), len(g))
}
