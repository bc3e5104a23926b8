package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

// TestTookPartFilter: the sessions a user took part in are those they
// hosted, wished, asked in or joined — and no others.
func TestTookPartFilter(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host, guest := mkUser(t, db, "host"), mkUser(t, db, "guest")
		at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Hour) }
		mkSession(t, db, guest, "hosted", ask2live.StateEnded, 0, at(1))
		wished := mkSession(t, db, host, "wished", ask2live.StateScheduled, 0, at(2))
		asked := mkSession(t, db, host, "asked", ask2live.StateLive, 0, at(3))
		joined := mkSession(t, db, host, "joined", ask2live.StateEnded, 0, at(4))
		mkSession(t, db, host, "not mine", ask2live.StateEnded, 0, at(5))
		if _, _, err := db.Wish(ctx(), wished.ID, guest.ID, t0); err != nil {
			t.Fatal(err)
		}
		q := &ask2live.Question{ID: ask2live.NewID(t0), SessionID: asked.ID, AuthorID: guest.ID, Kind: ask2live.KindText,
			Text: "질문", State: ask2live.QuestionOpen, Phase: ask2live.PhasePre, CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateQuestion(ctx(), q); err != nil {
			t.Fatal(err)
		}
		// An ended session takes no questions: this one ends after the question.
		if _, err := db.TransitionSession(ctx(), asked.ID, []ask2live.SessionState{ask2live.StateLive}, ask2live.StateEnded, at(4)); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordJoin(ctx(), &ask2live.Participation{SessionID: joined.ID, UserID: guest.ID, JoinedAt: t0}); err != nil {
			t.Fatal(err)
		}
		titles := func(f ask2live.SessionFilter) []string {
			t.Helper()
			page, err := db.ListSessions(ctx(), f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range page.Items {
				out = append(out, s.Title)
			}
			slices.Sort(out)
			return out
		}
		if got, want := titles(ask2live.SessionFilter{TookPartID: guest.ID}), []string{"asked", "hosted", "joined", "wished"}; !slices.Equal(got, want) {
			t.Fatalf("took part in %v, want %v", got, want)
		}
		ended := ask2live.SessionFilter{TookPartID: guest.ID, States: []ask2live.SessionState{ask2live.StateEnded}}
		if got, want := titles(ended), []string{"asked", "hosted", "joined"}; !slices.Equal(got, want) {
			t.Fatalf("ended ones: %v, want %v", got, want)
		}
	})
}
