package store_test

import (
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

// TestRemovals: a removal is kept until lifted, repeating either is
// harmless, and each session has its own.
func TestRemovals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host, kim, lee := mkUser(t, db, "host"), mkUser(t, db, "kim"), mkUser(t, db, "lee")
		s := mkSession(t, db, host, "live", ask2live.StateLive, 0, t0)
		other := mkSession(t, db, host, "other", ask2live.StateLive, 0, t0.Add(time.Second))
		names := func(id string) []string {
			t.Helper()
			got, err := db.Removals(ctx(), id)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, u := range got {
				out = append(out, u.Username+"/"+u.DisplayName)
			}
			return out
		}
		if got := names(s.ID); len(got) != 0 {
			t.Fatalf("removals at first: %v", got)
		}
		for i, u := range []*ask2live.User{kim, lee, kim} {
			if err := db.SetRemoved(ctx(), s.ID, u.ID, true, t0.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if got := names(s.ID); len(got) != 2 || got[0] != "kim/이름 kim" || got[1] != "lee/이름 lee" {
			t.Fatalf("removals = %v", got)
		}
		if got := names(other.ID); len(got) != 0 {
			t.Fatalf("another session's removals = %v", got)
		}
		for range 2 {
			if err := db.SetRemoved(ctx(), s.ID, kim.ID, false, t0); err != nil {
				t.Fatal(err)
			}
		}
		if got := names(s.ID); len(got) != 1 || got[0] != "lee/이름 lee" {
			t.Fatalf("after letting kim back: %v", got)
		}
	})
}
