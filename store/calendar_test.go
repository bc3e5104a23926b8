package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

// TestCalendarFeeds: one feed per user, found by its secret's hash only;
// making a new one retires the old at once, and revoking, suspending or
// deleting the account ends it.
func TestCalendarFeeds(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		kim, lee := mkUser(t, db, "kim"), mkUser(t, db, "lee")
		h := func(s string) string { return ask2live.HashToken(s) }
		feedOwner := func(hash string) string {
			t.Helper()
			u, err := db.CalendarFeedUser(ctx(), hash)
			if ask2live.ErrorCode(err) == ask2live.ENotFound {
				return ""
			}
			if err != nil {
				t.Fatal(err)
			}
			return u.Username
		}

		_, err := db.CalendarFeedCreated(ctx(), kim.ID)
		wantCode(t, err, ask2live.ENotFound)
		if err := db.SetCalendarFeed(ctx(), kim.ID, h("one"), t0); err != nil {
			t.Fatal(err)
		}
		if got := feedOwner(h("one")); got != "kim" {
			t.Fatalf("feed owner = %q, want kim", got)
		}
		if at, err := db.CalendarFeedCreated(ctx(), kim.ID); err != nil || !at.Equal(t0) {
			t.Fatalf("CalendarFeedCreated = %v, %v; want %v", at, err, t0)
		}

		// Rotation: the old secret names nothing any more.
		later := t0.Add(time.Hour)
		if err := db.SetCalendarFeed(ctx(), kim.ID, h("two"), later); err != nil {
			t.Fatal(err)
		}
		if got := feedOwner(h("one")); got != "" {
			t.Fatalf("the rotated secret still names %q", got)
		}
		if got := feedOwner(h("two")); got != "kim" {
			t.Fatalf("the new secret names %q, want kim", got)
		}
		if at, _ := db.CalendarFeedCreated(ctx(), kim.ID); !at.Equal(later) {
			t.Fatalf("created at %v after rotation, want %v", at, later)
		}
		// A secret belongs to one feed.
		wantCode(t, db.SetCalendarFeed(ctx(), lee.ID, h("two"), t0), ask2live.EConflict)
		if got := feedOwner(h("two")); got != "kim" {
			t.Fatalf("after a refused duplicate the secret names %q", got)
		}

		// Revoking, twice (the second is no error).
		for range 2 {
			if err := db.DeleteCalendarFeed(ctx(), kim.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := feedOwner(h("two")); got != "" {
			t.Fatalf("the revoked secret still names %q", got)
		}
		_, err = db.CalendarFeedCreated(ctx(), kim.ID)
		wantCode(t, err, ask2live.ENotFound)

		// Suspension ends the feed, and lifting it does not bring it back.
		if err := db.SetCalendarFeed(ctx(), lee.ID, h("lee"), t0); err != nil {
			t.Fatal(err)
		}
		admin := func(action string, u *ask2live.User) *ask2live.AuditEntry {
			return &ask2live.AuditEntry{ID: ask2live.NewID(t0), Action: action, TargetType: ask2live.AuditTargetUser, TargetID: u.ID, CreatedAt: t0}
		}
		if err := db.SetSuspended(ctx(), lee.ID, &t0, admin(ask2live.AuditSuspendUser, lee)); err != nil {
			t.Fatal(err)
		}
		if got := feedOwner(h("lee")); got != "" {
			t.Fatalf("a suspended account's feed still names %q", got)
		}
		if err := db.SetSuspended(ctx(), lee.ID, nil, admin(ask2live.AuditUnsuspendUser, lee)); err != nil {
			t.Fatal(err)
		}
		if got := feedOwner(h("lee")); got != "" {
			t.Fatalf("lifting the suspension brought the feed back to %q", got)
		}

		// Deleting the account ends it too.
		if err := db.SetCalendarFeed(ctx(), kim.ID, h("three"), t0); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteAccount(ctx(), kim.ID, t0, admin(ask2live.AuditDeleteUser, kim)); err != nil {
			t.Fatal(err)
		}
		if got := feedOwner(h("three")); got != "" {
			t.Fatalf("a deleted account's feed still names %q", got)
		}
		_, err = db.CalendarFeedCreated(ctx(), kim.ID)
		wantCode(t, err, ask2live.ENotFound)
	})
}

// TestCalendarSessions: a feed lists exactly the sessions its owner wished
// that have a time, are not over, or ended or were cancelled recently;
// soonest first.
func TestCalendarSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host, guest, other := mkUser(t, db, "host"), mkUser(t, db, "guest"), mkUser(t, db, "other")
		at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
		mk := func(title string, state ask2live.SessionState, starts int) *ask2live.Session {
			return mkSession(t, db, host, title, state, 0, at(starts))
		}
		recruiting := mk("모집 중", ask2live.StateRecruiting, 50)
		scheduled := mk("예정", ask2live.StateScheduled, 10)
		live := mk("라이브", ask2live.StateLive, 1)
		endedRecently := mk("방금 끝남", ask2live.StateLive, 2)
		endedLongAgo := mk("오래전 끝남", ask2live.StateLive, 3)
		cancelledRecently := mk("방금 취소", ask2live.StateScheduled, 30)
		cancelledLongAgo := mk("오래전 취소", ask2live.StateScheduled, 40)
		notWished := mk("안 찜함", ask2live.StateScheduled, 20)
		noTime := &ask2live.Session{ID: ask2live.NewID(t0), HostID: host.ID, Title: "시간 없음", State: ask2live.StateScheduled,
			CreatedAt: t0, UpdatedAt: t0}
		if err := db.CreateSession(ctx(), noTime); err != nil {
			t.Fatal(err)
		}
		for _, s := range []*ask2live.Session{recruiting, scheduled, live, endedRecently, endedLongAgo, cancelledRecently, cancelledLongAgo, noTime} {
			if _, _, err := db.Wish(ctx(), s.ID, guest.ID, t0); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := db.Wish(ctx(), notWished.ID, other.ID, t0); err != nil {
			t.Fatal(err)
		}
		since := at(100)
		move := func(s *ask2live.Session, from, to ask2live.SessionState, when time.Time) {
			t.Helper()
			if _, err := db.TransitionSession(ctx(), s.ID, []ask2live.SessionState{from}, to, when); err != nil {
				t.Fatal(err)
			}
		}
		move(endedRecently, ask2live.StateLive, ask2live.StateEnded, since.Add(time.Minute))
		move(endedLongAgo, ask2live.StateLive, ask2live.StateEnded, since.Add(-time.Minute))
		move(cancelledRecently, ask2live.StateScheduled, ask2live.StateCancelled, since)
		move(cancelledLongAgo, ask2live.StateScheduled, ask2live.StateCancelled, since.Add(-time.Second))

		got, err := db.CalendarSessions(ctx(), guest.ID, since, 100)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, s := range got {
			titles = append(titles, s.Title)
			if s.Host == nil || s.Host.Username != "host" {
				t.Errorf("%s: host = %+v", s.Title, s.Host)
			}
		}
		want := []string{"라이브", "방금 끝남", "예정", "방금 취소", "모집 중"}
		if !slices.Equal(titles, want) {
			t.Fatalf("calendar = %q, want %q", titles, want)
		}
		if got[3].State != ask2live.StateCancelled {
			t.Errorf("the cancelled session is %s", got[3].State)
		}
		if got, _ := db.CalendarSessions(ctx(), guest.ID, since, 2); len(got) != 2 {
			t.Fatalf("limit 2 gave %d sessions", len(got))
		}
		if got, _ := db.CalendarSessions(ctx(), host.ID, since, 100); len(got) != 0 {
			t.Fatalf("the host, who wished nothing, gets %d sessions", len(got))
		}
	})
}

// TestCalendarSequence: a session's calendar sequence grows with each
// change of its time or of its calendar status, and with nothing else.
func TestCalendarSequence(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host := mkUser(t, db, "host")
		guests := []*ask2live.User{mkUser(t, db, "g1"), mkUser(t, db, "g2")}
		s := mkSession(t, db, host, "순서", ask2live.StateRecruiting, 2, t0.Add(48*time.Hour))
		seq := func(want int, what string) {
			t.Helper()
			row, err := db.SessionRow(ctx(), s.ID)
			if err != nil {
				t.Fatal(err)
			}
			full, err := db.SessionByID(ctx(), s.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			page, err := db.ListSessions(ctx(), ask2live.SessionFilter{HostID: host.ID})
			if err != nil || len(page.Items) != 1 {
				t.Fatalf("list: %v %v", page, err)
			}
			if row.CalendarSequence != want || full.CalendarSequence != want || page.Items[0].CalendarSequence != want {
				t.Fatalf("after %s: sequence %d (row), %d (detail), %d (list); want %d", what,
					row.CalendarSequence, full.CalendarSequence, page.Items[0].CalendarSequence, want)
			}
		}
		seq(0, "creating")
		title, desc := "새 제목", "설명"
		if _, err := db.UpdateSession(ctx(), s.ID, ask2live.SessionUpdate{Title: &title, Description: &desc}, t0); err != nil {
			t.Fatal(err)
		}
		seq(0, "a new title")
		moved := t0.Add(72 * time.Hour)
		if _, err := db.UpdateSession(ctx(), s.ID, ask2live.SessionUpdate{StartsAt: &moved}, t0); err != nil {
			t.Fatal(err)
		}
		seq(1, "a new time")
		same := moved.In(time.FixedZone("KST", 9*3600))
		if _, err := db.UpdateSession(ctx(), s.ID, ask2live.SessionUpdate{StartsAt: &same}, t0); err != nil {
			t.Fatal(err)
		}
		seq(1, "the same time again")
		// Wishes move it from recruiting to ready: tentative both.
		for _, g := range guests {
			if _, _, err := db.Wish(ctx(), s.ID, g.ID, t0); err != nil {
				t.Fatal(err)
			}
		}
		if row, _ := db.SessionRow(ctx(), s.ID); row.State != ask2live.StateReady {
			t.Fatalf("state %s, want ready", row.State)
		}
		seq(1, "reaching the target")
		move := func(from, to ask2live.SessionState) {
			t.Helper()
			if _, err := db.TransitionSession(ctx(), s.ID, []ask2live.SessionState{from}, to, t0); err != nil {
				t.Fatal(err)
			}
		}
		move(ask2live.StateReady, ask2live.StateScheduled)
		seq(2, "confirming (tentative → confirmed)")
		if _, _, err := db.Unwish(ctx(), s.ID, guests[0].ID, t0); err != nil {
			t.Fatal(err)
		}
		seq(2, "a withdrawn wish (a confirmed session stays scheduled)")
		move(ask2live.StateScheduled, ask2live.StateLive)
		seq(2, "going live (confirmed both)")
		move(ask2live.StateLive, ask2live.StateEnded)
		seq(2, "ending")
		move(ask2live.StateEnded, ask2live.StateCancelled)
		seq(3, "an admin removing it (→ cancelled)")
	})
}
