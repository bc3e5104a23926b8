package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store"
	"github.com/ask2live/ask2live/store/storetest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ctx() context.Context { return context.Background() }

func mkUser(t *testing.T, db *store.DB, name string) *ask2live.User {
	t.Helper()
	u := &ask2live.User{ID: ask2live.NewID(t0), Username: name, DisplayName: "이름 " + name, CreatedAt: t0}
	if err := db.CreateUser(ctx(), u, "hash-"+name); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func mkSession(t *testing.T, db *store.DB, host *ask2live.User, title string, state ask2live.SessionState, target int, starts time.Time) *ask2live.Session {
	t.Helper()
	s := &ask2live.Session{ID: ask2live.NewID(starts), HostID: host.ID, Title: title, State: state, TargetGuests: target,
		StartsAt: &starts, CreatedAt: t0, UpdatedAt: t0}
	if state == ask2live.StateLive {
		s.StartedAt = &starts
	}
	if err := db.CreateSession(ctx(), s); err != nil {
		t.Fatalf("create session: %v", err)
	}
	return s
}

// jsonOf is what the API would send of v.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantCode(t *testing.T, err error, code ask2live.Code) {
	t.Helper()
	if got := ask2live.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func TestUsersAndTokens(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		u := mkUser(t, db, "kim")
		dup := &ask2live.User{ID: ask2live.NewID(t0), Username: "kim", DisplayName: "x", CreatedAt: t0}
		wantCode(t, db.CreateUser(ctx(), dup, "h"), ask2live.EConflict)

		got, err := db.UserByUsername(ctx(), "kim")
		if err != nil || got.ID != u.ID || got.DisplayName != "이름 kim" || !got.CreatedAt.Equal(t0) {
			t.Fatalf("UserByUsername = %+v, %v", got, err)
		}
		_, err = db.UserByID(ctx(), "nope")
		wantCode(t, err, ask2live.ENotFound)
		pu, hash, err := db.PasswordHash(ctx(), "kim")
		if err != nil || hash != "hash-kim" || pu.ID != u.ID {
			t.Fatalf("PasswordHash = %v %q %v", pu, hash, err)
		}

		u.Bio, u.Company, u.AvatarURL = "안녕하세요 👋", "ACME", "/media/avatars/x.jpg"
		if err := db.UpdateUser(ctx(), u); err != nil {
			t.Fatal(err)
		}
		got, _ = db.UserByID(ctx(), u.ID)
		if got.Bio != "안녕하세요 👋" || got.Company != "ACME" || got.AvatarURL != u.AvatarURL {
			t.Fatalf("profile not saved: %+v", got)
		}
		wantCode(t, db.UpdateUser(ctx(), &ask2live.User{ID: "missing"}), ask2live.ENotFound)

		tok := &ask2live.AuthToken{Hash: "h1", UserID: u.ID, Kind: "bearer", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		if err := db.CreateToken(ctx(), tok); err != nil {
			t.Fatal(err)
		}
		if tu, exp, err := db.TokenUser(ctx(), "h1", t0.Add(time.Minute)); err != nil || tu.ID != u.ID || !exp.Equal(t0.Add(time.Hour)) {
			t.Fatalf("TokenUser = %v, %v", tu, err)
		}
		_, _, err = db.TokenUser(ctx(), "h1", t0.Add(2*time.Hour))
		wantCode(t, err, ask2live.ENotFound)
		if n, err := db.DeleteExpiredTokens(ctx(), t0.Add(2*time.Hour)); err != nil || n != 1 {
			t.Fatalf("DeleteExpiredTokens = %d, %v", n, err)
		}
		_ = db.CreateToken(ctx(), &ask2live.AuthToken{Hash: "h2", UserID: u.ID, Kind: "cookie", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
		if err := db.DeleteToken(ctx(), "h2"); err != nil {
			t.Fatal(err)
		}
		_, _, err = db.TokenUser(ctx(), "h2", t0)
		wantCode(t, err, ask2live.ENotFound)
	})
}

func TestSessionLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host, g1, g2 := mkUser(t, db, "host"), mkUser(t, db, "g1"), mkUser(t, db, "g2")
		s := mkSession(t, db, host, "세션", ask2live.StateRecruiting, 2, t0.Add(24*time.Hour))

		got, err := db.SessionByID(ctx(), s.ID, g1.ID)
		if err != nil || got.Host.Username != "host" || got.WishedByMe || got.State != ask2live.StateRecruiting {
			t.Fatalf("SessionByID = %+v, %v", got, err)
		}
		if got.StartsAt == nil || !got.StartsAt.Equal(t0.Add(24*time.Hour)) {
			t.Fatalf("starts_at = %v", got.StartsAt)
		}
		got, changed, _ := db.Wish(ctx(), s.ID, g1.ID, t0)
		if got.WishCount != 1 || got.State != ask2live.StateRecruiting || !got.WishedByMe || !changed {
			t.Fatalf("after 1 wish: %+v %t", got, changed)
		}
		if stored, _ := db.SessionByID(ctx(), s.ID, g1.ID); jsonOf(t, stored) != jsonOf(t, got) {
			t.Fatalf("Wish gave %s, the database has %s", jsonOf(t, got), jsonOf(t, stored))
		}
		got, changed, _ = db.Wish(ctx(), s.ID, g1.ID, t0) // repeat: no-op
		if got.WishCount != 1 || changed {
			t.Fatalf("repeat wish counted: %d, changed %t", got.WishCount, changed)
		}
		_, _, err = db.Wish(ctx(), s.ID, host.ID, t0)
		wantCode(t, err, ask2live.EForbidden)
		_, _, err = db.Unwish(ctx(), s.ID, host.ID, t0)
		wantCode(t, err, ask2live.EForbidden)
		_, _, err = db.Wish(ctx(), "missing", g1.ID, t0)
		wantCode(t, err, ask2live.ENotFound)
		got, _, _ = db.Wish(ctx(), s.ID, g2.ID, t0)
		if got.WishCount != 2 || got.State != ask2live.StateReady {
			t.Fatalf("after 2 wishes: %d %s", got.WishCount, got.State)
		}
		got, _, _ = db.Unwish(ctx(), s.ID, g2.ID, t0)
		if got.WishCount != 1 || got.State != ask2live.StateRecruiting || got.WishedByMe {
			t.Fatalf("after withdraw: %d %s", got.WishCount, got.State)
		}
		got, _, _ = db.Unwish(ctx(), s.ID, g2.ID, t0) // repeat: no-op
		if got.WishCount != 1 {
			t.Fatalf("repeat withdraw counted: %d", got.WishCount)
		}
		db.Wish(ctx(), s.ID, g2.ID, t0)

		_, err = db.TransitionSession(ctx(), s.ID, []ask2live.SessionState{ask2live.StateScheduled}, ask2live.StateLive, t0)
		wantCode(t, err, ask2live.EWrongState)
		got, err = db.TransitionSession(ctx(), s.ID, []ask2live.SessionState{ask2live.StateReady}, ask2live.StateScheduled, t0)
		if err != nil || got.State != ask2live.StateScheduled {
			t.Fatalf("confirm: %v %v", got, err)
		}
		// A withdrawal never un-schedules a confirmed session.
		got, _, _ = db.Unwish(ctx(), s.ID, g2.ID, t0)
		if got.State != ask2live.StateScheduled || got.WishCount != 1 {
			t.Fatalf("withdraw after confirm: %s %d", got.State, got.WishCount)
		}
		title := "새 제목"
		got, err = db.UpdateSession(ctx(), s.ID, ask2live.SessionUpdate{Title: &title}, t0)
		if err != nil || got.Title != title {
			t.Fatalf("update: %v %v", got, err)
		}
		start := t0.Add(time.Minute)
		got, err = db.TransitionSession(ctx(), s.ID, []ask2live.SessionState{ask2live.StateScheduled}, ask2live.StateLive, start)
		if err != nil || got.State != ask2live.StateLive || got.StartedAt == nil || !got.StartedAt.Equal(start) {
			t.Fatalf("start: %+v %v", got, err)
		}
		_, err = db.UpdateSession(ctx(), s.ID, ask2live.SessionUpdate{Title: &title}, t0)
		wantCode(t, err, ask2live.EWrongState)
		got, _ = db.TransitionSession(ctx(), s.ID, []ask2live.SessionState{ask2live.StateLive}, ask2live.StateEnded, start.Add(time.Hour))
		if got.State != ask2live.StateEnded || got.EndedAt == nil {
			t.Fatalf("end: %+v", got)
		}
		_, _, err = db.Wish(ctx(), s.ID, g2.ID, t0)
		wantCode(t, err, ask2live.EWrongState)
		_, err = db.SessionByID(ctx(), "missing", "")
		wantCode(t, err, ask2live.ENotFound)

		// Lowering the target below the wish count makes a recruiting session ready.
		s2 := mkSession(t, db, host, "두번째", ask2live.StateRecruiting, 5, t0.Add(48*time.Hour))
		db.Wish(ctx(), s2.ID, g1.ID, t0)
		one := 1
		got, _ = db.UpdateSession(ctx(), s2.ID, ask2live.SessionUpdate{TargetGuests: &one}, t0)
		if got.State != ask2live.StateReady {
			t.Fatalf("target lowered: state %s", got.State)
		}
		wished, err := db.WishedSessions(ctx(), g1.ID, 10)
		if err != nil || len(wished) != 2 || !wished[0].WishedByMe {
			t.Fatalf("WishedSessions = %d, %v", len(wished), err)
		}
	})
}

func TestListSessionsOrderFiltersAndPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		a, b := mkUser(t, db, "alice"), mkUser(t, db, "bob")
		var upcoming []string
		for i := 0; i < 7; i++ {
			// Created out of order; listed by start time.
			s := mkSession(t, db, a, fmt.Sprintf("Go 세션 %d", i), ask2live.StateScheduled, 0, t0.Add(time.Duration(10-i)*time.Hour))
			upcoming = append([]string{s.ID}, upcoming...)
		}
		live1 := mkSession(t, db, b, "live old", ask2live.StateLive, 0, t0)
		live2 := mkSession(t, db, b, "live new 100%_off", ask2live.StateLive, 0, t0.Add(time.Minute))
		want := append([]string{live2.ID, live1.ID}, upcoming...)

		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			p, err := db.ListSessions(ctx(), ask2live.SessionFilter{Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range p.Items {
				got = append(got, s.ID)
			}
			if p.NextCursor == "" {
				break
			}
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			cursor = p.NextCursor
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("order across pages:\n got %v\nwant %v", got, want)
		}
		p, _ := db.ListSessions(ctx(), ask2live.SessionFilter{States: []ask2live.SessionState{ask2live.StateLive}})
		if len(p.Items) != 2 {
			t.Fatalf("state filter: %d", len(p.Items))
		}
		p, _ = db.ListSessions(ctx(), ask2live.SessionFilter{HostID: b.ID})
		if len(p.Items) != 2 {
			t.Fatalf("host filter: %d", len(p.Items))
		}
		p, _ = db.ListSessions(ctx(), ask2live.SessionFilter{Text: "go 세션 3"})
		if len(p.Items) != 1 {
			t.Fatalf("text filter (case-insensitive): %d", len(p.Items))
		}
		p, _ = db.ListSessions(ctx(), ask2live.SessionFilter{Text: "100%_"})
		if len(p.Items) != 1 || p.Items[0].ID != live2.ID {
			t.Fatalf("LIKE wildcards in the text are literal: %d", len(p.Items))
		}
		p, _ = db.ListSessions(ctx(), ask2live.SessionFilter{Text: "%"})
		if len(p.Items) != 1 {
			t.Fatalf("a lone %% matches only titles containing it: %d", len(p.Items))
		}
		for _, bad := range []string{"!!!", "bm90LWEtY3Vyc29y", strings.Repeat("A", 300)} {
			_, err := db.ListSessions(ctx(), ask2live.SessionFilter{Cursor: bad})
			wantCode(t, err, ask2live.EInvalid)
		}
	})
}

func TestQuestionsAndVotes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host, g1, g2 := mkUser(t, db, "host"), mkUser(t, db, "g1"), mkUser(t, db, "g2")
		s := mkSession(t, db, host, "q", ask2live.StateScheduled, 0, t0)
		mkQuestion := func(sessionID string, author *ask2live.User, kind ask2live.QuestionKind, text string, at time.Time) (*ask2live.Question, error) {
			q := &ask2live.Question{ID: ask2live.NewID(at), SessionID: sessionID, AuthorID: author.ID, Kind: kind,
				Text: text, State: ask2live.QuestionOpen, CreatedAt: at, UpdatedAt: at}
			return q, db.CreateQuestion(ctx(), q)
		}
		ask := func(author *ask2live.User, text string, phase ask2live.Phase, at time.Time) *ask2live.Question {
			q, err := mkQuestion(s.ID, author, ask2live.KindText, text, at)
			if err != nil {
				t.Fatal(err)
			}
			if q.Phase != phase {
				t.Fatalf("%q: phase %s, want %s", text, q.Phase, phase)
			}
			return q
		}
		// Asked before the session is live: pre-questions. Voice
		// questions wait for it to be live.
		pre1 := ask(g1, "pre 1", ask2live.PhasePre, t0.Add(2*time.Second))
		pre2 := ask(g2, "pre 2", ask2live.PhasePre, t0.Add(3*time.Second))
		_, err := mkQuestion(s.ID, g1, ask2live.KindVoice, "voice", t0)
		wantCode(t, err, ask2live.EWrongState)
		_, err = mkQuestion("missing", g1, ask2live.KindText, "nowhere", t0)
		wantCode(t, err, ask2live.ENotFound)
		if _, err := db.TransitionSession(ctx(), s.ID, []ask2live.SessionState{ask2live.StateScheduled}, ask2live.StateLive, t0); err != nil {
			t.Fatal(err)
		}
		live := ask(g1, "live q", ask2live.PhaseLive, t0.Add(time.Second))
		if pre1.Author.Username != "g1" || pre1.Author.DisplayName != "이름 g1" {
			t.Fatalf("author not filled: %+v", pre1.Author)
		}
		if stored, _ := db.QuestionByID(ctx(), pre1.ID, ""); *stored != *pre1 {
			t.Fatalf("CreateQuestion gave %+v, the database has %+v", pre1, stored)
		}
		q, counted, err := db.Vote(ctx(), pre2.ID, g1.ID)
		if err != nil || q.Votes != 1 || !q.VotedByMe || !counted {
			t.Fatalf("vote: %+v %t %v", q, counted, err)
		}
		if stored, _ := db.QuestionByID(ctx(), pre2.ID, g1.ID); *stored != *q {
			t.Fatalf("Vote gave %+v, the database has %+v", q, stored)
		}
		q, counted, _ = db.Vote(ctx(), pre2.ID, g1.ID)
		if q.Votes != 1 || counted {
			t.Fatalf("repeat vote counted: %d, changed %t", q.Votes, counted)
		}
		_, _, err = db.Vote(ctx(), pre2.ID, g2.ID)
		wantCode(t, err, ask2live.EForbidden) // one's own question
		_, _, err = db.Vote(ctx(), "missing", g2.ID)
		wantCode(t, err, ask2live.ENotFound)
		db.Vote(ctx(), live.ID, g2.ID)
		db.Vote(ctx(), live.ID, host.ID)
		qs, err := db.ListQuestions(ctx(), s.ID, g1.ID)
		if err != nil {
			t.Fatal(err)
		}
		order := []string{}
		for _, q := range qs {
			order = append(order, q.Text)
		}
		if strings.Join(order, ",") != "pre 2,pre 1,live q" {
			t.Fatalf("order = %v (pre first, then votes, then time)", order)
		}
		if !qs[0].VotedByMe || qs[1].VotedByMe {
			t.Fatal("voted_by_me wrong")
		}
		q, counted, _ = db.Unvote(ctx(), pre2.ID, g1.ID)
		if q.Votes != 0 || q.VotedByMe || !counted {
			t.Fatalf("unvote: %+v %t", q, counted)
		}
		q, counted, _ = db.Unvote(ctx(), pre2.ID, g1.ID)
		if q.Votes != 0 || q.VotedByMe || counted {
			t.Fatalf("repeat unvote: %+v %t", q, counted)
		}

		q, err = db.UpdateQuestionText(ctx(), pre1.ID, "pre 1 edited", t0)
		if err != nil || q.Text != "pre 1 edited" {
			t.Fatalf("edit: %v %v", q, err)
		}
		changed, err := db.SetQuestionState(ctx(), pre1.ID, ask2live.QuestionAnswering, t0)
		if err != nil || len(changed) != 1 || changed[0].State != ask2live.QuestionAnswering {
			t.Fatalf("answering: %v %v", changed, err)
		}
		changed, _ = db.SetQuestionState(ctx(), pre2.ID, ask2live.QuestionAnswering, t0)
		if len(changed) != 2 || changed[0].ID != pre2.ID || changed[1].ID != pre1.ID || changed[1].State != ask2live.QuestionOpen {
			t.Fatalf("second answering must reopen the first: %+v", changed)
		}
		changed, _ = db.SetQuestionState(ctx(), pre2.ID, ask2live.QuestionAnswered, t0.Add(time.Minute))
		if changed[0].AnsweredAt == nil || !changed[0].AnsweredAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("answered_at: %v", changed[0].AnsweredAt)
		}
		_, err = db.UpdateQuestionText(ctx(), pre2.ID, "late edit", t0)
		wantCode(t, err, ask2live.EWrongState)

		if err := db.DeleteQuestion(ctx(), live.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.QuestionByID(ctx(), live.ID, "")
		wantCode(t, err, ask2live.ENotFound)
		wantCode(t, db.DeleteQuestion(ctx(), live.ID), ask2live.ENotFound)
		sess, _ := db.SessionByID(ctx(), s.ID, "")
		if sess.QuestionCount != 2 {
			t.Fatalf("question_count = %d, want 2", sess.QuestionCount)
		}

		// Once the session is over it takes no questions and no votes.
		if _, err := db.TransitionSession(ctx(), s.ID, []ask2live.SessionState{ask2live.StateLive}, ask2live.StateEnded, t0); err != nil {
			t.Fatal(err)
		}
		_, err = mkQuestion(s.ID, g1, ask2live.KindText, "late", t0)
		wantCode(t, err, ask2live.EWrongState)
		_, _, err = db.Vote(ctx(), pre1.ID, g2.ID)
		wantCode(t, err, ask2live.EWrongState)
		sess, _ = db.SessionByID(ctx(), s.ID, "")
		if sess.QuestionCount != 2 {
			t.Fatalf("question_count = %d after refused questions, want 2", sess.QuestionCount)
		}
	})
}

func TestChatParticipationMedia(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host := mkUser(t, db, "host")
		s := mkSession(t, db, host, "chat", ask2live.StateLive, 0, t0)
		var ids []string
		for i := 0; i < 5; i++ {
			at := t0.Add(time.Duration(i) * time.Second)
			m := &ask2live.ChatMessage{ID: ask2live.NewID(at), SessionID: s.ID, SenderID: host.ID, Text: fmt.Sprintf("메시지 %d", i), CreatedAt: at}
			if err := db.AddChatMessage(ctx(), m); err != nil {
				t.Fatal(err)
			}
			if m.Sender.Username != "host" {
				t.Fatalf("sender not filled: %+v", m.Sender)
			}
			ids = append(ids, m.ID)
		}
		if err := db.DeleteChatMessage(ctx(), s.ID, ids[4]); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.DeleteChatMessage(ctx(), s.ID, "missing"), ask2live.ENotFound)
		recent, err := db.RecentChat(ctx(), s.ID, 3)
		if err != nil || len(recent) != 3 || recent[0].Text != "메시지 1" || recent[2].Text != "메시지 3" {
			t.Fatalf("recent chat = %v, %v", recent, err)
		}

		if err := db.RecordJoin(ctx(), &ask2live.Participation{SessionID: s.ID, UserID: host.ID, JoinedAt: t0}); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordLeave(ctx(), s.ID, host.ID, t0.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}

		if st, err := db.Stage(ctx(), s.ID); err != nil || st != nil {
			t.Fatalf("no stage yet: %q %v", st, err)
		}
		if err := db.SaveStage(ctx(), s.ID, []byte(`{"speakers":["host"]}`)); err != nil {
			t.Fatal(err)
		}
		if st, err := db.Stage(ctx(), s.ID); err != nil || string(st) != `{"speakers":["host"]}` {
			t.Fatalf("stage = %q %v", st, err)
		}
		wantCode(t, db.SaveStage(ctx(), "missing", []byte("{}")), ask2live.ENotFound)

		data := []byte{0xff, 0xd8, 0xff, 0x00, 0x01}
		if err := db.PutMedia(ctx(), "avatars/a.jpg", "image/jpeg", data, t0); err != nil {
			t.Fatal(err)
		}
		if err := db.PutMedia(ctx(), "avatars/a.jpg", "image/jpeg", append(data, 2), t0); err != nil {
			t.Fatal(err)
		}
		ct, got, mod, err := db.Media(ctx(), "avatars/a.jpg")
		if err != nil || ct != "image/jpeg" || len(got) != 6 || !mod.Equal(t0) {
			t.Fatalf("media = %q %v %v %v", ct, got, mod, err)
		}
		if err := db.DeleteMedia(ctx(), "avatars/a.jpg"); err != nil {
			t.Fatal(err)
		}
		_, _, _, err = db.Media(ctx(), "avatars/a.jpg")
		wantCode(t, err, ask2live.ENotFound)
	})
}

// TestConcurrentWishesAndVotes: many goroutines wishing and withdrawing at
// once leave the counters equal to the rows, on every backend.
func TestConcurrentWishesAndVotes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host := mkUser(t, db, "host")
		s := mkSession(t, db, host, "busy", ask2live.StateRecruiting, 20, t0.Add(time.Hour))
		q := &ask2live.Question{ID: ask2live.NewID(t0), SessionID: s.ID, AuthorID: host.ID, Kind: ask2live.KindText,
			Text: "q", State: ask2live.QuestionOpen, Phase: ask2live.PhasePre, CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateQuestion(ctx(), q); err != nil {
			t.Fatal(err)
		}
		const n = 50
		users := make([]*ask2live.User, n)
		for i := range users {
			users[i] = mkUser(t, db, fmt.Sprintf("user%02d", i))
		}
		var wg sync.WaitGroup
		errs := make(chan error, n*8)
		for i, u := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Everyone wishes twice, votes twice and asks once; a
				// third withdraw, and a third unvote.
				steps := []func() error{
					func() error { _, _, err := db.Wish(ctx(), s.ID, u.ID, t0); return err },
					func() error { _, _, err := db.Vote(ctx(), q.ID, u.ID); return err },
					func() error { _, _, err := db.Wish(ctx(), s.ID, u.ID, t0); return err },
					func() error { _, _, err := db.Vote(ctx(), q.ID, u.ID); return err },
				}
				steps = append(steps, func() error {
					at := t0.Add(time.Duration(i) * time.Second)
					return db.CreateQuestion(ctx(), &ask2live.Question{ID: ask2live.NewID(at), SessionID: s.ID, AuthorID: u.ID,
						Kind: ask2live.KindText, Text: "mine", State: ask2live.QuestionOpen, CreatedAt: at, UpdatedAt: at})
				})
				if i%3 == 0 {
					steps = append(steps,
						func() error { _, _, err := db.Unwish(ctx(), s.ID, u.ID, t0); return err },
						func() error { _, _, err := db.Unvote(ctx(), q.ID, u.ID); return err })
				}
				for _, step := range steps {
					if err := step(); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent operation failed: %v", err)
		}
		withdrawn := (n + 2) / 3
		sess, _ := db.SessionByID(ctx(), s.ID, "")
		wishRows := countRows(t, db, "wishes", "session_id", s.ID)
		if sess.WishCount != wishRows || wishRows != n-withdrawn {
			t.Fatalf("wish_count = %d, wish rows = %d, want %d", sess.WishCount, wishRows, n-withdrawn)
		}
		if sess.State != ask2live.StateReady {
			t.Fatalf("state = %s with %d wishes for target 20", sess.State, sess.WishCount)
		}
		if questionRows := countRows(t, db, "questions", "session_id", s.ID); sess.QuestionCount != questionRows || questionRows != n+1 {
			t.Fatalf("question_count = %d, question rows = %d, want %d", sess.QuestionCount, questionRows, n+1)
		}
		qq, _ := db.QuestionByID(ctx(), q.ID, "")
		voteRows := countRows(t, db, "votes", "question_id", q.ID)
		if qq.Votes != voteRows || voteRows != n-withdrawn {
			t.Fatalf("votes = %d, vote rows = %d, want %d", qq.Votes, voteRows, n-withdrawn)
		}
	})
}

func countRows(t *testing.T, db *store.DB, table, col, id string) int {
	t.Helper()
	n, err := db.CountRows(ctx(), table, col, id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRestartKeepsData closes the database and opens it again by URL.
func TestRestartKeepsData(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		url := storetest.URL(t, backend)
		db, err := store.Open(ctx(), url, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		u := mkUser(t, db, "persist")
		s := mkSession(t, db, u, "남아있는 세션", ask2live.StateScheduled, 0, t0.Add(time.Hour))
		db.Close()

		db, err = store.Open(ctx(), url, store.Options{}) // migrations run again: must be a no-op
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		got, err := db.SessionByID(ctx(), s.ID, "")
		if err != nil || got.Title != "남아있는 세션" || got.Host.Username != "persist" {
			t.Fatalf("after reopen: %+v, %v", got, err)
		}
	})
}

func TestOpenRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"oracle://x", "sqlite:", "mysql://root@127.0.0.1:1/"} {
		if db, err := store.Open(ctx(), u, store.Options{}); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", u)
		}
	}
}

// TestSessionRow: the light read has the same own fields and counts as the
// full one, and no host.
func TestSessionRow(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host, guest := mkUser(t, db, "host"), mkUser(t, db, "guest")
		s := mkSession(t, db, host, "가벼운 읽기", ask2live.StateRecruiting, 2, t0.Add(time.Hour))
		if _, _, err := db.Wish(ctx(), s.ID, guest.ID, t0); err != nil {
			t.Fatal(err)
		}
		full, err := db.SessionByID(ctx(), s.ID, guest.ID)
		if err != nil {
			t.Fatal(err)
		}
		row, err := db.SessionRow(ctx(), s.ID)
		if err != nil {
			t.Fatal(err)
		}
		full.Host, full.WishedByMe = nil, false
		if fmt.Sprintf("%+v", *row) != fmt.Sprintf("%+v", *full) {
			t.Fatalf("SessionRow = %+v\nSessionByID = %+v", *row, *full)
		}
		_, err = db.SessionRow(ctx(), "missing")
		wantCode(t, err, ask2live.ENotFound)
	})
}

// TestWriteFailsCleanly makes the second half of a write fail (a voter and
// a wisher with no account break a foreign key once the reads and the
// rules have passed): nothing changes, and the one connection of the pool
// is clean for the next write.
func TestWriteFailsCleanly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db, err := store.Open(ctx(), storetest.URL(t, backend), store.Options{MaxOpenConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		host, g := mkUser(t, db, "host"), mkUser(t, db, "g")
		s := mkSession(t, db, host, "s", ask2live.StateRecruiting, 5, t0.Add(time.Hour))
		q := &ask2live.Question{ID: ask2live.NewID(t0), SessionID: s.ID, AuthorID: host.ID, Kind: ask2live.KindText,
			Text: "q", State: ask2live.QuestionOpen, CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateQuestion(ctx(), q); err != nil {
			t.Fatal(err)
		}
		out, _, err := db.Vote(ctx(), q.ID, "nobody")
		if err == nil || out == nil || out.SessionID != s.ID {
			t.Fatalf("vote by nobody = %+v, %v; want an error naming the question", out, err)
		}
		if _, _, err := db.Wish(ctx(), s.ID, "nobody", t0); err == nil {
			t.Fatal("wish by nobody succeeded")
		}
		got, counted, err := db.Vote(ctx(), q.ID, g.ID)
		if err != nil || got.Votes != 1 || !counted {
			t.Fatalf("vote after a failed one = %+v %t %v", got, counted, err)
		}
		sess, changed, err := db.Wish(ctx(), s.ID, g.ID, t0)
		if err != nil || sess.WishCount != 1 || !changed {
			t.Fatalf("wish after a failed one = %+v %t %v", sess, changed, err)
		}
		if n := countRows(t, db, "votes", "question_id", q.ID); n != 1 {
			t.Fatalf("%d vote rows, want 1", n)
		}
		if n := countRows(t, db, "wishes", "session_id", s.ID); n != 1 {
			t.Fatalf("%d wish rows, want 1", n)
		}
	})
}

// TestWritesKeepTextExactly sends text that quoting could get wrong through
// the writes that MySQL gets as multi-statement queries with their
// arguments written into the text: it must come back byte for byte.
func TestWritesKeepTextExactly(t *testing.T) {
	nasty := []string{`'); DROP TABLE questions; --`, `back\slash \' \\' \"`, "nul\x00byte", `?; SELECT 1; ?`, "줄\n바꿈\t탭 😀", `%_!`}
	check := func(t *testing.T, db *store.DB, backend string) {
		host, g := mkUser(t, db, "host"), mkUser(t, db, "g")
		for i, text := range nasty {
			if backend == "postgres" && strings.ContainsRune(text, 0) {
				continue // PostgreSQL text cannot hold NUL; the API refuses it before
			}
			s := mkSession(t, db, host, text, ask2live.StateRecruiting, 1, t0.Add(time.Duration(i+1)*time.Hour))
			at := t0.Add(time.Duration(i) * time.Second)
			q := &ask2live.Question{ID: ask2live.NewID(at), SessionID: s.ID, AuthorID: g.ID, Kind: ask2live.KindText,
				Text: text, State: ask2live.QuestionOpen, CreatedAt: at, UpdatedAt: at}
			if err := db.CreateQuestion(ctx(), q); err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			// A wish rewrites the session row, title included.
			if _, _, err := db.Wish(ctx(), s.ID, g.ID, t0); err != nil {
				t.Fatalf("%q: %v", text, err)
			}
			got, err := db.QuestionByID(ctx(), q.ID, "")
			if err != nil || got.Text != text {
				t.Fatalf("question text %q came back as %q (%v)", text, got.Text, err)
			}
			sess, err := db.SessionByID(ctx(), s.ID, "")
			if err != nil || sess.Title != text || sess.WishCount != 1 {
				t.Fatalf("title %q came back as %q, %d wishes (%v)", text, sess.Title, sess.WishCount, err)
			}
		}
	}
	storetest.Run(t, func(t *testing.T, backend string) {
		check(t, storetest.Open(t, backend), backend)
		if backend == "mysql" {
			// Where backslashes are plain characters, quoting differs.
			check(t, storetest.OpenURL(t, storetest.URL(t, backend)+"?sql_mode=%27NO_BACKSLASH_ESCAPES%27"), backend)
		}
	})
}

// TestPinnedQuestionsComeFirst: pinned questions lead the queue, the
// earliest pinned first, in the database's order and in QuestionLess alike;
// only open and answering questions can be pinned, and unpinning restores
// the usual order.
func TestPinnedQuestionsComeFirst(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host, g1, g2 := mkUser(t, db, "host"), mkUser(t, db, "g1"), mkUser(t, db, "g2")
		s := mkSession(t, db, host, "pins", ask2live.StateLive, 0, t0)
		var qs []*ask2live.Question
		for i, author := range []*ask2live.User{g1, g2, g1, g2} {
			at := t0.Add(time.Duration(i) * time.Second)
			q := &ask2live.Question{ID: ask2live.NewID(at), SessionID: s.ID, AuthorID: author.ID, Kind: ask2live.KindText,
				Text: fmt.Sprintf("질문 %d", i), State: ask2live.QuestionOpen, CreatedAt: at, UpdatedAt: at}
			if err := db.CreateQuestion(ctx(), q); err != nil {
				t.Fatal(err)
			}
			qs = append(qs, q)
		}
		order := func() string {
			t.Helper()
			list, err := db.ListQuestions(ctx(), s.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			sorted := slices.Clone(list)
			ask2live.SortQuestions(sorted)
			var got, want []string
			for i := range list {
				got, want = append(got, list[i].Text), append(want, sorted[i].Text)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("the database's order %v is not QuestionLess's %v", got, want)
			}
			return strings.Join(got, ", ")
		}
		if got := order(); got != "질문 0, 질문 1, 질문 2, 질문 3" {
			t.Fatalf("before pinning: %s", got)
		}
		pinAt := t0.Add(time.Minute)
		for i, q := range []*ask2live.Question{qs[3], qs[1]} {
			at := pinAt.Add(time.Duration(i) * time.Second)
			got, err := db.SetPinned(ctx(), q.ID, &at, at)
			if err != nil {
				t.Fatal(err)
			}
			if got.PinnedAt == nil || !got.PinnedAt.Equal(at) {
				t.Fatalf("pinned_at = %v, want %v", got.PinnedAt, at)
			}
		}
		if got := order(); got != "질문 3, 질문 1, 질문 0, 질문 2" {
			t.Fatalf("after pinning 3 then 1: %s", got)
		}
		if _, err := db.SetPinned(ctx(), qs[3].ID, nil, pinAt); err != nil {
			t.Fatal(err)
		}
		if got := order(); got != "질문 1, 질문 0, 질문 2, 질문 3" {
			t.Fatalf("after unpinning 3: %s", got)
		}
		if _, err := db.SetQuestionState(ctx(), qs[0].ID, ask2live.QuestionAnswered, pinAt); err != nil {
			t.Fatal(err)
		}
		_, err := db.SetPinned(ctx(), qs[0].ID, &pinAt, pinAt)
		wantCode(t, err, ask2live.EWrongState)
		_, err = db.SetPinned(ctx(), "missing", &pinAt, pinAt)
		wantCode(t, err, ask2live.ENotFound)
	})
}
