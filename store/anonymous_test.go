package store_test

import (
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

// TestAnonymousQuestions: a session takes anonymous questions only while
// its host allows them; the flag is kept with the question (and its
// author, for the host's team) and survives the host turning it off.
func TestAnonymousQuestions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host, kim := mkUser(t, db, "host"), mkUser(t, db, "kim")
		s := mkSession(t, db, host, "live", ask2live.StateLive, 0, t0)
		ask := func(n int, anonymous bool) (*ask2live.Question, error) {
			q := &ask2live.Question{ID: ask2live.NewID(t0.Add(time.Duration(n) * time.Second)), SessionID: s.ID, AuthorID: kim.ID,
				Kind: ask2live.KindText, Text: "질문", State: ask2live.QuestionOpen, Anonymous: anonymous,
				CreatedAt: t0, UpdatedAt: t0}
			return q, db.CreateQuestion(ctx(), q)
		}
		if _, err := ask(1, true); ask2live.ErrorCode(err) != ask2live.EWrongState {
			t.Fatalf("anonymous question where the host does not allow them: %v", err)
		}
		on, off := true, false
		if _, err := db.UpdateSession(ctx(), s.ID, ask2live.SessionUpdate{AllowAnonymous: &on}, t0); ask2live.ErrorCode(err) != ask2live.EWrongState {
			t.Fatalf("editing a live session: %v", err)
		}
		pre := mkSession(t, db, host, "upcoming", ask2live.StateScheduled, 0, t0.Add(time.Second))
		if got, err := db.UpdateSession(ctx(), pre.ID, ask2live.SessionUpdate{AllowAnonymous: &on}, t0); err != nil || !got.AllowAnonymous {
			t.Fatalf("allowing anonymous questions: %+v %v", got, err)
		}
		if row, err := db.SessionRow(ctx(), pre.ID); err != nil || !row.AllowAnonymous {
			t.Fatalf("session row: %+v %v", row, err)
		}
		s = pre
		q, err := ask(2, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ask(3, false); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateSession(ctx(), pre.ID, ask2live.SessionUpdate{AllowAnonymous: &off}, t0); err != nil {
			t.Fatal(err)
		}
		got, err := db.QuestionByID(ctx(), q.ID, "")
		if err != nil || !got.Anonymous || got.Author.Username != "kim" {
			t.Fatalf("stored anonymous question: %+v %v", got, err)
		}
		list, err := db.ListQuestions(ctx(), pre.ID, "")
		if err != nil || len(list) != 2 || list[0].Anonymous == list[1].Anonymous {
			t.Fatalf("listed: %+v %v", list, err)
		}
	})
}

// TestChatSlowMode: slow mode is kept with the session, set before or
// during it, and refused once it is over.
func TestChatSlowMode(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host := mkUser(t, db, "host")
		s := mkSession(t, db, host, "live", ask2live.StateLive, 0, t0)
		if got, err := db.SetChatSlowMode(ctx(), s.ID, 30, t0); err != nil || got.ChatSlowSeconds != 30 {
			t.Fatalf("setting slow mode: %+v %v", got, err)
		}
		if row, err := db.SessionRow(ctx(), s.ID); err != nil || row.ChatSlowSeconds != 30 {
			t.Fatalf("session row: %+v %v", row, err)
		}
		if _, err := db.TransitionSession(ctx(), s.ID, []ask2live.SessionState{ask2live.StateLive}, ask2live.StateEnded, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetChatSlowMode(ctx(), s.ID, 0, t0); ask2live.ErrorCode(err) != ask2live.EWrongState {
			t.Fatalf("slow mode on an ended session: %v", err)
		}
		if got, err := db.SessionByID(ctx(), s.ID, ""); err != nil || got.ChatSlowSeconds != 30 {
			t.Fatalf("ended session: %+v %v", got, err)
		}
	})
}
