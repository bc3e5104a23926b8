package store_test

import (
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

// TestTeam: appointing, changing a role, repeating either and removing
// someone from the team; each session has its own team, listed in the
// order people were appointed.
func TestTeam(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		db := storetest.Open(t, backend)
		host, kim, lee := mkUser(t, db, "host"), mkUser(t, db, "kim"), mkUser(t, db, "lee")
		s := mkSession(t, db, host, "live", ask2live.StateLive, 0, t0)
		other := mkSession(t, db, host, "other", ask2live.StateLive, 0, t0.Add(time.Second))
		team := func(id string) []string {
			t.Helper()
			got, err := db.Team(ctx(), id)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range got {
				out = append(out, m.User.Username+"/"+m.User.DisplayName+"/"+string(m.Role))
			}
			return out
		}
		role := func(u *ask2live.User) ask2live.TeamRole {
			t.Helper()
			r, err := db.TeamRole(ctx(), s.ID, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		set := func(u *ask2live.User, r ask2live.TeamRole, at time.Time) {
			t.Helper()
			if err := db.SetTeamRole(ctx(), s.ID, u.ID, r, at); err != nil {
				t.Fatal(err)
			}
		}
		if got := team(s.ID); len(got) != 0 || role(kim) != "" {
			t.Fatalf("team at first: %v, kim %q", got, role(kim))
		}
		set(lee, ask2live.TeamCoHost, t0.Add(time.Minute))
		set(kim, ask2live.TeamModerator, t0)
		set(kim, ask2live.TeamModerator, t0.Add(time.Hour)) // a repeat keeps the first appointment
		if got := team(s.ID); len(got) != 2 || got[0] != "kim/이름 kim/moderator" || got[1] != "lee/이름 lee/cohost" {
			t.Fatalf("team = %v", got)
		}
		set(kim, ask2live.TeamCoHost, t0.Add(2*time.Hour))
		if role(kim) != ask2live.TeamCoHost || role(host) != "" {
			t.Fatalf("kim %q, host %q", role(kim), role(host))
		}
		if got := team(other.ID); len(got) != 0 {
			t.Fatalf("another session's team = %v", got)
		}
		for range 2 {
			set(kim, "", t0)
		}
		if got := team(s.ID); len(got) != 1 || got[0] != "lee/이름 lee/cohost" || role(kim) != "" {
			t.Fatalf("after removing kim: %v", got)
		}
	})
}
