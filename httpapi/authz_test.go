package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
)

// TestAuthorizationMatrix checks every state-changing route, and every
// route of the site administration, for every role: the site admin, the
// host, the host's team (a moderator and a co-host), a guest who wished
// and asked, a stranger and an anonymous visitor. Each cell gets fresh
// data, so one cell's change cannot decide another's.
func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	roles := map[string]*ask2live.User{}
	tokens := map[string]string{"anonymous": ""}
	for _, name := range []string{"admin", "host", "guest", "stranger", "moderator", "cohost"} {
		u, cred, err := e.svc.Register(ctx, ask2live.RegisterInput{Username: name, Password: "password-" + name}, ask2live.TokenBearer)
		if err != nil {
			t.Fatal(err)
		}
		roles[name], tokens[name] = u, cred.Token
	}
	if _, err := e.svc.SetAdmin(ctx, nil, "admin", true); err != nil {
		t.Fatal(err)
	}
	// The admin's token holds the account as it was; read it again.
	admin, err := e.svc.Store.UserByUsername(ctx, "admin")
	if err != nil || !admin.IsAdmin() {
		t.Fatalf("granting admin: %+v %v", admin, err)
	}
	roles["admin"] = admin
	accounts := 0

	// fixture makes a session in the given state, wished by the guest, with
	// one open question by the guest (before the state change, so it exists
	// in every state), and returns the ids.
	type fixture struct{ session, question, user string }
	mk := func(t *testing.T, state ask2live.SessionState) fixture {
		t.Helper()
		starts := time.Now().Add(time.Hour)
		s, err := e.svc.CreateSession(ctx, roles["host"], ask2live.SessionInput{Title: "matrix", StartsAt: &starts, TargetGuests: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Wish(ctx, roles["guest"], s.ID); err != nil {
			t.Fatal(err)
		}
		q, err := e.svc.Ask(ctx, roles["guest"], s.ID, ask2live.QuestionInput{Text: "질문"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []ask2live.TeamRole{ask2live.TeamModerator, ask2live.TeamCoHost} {
			if _, err := e.svc.SetTeamRole(ctx, roles["host"], s.ID, string(r), r); err != nil {
				t.Fatal(err)
			}
		}
		steps := map[ask2live.SessionState][]func(context.Context, *ask2live.User, string) (*ask2live.Session, error){
			ask2live.StateReady:     nil,
			ask2live.StateScheduled: {e.svc.Confirm},
			ask2live.StateLive:      {e.svc.Confirm, e.svc.Start},
		}
		for _, step := range steps[state] {
			if _, err := step(ctx, roles["host"], s.ID); err != nil {
				t.Fatal(err)
			}
		}
		// An account for the administration's actions, suspended when the
		// session is cancelled (for unsuspend).
		accounts++
		name := fmt.Sprintf("account%d", accounts)
		if _, _, err := e.svc.Register(ctx, ask2live.RegisterInput{Username: name, Password: "password-x"}, ask2live.TokenBearer); err != nil {
			t.Fatal(err)
		}
		if state == ask2live.StateCancelled {
			if _, err := e.svc.SuspendUser(ctx, roles["admin"], name); err != nil {
				t.Fatal(err)
			}
		}
		return fixture{s.ID, q.ID, name}
	}

	// admin, moderator, cohost: 0 means the same as a stranger (an admin is
	// no one's host or guest; the team has no say in what is the host's
	// alone).
	type cell struct {
		host, guest, stranger, anonymous, admin, moderator, cohost int
	}
	cases := []struct {
		name   string
		state  ask2live.SessionState
		method string
		path   string // {s}, {q} and {u} are replaced by the fixture's ids and account
		body   any
		want   cell
	}{
		{"edit session", ask2live.StateReady, "PATCH", "/api/v1/sessions/{s}", map[string]string{"title": "new"}, cell{200, 403, 403, 401, 0, 0, 0}},
		{"cancel session", ask2live.StateReady, "DELETE", "/api/v1/sessions/{s}", nil, cell{200, 403, 403, 401, 0, 0, 0}},
		{"wish", ask2live.StateReady, "PUT", "/api/v1/sessions/{s}/wish", nil, cell{403, 200, 200, 401, 0, 0, 0}},
		{"withdraw wish", ask2live.StateReady, "DELETE", "/api/v1/sessions/{s}/wish", nil, cell{403, 200, 200, 401, 0, 0, 0}},
		{"confirm", ask2live.StateReady, "POST", "/api/v1/sessions/{s}/confirm", nil, cell{200, 403, 403, 401, 0, 0, 0}},
		{"start", ask2live.StateScheduled, "POST", "/api/v1/sessions/{s}/start", nil, cell{200, 403, 403, 401, 0, 0, 0}},
		{"end", ask2live.StateLive, "POST", "/api/v1/sessions/{s}/end", nil, cell{200, 403, 403, 401, 0, 403, 200}},
		{"ask", ask2live.StateLive, "POST", "/api/v1/sessions/{s}/questions", map[string]string{"text": "새 질문"}, cell{201, 201, 201, 401, 0, 0, 0}},
		{"edit question text", ask2live.StateLive, "PATCH", "/api/v1/questions/{q}", map[string]string{"text": "수정"}, cell{403, 200, 403, 401, 0, 0, 0}},
		{"set question state", ask2live.StateLive, "PATCH", "/api/v1/questions/{q}", map[string]string{"state": "answered"}, cell{200, 403, 403, 401, 0, 200, 200}},
		{"delete question", ask2live.StateLive, "DELETE", "/api/v1/questions/{q}", nil, cell{204, 204, 403, 401, 0, 204, 204}},
		{"vote", ask2live.StateLive, "PUT", "/api/v1/questions/{q}/vote", nil, cell{200, 403, 200, 401, 0, 0, 0}},
		{"unvote", ask2live.StateLive, "DELETE", "/api/v1/questions/{q}/vote", nil, cell{200, 403, 200, 401, 0, 0, 0}},
		{"pin", ask2live.StateLive, "PUT", "/api/v1/questions/{q}/pin", nil, cell{200, 403, 403, 401, 0, 200, 200}},
		{"unpin", ask2live.StateLive, "DELETE", "/api/v1/questions/{q}/pin", nil, cell{200, 403, 403, 401, 0, 200, 200}},
		{"slow mode", ask2live.StateLive, "PUT", "/api/v1/sessions/{s}/chat-slow-mode", map[string]int{"seconds": 30}, cell{200, 403, 403, 401, 0, 200, 200}},
		// Only the host makes the team, before or during the session.
		{"appoint to the team", ask2live.StateReady, "PUT", "/api/v1/sessions/{s}/team/{u}", map[string]string{"role": "moderator"}, cell{200, 403, 403, 401, 0, 0, 0}},
		{"appoint during the session", ask2live.StateLive, "PUT", "/api/v1/sessions/{s}/team/{u}", map[string]string{"role": "cohost"}, cell{200, 403, 403, 401, 0, 0, 0}},
		{"take off the team", ask2live.StateLive, "DELETE", "/api/v1/sessions/{s}/team/moderator", nil, cell{200, 403, 403, 401, 0, 0, 0}},
		{"create session", ask2live.StateReady, "POST", "/api/v1/sessions", map[string]any{"title": "t", "open_now": true}, cell{201, 201, 201, 401, 0, 0, 0}},
		{"edit profile", ask2live.StateReady, "PATCH", "/api/v1/me", map[string]string{"bio": "hi"}, cell{200, 200, 200, 401, 0, 0, 0}},
		{"upload avatar", ask2live.StateReady, "PUT", "/api/v1/me/avatar", "avatar", cell{200, 200, 200, 401, 0, 0, 0}},
		// Each user makes and revokes only their own calendar feed: the
		// routes name no one else's.
		{"make calendar feed", ask2live.StateReady, "POST", "/api/v1/me/calendar-feed", nil, cell{201, 201, 201, 401, 0, 0, 0}},
		{"revoke calendar feed", ask2live.StateReady, "DELETE", "/api/v1/me/calendar-feed", nil, cell{204, 204, 204, 401, 0, 0, 0}},

		{"admin: list accounts", ask2live.StateReady, "GET", "/api/v1/admin/users?q=account", nil, cell{403, 403, 403, 401, 200, 0, 0}},
		{"admin: suspend", ask2live.StateReady, "POST", "/api/v1/admin/users/{u}/suspend", nil, cell{403, 403, 403, 401, 200, 0, 0}},
		{"admin: unsuspend", ask2live.StateCancelled, "POST", "/api/v1/admin/users/{u}/unsuspend", nil, cell{403, 403, 403, 401, 200, 0, 0}},
		{"admin: delete account", ask2live.StateReady, "DELETE", "/api/v1/admin/users/{u}", nil, cell{403, 403, 403, 401, 200, 0, 0}},
		{"admin: end live session", ask2live.StateLive, "POST", "/api/v1/admin/sessions/{s}/end", nil, cell{403, 403, 403, 401, 200, 0, 0}},
		{"admin: cancel upcoming session", ask2live.StateScheduled, "POST", "/api/v1/admin/sessions/{s}/end", nil, cell{403, 403, 403, 401, 200, 0, 0}},
		{"admin: remove session", ask2live.StateLive, "POST", "/api/v1/admin/sessions/{s}/remove", nil, cell{403, 403, 403, 401, 200, 0, 0}},
		{"admin: audit log", ask2live.StateReady, "GET", "/api/v1/admin/audit", nil, cell{403, 403, 403, 401, 200, 0, 0}},
		// An admin is not the host: the host's own actions stay the host's.
		{"edit session (admin)", ask2live.StateReady, "PATCH", "/api/v1/sessions/{s}", map[string]string{"title": "new"}, cell{200, 403, 403, 401, 403, 0, 0}},
	}
	for _, c := range cases {
		for _, role := range []string{"admin", "host", "moderator", "cohost", "guest", "stranger", "anonymous"} {
			orStranger := func(n int) int {
				if n == 0 {
					return c.want.stranger
				}
				return n
			}
			want := map[string]int{"host": c.want.host, "guest": c.want.guest, "stranger": c.want.stranger, "anonymous": c.want.anonymous,
				"admin": orStranger(c.want.admin), "moderator": orStranger(c.want.moderator), "cohost": orStranger(c.want.cohost)}[role]
			t.Run(c.name+"/"+role, func(t *testing.T) {
				f := mk(t, c.state)
				path := strings.NewReplacer("{s}", f.session, "{q}", f.question, "{u}", f.user).Replace(c.path)
				var r response
				if c.body == "avatar" {
					r = e.multipart(path, tokens[role], pngImage(64, 64))
				} else {
					r = e.do(c.method, path, tokens[role], c.body)
				}
				if r.status != want {
					t.Fatalf("%s %s as %s = %d, want %d: %s", c.method, c.path, role, r.status, want, r.body)
				}
				if want >= 400 {
					r.problem(t)
				}
			})
		}
	}
	// Logging out: every signed-in role may, anonymous may not.
	for role, want := range map[string]int{"admin": 204, "host": 204, "moderator": 204, "cohost": 204, "guest": 204, "stranger": 204, "anonymous": 401} {
		if r := e.do("POST", "/api/v1/auth/logout", tokens[role], nil); r.status != want {
			t.Errorf("logout as %s = %d, want %d", role, r.status, want)
		}
	}
}

func (e *env) multipart(path, token string, data []byte) response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "a.png")
	fw.Write(data)
	mw.Close()
	return e.do("PUT", path, token, buf.Bytes(), "Content-Type", mw.FormDataContentType())
}

// TestCSRF: cookie-authenticated writes need the double-submit token and a
// same-site origin; bearer requests need neither.
func TestCSRF(t *testing.T) {
	e := newEnv(t, "sqlite")
	r := e.do("POST", "/api/v1/auth/register", "", map[string]string{"username": "browser", "password": "password-x"})
	if r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var session, csrf string
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		switch c.Name {
		case "ask2live_session":
			session = c.Value
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie must be HttpOnly and SameSite=Lax: %+v", c)
			}
		case "ask2live_csrf":
			csrf = c.Value
		}
	}
	if session == "" || csrf == "" {
		t.Fatal("log-in did not set both cookies")
	}
	cookies := "ask2live_session=" + session + "; ask2live_csrf=" + csrf
	body := map[string]string{"bio": "csrf"}

	if r := e.do("GET", "/api/v1/me", "", nil, "Cookie", cookies); r.status != 200 {
		t.Fatalf("cookie GET: %d", r.status)
	}
	r = e.do("PATCH", "/api/v1/me", "", body, "Cookie", cookies)
	if r.status != 403 || r.problem(t).Code != ask2live.EForbidden {
		t.Fatalf("cookie PATCH without token: %d %s", r.status, r.body)
	}
	if r := e.do("PATCH", "/api/v1/me", "", body, "Cookie", cookies, "X-CSRF-Token", "wrong"); r.status != 403 {
		t.Fatalf("cookie PATCH with a wrong token: %d", r.status)
	}
	if r := e.do("PATCH", "/api/v1/me", "", body, "Cookie", cookies, "X-CSRF-Token", csrf); r.status != 200 {
		t.Fatalf("cookie PATCH with token: %d %s", r.status, r.body)
	}
	if r := e.do("PATCH", "/api/v1/me", "", body, "Cookie", cookies, "X-CSRF-Token", csrf, "Origin", "https://evil.example"); r.status != 403 {
		t.Fatalf("cross-site origin: %d", r.status)
	}
	var auth struct{ Token string }
	lr := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "browser", "password": "password-x"})
	if err := json.Unmarshal(lr.body, &auth); err != nil || auth.Token == "" {
		t.Fatalf("login: %s", lr.body)
	}
	// Logging in again while holding a session cookie needs no CSRF token:
	// log-in acts for nobody yet. A foreign origin is still refused.
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "browser", "password": "password-x"}, "Cookie", cookies); r.status != 200 {
		t.Fatalf("log-in with a cookie present: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "browser", "password": "password-x"}, "Origin", "https://evil.example"); r.status != 403 {
		t.Fatalf("log-in from a foreign origin: %d", r.status)
	}
	if r := e.do("PATCH", "/api/v1/me", auth.Token, body); r.status != 200 {
		t.Fatalf("bearer PATCH: %d %s", r.status, r.body)
	}
	// Log-out by cookie clears the cookies and revokes only that credential.
	r = e.do("POST", "/api/v1/auth/logout", "", nil, "Cookie", cookies, "X-CSRF-Token", csrf)
	if r.status != 204 || !strings.Contains(strings.Join(r.header.Values("Set-Cookie"), ";"), "Max-Age=0") {
		t.Fatalf("logout: %d %v", r.status, r.header.Values("Set-Cookie"))
	}
	if r := e.do("GET", "/api/v1/me", "", nil, "Cookie", cookies); r.status != 401 {
		t.Fatalf("revoked cookie still works: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/me", auth.Token, nil); r.status != 200 {
		t.Fatalf("cookie log-out revoked the bearer token too: %d", r.status)
	}
}
