package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// adminEnv is a live env with an admin granted as on the command line.
func adminEnv(t *testing.T) (*env, string) {
	t.Helper()
	e := newLiveEnv(t, "sqlite", live.Config{})
	e.register("admin")
	if _, err := e.svc.SetAdmin(context.Background(), nil, "admin", true); err != nil {
		t.Fatal(err)
	}
	return e, e.login("admin")
}

func (e *env) login(name string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": name, "password": "password-" + name})
	if r.status != 200 {
		e.t.Fatalf("log in %s: %d %s", name, r.status, r.body)
	}
	var a struct{ Token string }
	_ = json.Unmarshal(r.body, &a)
	return a.Token
}

// TestAdminSuspension: a suspended account loses every credential and its
// live socket at once, and its log-in is refused as suspended only once
// the password is proved right; lifting the suspension lets it back. An
// admin cannot suspend themselves; role and standing appear only to admins
// and to the user's own /me.
func TestAdminSuspension(t *testing.T) {
	e, at := adminEnv(t)
	ctx := context.Background()
	host, guest := e.register("host"), e.register("guest")
	s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "live", OpenNow: true}))(t)
	sock, err := liveclient.Dial(ctx, e.srv.URL, s.ID, guest.Token, liveclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Drop()
	gt := guest.Token
	// Warm the credential cache, as a browser that just used the token.
	if r := e.do("GET", "/api/v1/me", gt, nil); r.status != 200 || !bytes.Contains(r.body, []byte(`"admin":false`)) {
		t.Fatalf("guest /me: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/me", at, nil); !bytes.Contains(r.body, []byte(`"admin":true`)) {
		t.Fatalf("admin /me: %s", r.body)
	}

	if r := e.do("POST", "/api/v1/admin/users/admin/suspend", at, nil); r.status != 403 {
		t.Fatalf("suspending oneself: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/admin/users/nobody/suspend", at, nil); r.status != 404 {
		t.Fatalf("suspending nobody: %d %s", r.status, r.body)
	}
	r := e.do("POST", "/api/v1/admin/users/GUEST/suspend", at, nil)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"suspended_at":"`)) {
		t.Fatalf("suspend: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/me", gt, nil); r.status != 401 {
		t.Fatalf("the suspended guest's token: %d", r.status)
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		if _, err := sock.Next(wait); err != nil {
			if code := liveclient.CloseCode(err); code != live.CloseUnauthorized {
				t.Fatalf("the suspended guest's socket closed with %d (%v)", code, err)
			}
			break
		}
	}
	if r := e.do("POST", "/api/v1/admin/users/guest/suspend", at, nil); r.status != 409 {
		t.Fatalf("suspending twice: %d", r.status)
	}
	r = e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "guest", "password": "wrong-password"})
	if r.status != 401 {
		t.Fatalf("a wrong password for a suspended account: %d %s (must not reveal the suspension)", r.status, r.body)
	}
	r = e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "guest", "password": "password-guest"})
	if r.status != 403 || !strings.Contains(r.problem(t).Detail, "suspended") {
		t.Fatalf("the suspended guest's log-in: %d %s", r.status, r.body)
	}
	// Standing is for admins only.
	for _, path := range []string{"/api/v1/users/guest", "/api/v1/sessions/" + s.ID} {
		if r := e.do("GET", path, at, nil); bytes.Contains(r.body, []byte("suspended")) || bytes.Contains(r.body, []byte("role")) {
			t.Errorf("%s shows the standing: %s", path, r.body)
		}
	}
	r = e.do("GET", "/api/v1/admin/users?q=gue", at, nil)
	var page ask2live.AdminUserPage
	if err := json.Unmarshal(r.body, &page); err != nil || len(page.Items) != 1 || page.Items[0].SuspendedAt == nil {
		t.Fatalf("admin listing: %d %s", r.status, r.body)
	}

	if r := e.do("POST", "/api/v1/admin/users/guest/unsuspend", at, nil); r.status != 200 {
		t.Fatalf("unsuspend: %d %s", r.status, r.body)
	}
	e.login("guest")

	r = e.do("GET", "/api/v1/admin/audit", at, nil)
	var log ask2live.AuditPage
	if err := json.Unmarshal(r.body, &log); err != nil || len(log.Items) != 3 {
		t.Fatalf("audit log: %d %s", r.status, r.body)
	}
	for i, want := range []string{ask2live.AuditUnsuspendUser, ask2live.AuditSuspendUser, ask2live.AuditGrantAdmin} {
		if log.Items[i].Action != want {
			t.Errorf("audit entry %d: %s, want %s", i, log.Items[i].Action, want)
		}
	}
	if log.Items[0].Actor == nil || log.Items[0].Actor.Username != "admin" || log.Items[0].Target != "guest" || log.Items[2].Actor != nil {
		t.Errorf("audit actors and targets: %s", r.body)
	}
	for _, q := range []string{"cursor=%00", "cursor=nope", "limit=0", "limit=101"} {
		if r := e.do("GET", "/api/v1/admin/audit?"+q, at, nil); r.status != 400 {
			t.Errorf("audit ?%s: %d", q, r.status)
		}
	}
	// A suspended admin is no admin.
	e.register("second")
	if _, err := e.svc.SetAdmin(ctx, nil, "second", true); err != nil {
		t.Fatal(err)
	}
	st := e.login("second")
	if r := e.do("POST", "/api/v1/admin/users/second/suspend", at, nil); r.status != 200 {
		t.Fatalf("suspending another admin: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/admin/audit", st, nil); r.status != 401 {
		t.Fatalf("the suspended admin: %d", r.status)
	}
}

// TestAdminDeletion: a deleted account's personal data and avatar are gone,
// it cannot log in, its username stays taken and its questions stay, under
// the neutral name.
func TestAdminDeletion(t *testing.T) {
	e, at := adminEnv(t)
	ctx := context.Background()
	host, guest := e.register("host"), e.register("guest")
	if r := e.do("PATCH", "/api/v1/me", guest.Token, map[string]string{"bio": "내 소개", "company": "회사"}); r.status != 200 {
		t.Fatalf("profile: %d %s", r.status, r.body)
	}
	r := e.multipart("/api/v1/me/avatar", guest.Token, pngImage(64, 64))
	var av struct {
		AvatarURL string `json:"avatar_url"`
	}
	if err := json.Unmarshal(r.body, &av); err != nil || av.AvatarURL == "" {
		t.Fatalf("avatar: %d %s", r.status, r.body)
	}
	s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "live", OpenNow: true}))(t)
	q := must(guest.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "남는 질문"}))(t)

	if r := e.do("DELETE", "/api/v1/admin/users/admin", at, nil); r.status != 403 {
		t.Fatalf("deleting oneself: %d", r.status)
	}
	if r := e.do("DELETE", "/api/v1/admin/users/guest", at, nil); r.status != 200 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/users/guest", "", nil)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"display_name":"deleted user"`)) ||
		bytes.Contains(r.body, []byte("내 소개")) || bytes.Contains(r.body, []byte("회사")) || bytes.Contains(r.body, []byte("/media/")) {
		t.Fatalf("the deleted profile: %d %s", r.status, r.body)
	}
	if r := e.do("GET", av.AvatarURL, "", nil); r.status != 404 {
		t.Fatalf("the deleted account's avatar: %d", r.status)
	}
	r = e.do("GET", "/api/v1/sessions/"+s.ID+"/questions", "", nil)
	if !bytes.Contains(r.body, []byte(q.ID)) || !bytes.Contains(r.body, []byte(`"display_name":"deleted user"`)) {
		t.Fatalf("the deleted account's question: %s", r.body)
	}
	if r := e.do("GET", "/api/v1/me", guest.Token, nil); r.status != 401 {
		t.Fatalf("the deleted account's token: %d", r.status)
	}
	r = e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "guest", "password": "password-guest"})
	if r.status != 401 {
		t.Fatalf("the deleted account's log-in: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/api/v1/auth/register", "", map[string]string{"username": "guest", "password": "password-new"})
	if r.status != 409 {
		t.Fatalf("taking a deleted account's username: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/admin/users/guest/suspend", at, nil); r.status != 409 {
		t.Fatalf("suspending a deleted account: %d", r.status)
	}
}

// TestAdminSessions: an admin ends a live session, cancels an upcoming one,
// and removes an ended one from the host's profile and the archives; every
// action is in the audit log.
func TestAdminSessions(t *testing.T) {
	e, at := adminEnv(t)
	ctx := context.Background()
	host := e.register("host")
	liveS := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "live one", OpenNow: true}))(t)
	later := time.Now().Add(time.Hour)
	upcoming := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "later one", StartsAt: &later}))(t)

	sessionState := func(r response) ask2live.SessionState {
		var s ask2live.Session
		_ = json.Unmarshal(r.body, &s)
		return s.State
	}
	if r := e.do("POST", "/api/v1/admin/sessions/"+liveS.ID+"/end", at, nil); r.status != 200 || sessionState(r) != ask2live.StateEnded {
		t.Fatalf("end: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/admin/sessions/"+liveS.ID+"/end", at, nil); r.status != 409 {
		t.Fatalf("ending twice: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/admin/sessions/"+upcoming.ID+"/end", at, nil); r.status != 200 || sessionState(r) != ask2live.StateCancelled {
		t.Fatalf("end an upcoming one: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/users/host", "", nil); !bytes.Contains(r.body, []byte(liveS.ID)) {
		t.Fatalf("the ended session is not among the host's past sessions: %s", r.body)
	}
	if r := e.do("POST", "/api/v1/admin/sessions/"+liveS.ID+"/remove", at, nil); r.status != 200 || sessionState(r) != ask2live.StateCancelled {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/users/host", "", nil); bytes.Contains(r.body, []byte(liveS.ID)) {
		t.Fatalf("the removed session is still on the host's profile: %s", r.body)
	}
	if r := e.do("POST", "/api/v1/admin/sessions/"+liveS.ID+"/remove", at, nil); r.status != 409 {
		t.Fatalf("removing twice: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/admin/sessions/"+strings.Repeat("0", 26)+"/remove", at, nil); r.status != 404 {
		t.Fatalf("removing nothing: %d", r.status)
	}
	var log ask2live.AuditPage
	_ = json.Unmarshal(e.do("GET", "/api/v1/admin/audit?limit=3", at, nil).body, &log)
	var got []string
	for _, it := range log.Items {
		got = append(got, it.Action+" "+it.Target)
	}
	want := []string{ask2live.AuditRemoveSession + " " + liveS.ID, ask2live.AuditCancelSession + " " + upcoming.ID, ask2live.AuditEndSession + " " + liveS.ID}
	if strings.Join(got, ",") != strings.Join(want, ",") || log.NextCursor == "" {
		t.Fatalf("audit: %v (next %q), want %v", got, log.NextCursor, want)
	}
	if !strings.Contains(log.Items[0].Detail, "live one") {
		t.Errorf("the detail does not name the session: %q", log.Items[0].Detail)
	}
}
