package httpapi_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ask2live/ask2live"
)

// TestTeamRules: the host appoints and changes roles by username (in any
// case), the team is public and bounded, and what cannot be a member — the
// host, an unknown or suspended account, a bad role — is refused with a
// typed error; a session that is over keeps its team as it was.
func TestTeamRules(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	host, kim := e.register("host"), e.register("kim")
	e.register("lee")
	s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "t", OpenNow: true}))(t)

	team := must(host.SetTeamRole(ctx, s.ID, "KIM", ask2live.TeamModerator))(t)
	if len(team) != 1 || team[0].User.Username != "kim" || team[0].Role != ask2live.TeamModerator {
		t.Fatalf("team = %+v", team)
	}
	must(host.SetTeamRole(ctx, s.ID, "lee", ask2live.TeamCoHost))(t)
	team = must(host.SetTeamRole(ctx, s.ID, "kim", ask2live.TeamCoHost))(t)
	if len(team) != 2 || team[0].Role != ask2live.TeamCoHost || team[1].User.Username != "lee" {
		t.Fatalf("after changing kim's role: %+v", team)
	}
	// Anyone, signed in or not, sees the team.
	if r := e.do("GET", "/api/v1/sessions/"+s.ID+"/team", "", nil); r.status != 200 {
		t.Fatalf("anonymous GET team: %d %s", r.status, r.body)
	}
	if _, err := kim.SetTeamRole(ctx, s.ID, "lee", ""); problemCode(err) != ask2live.EForbidden {
		t.Fatalf("a co-host changing the team: %v", err)
	}

	for _, c := range []struct {
		name, user string
		body       any
		status     int
		code       ask2live.Code
	}{
		{"the host", "host", map[string]string{"role": "moderator"}, 422, ask2live.EInvalid},
		{"unknown user", "nobody", map[string]string{"role": "moderator"}, 404, ask2live.ENotFound},
		{"not a username", "a", map[string]string{"role": "moderator"}, 404, ask2live.ENotFound},
		{"no role", "kim", map[string]string{}, 422, ask2live.EInvalid},
		{"unknown role", "kim", map[string]string{"role": "host"}, 422, ask2live.EInvalid},
		{"unknown field", "kim", map[string]string{"role": "moderator", "rank": "1"}, 400, ask2live.EInvalid},
	} {
		r := e.do("PUT", "/api/v1/sessions/"+s.ID+"/team/"+c.user, host.Token, c.body)
		if p := r.problem(t); r.status != c.status || p.Code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, p.Code, c.status, c.code)
		}
	}
	if r := e.do("PUT", "/api/v1/sessions/nosuchsession/team/kim", host.Token, map[string]string{"role": "moderator"}); r.status != 404 {
		t.Errorf("unknown session: %d %s", r.status, r.body)
	}

	// A suspended account cannot be appointed.
	e.register("admin")
	if _, err := e.svc.SetAdmin(ctx, nil, "admin", true); err != nil {
		t.Fatal(err)
	}
	admin, err := e.svc.Store.UserByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	e.register("bad")
	if _, err := e.svc.SuspendUser(ctx, admin, "bad"); err != nil {
		t.Fatal(err)
	}
	if _, err := host.SetTeamRole(ctx, s.ID, "bad", ask2live.TeamModerator); problemCode(err) != ask2live.ENotFound {
		t.Fatalf("appointing a suspended account: %v", err)
	}

	// The team is bounded.
	for i := len(team); i < ask2live.TeamMaxSize; i++ {
		name := fmt.Sprintf("member%d", i)
		e.register(name)
		must(host.SetTeamRole(ctx, s.ID, name, ask2live.TeamModerator))(t)
	}
	e.register("onemore")
	if _, err := host.SetTeamRole(ctx, s.ID, "onemore", ask2live.TeamModerator); problemCode(err) != ask2live.EWrongState {
		t.Fatalf("appointing past the limit: %v", err)
	}
	// Changing a member's role is not growing the team.
	must(host.SetTeamRole(ctx, s.ID, "member5", ask2live.TeamCoHost))(t)

	must(host.SessionAction(ctx, s.ID, "end"))(t)
	if _, err := host.SetTeamRole(ctx, s.ID, "kim", ""); problemCode(err) != ask2live.EWrongState {
		t.Fatalf("changing the team of an ended session: %v", err)
	}
	if got := must(e.register("late").Team(ctx, s.ID))(t); len(got) != ask2live.TeamMaxSize {
		t.Fatalf("the ended session's team has %d members", len(got))
	}
}

// problemCode is the code of the problem an API call answered with.
func problemCode(err error) ask2live.Code {
	var p *ask2live.Problem
	if errors.As(err, &p) {
		return p.Code
	}
	return ""
}
