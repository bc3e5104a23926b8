package httpapi_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

// TestTextAtTheEdge: NUL, other control characters, invalid UTF-8, blank
// names and bidirectional overrides are refused with a typed 4xx in every
// text field, query, path and cursor — the same on every database (PostgreSQL
// used to answer 500, SQLite and MySQL stored the NUL) — and nothing of them
// is stored.
func TestTextAtTheEdge(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		e := newEnv(t, backend)
		ctx := context.Background()
		host, guest := e.register("host"), e.register("guest")
		s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "t", OpenNow: true}))(t)
		q := must(guest.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "q"}))(t)
		later := time.Now().Add(time.Hour)
		sched := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "later", StartsAt: &later}))(t)
		ht, gt := host.Token, guest.Token
		before := e.rows(t)

		type tc struct {
			name         string
			method, path string
			token        string
			body         any
			status       int
			code         ask2live.Code
			field        string
		}
		var cases []tc
		// Every body text field, with each kind of bad text.
		bad := map[string]string{"NUL": "a\x00b", "escape": "a\x1b[31mb", "DEL": "a\x7fb", "C1": "a\u0085b", "CR": "a\rb"}
		type field struct {
			method, path, token, name string
			extra                     map[string]any
		}
		fields := []field{
			{"POST", "/api/v1/auth/register", "", "display_name", map[string]any{"username": "newbie", "password": "password1"}},
			{"POST", "/api/v1/auth/login", "", "username", map[string]any{"password": "password1"}},
			{"PATCH", "/api/v1/me", gt, "display_name", nil},
			{"PATCH", "/api/v1/me", gt, "company", nil},
			{"PATCH", "/api/v1/me", gt, "work_field", nil},
			{"PATCH", "/api/v1/me", gt, "bio", nil},
			{"POST", "/api/v1/sessions", ht, "title", map[string]any{"open_now": true}},
			{"POST", "/api/v1/sessions", ht, "description", map[string]any{"title": "x", "open_now": true}},
			{"PATCH", "/api/v1/sessions/" + sched.ID, ht, "title", nil},
			{"PATCH", "/api/v1/sessions/" + sched.ID, ht, "description", nil},
			{"POST", "/api/v1/sessions/" + s.ID + "/questions", gt, "text", nil},
			{"PATCH", "/api/v1/questions/" + q.ID, gt, "text", nil},
		}
		for _, f := range fields {
			for kind, v := range bad {
				body := map[string]any{f.name: v}
				for k, x := range f.extra {
					body[k] = x
				}
				cases = append(cases, tc{f.path + " " + f.name + " " + kind, f.method, f.path, f.token, body, 422, ask2live.EInvalid, f.name})
			}
		}
		// Names and titles must show something and keep their direction.
		for kind, v := range map[string]string{"zero-width only": "\u200b\u200c\u200d", "hangul filler": "\u3164", "word joiner": "\u2060\ufeff",
			"override": "abc\u202edef", "isolate": "\u2066abc\u2069", "newline": "a\nb"} {
			cases = append(cases,
				tc{"title " + kind, "POST", "/api/v1/sessions", ht, map[string]any{"title": v, "open_now": true}, 422, ask2live.EInvalid, "title"},
				tc{"display name " + kind, "PATCH", "/api/v1/me", gt, map[string]any{"display_name": v}, 422, ask2live.EInvalid, "display_name"})
		}
		// Invalid UTF-8 in a body is malformed JSON (RFC 8259 §8.1).
		for _, f := range fields {
			cases = append(cases, tc{f.path + " " + f.name + " invalid UTF-8", f.method, f.path, f.token, `{"` + f.name + `":"a` + "\xff" + `b"}`, 400, ask2live.EInvalid, ""})
		}
		// Queries and cursors: 400 naming the parameter.
		cursor := func(raw string) string { return url.QueryEscape(base64.RawURLEncoding.EncodeToString([]byte(raw))) }
		for name, v := range map[string]string{
			"q NUL": "q=a%00b", "q invalid": "q=%ff", "host NUL": "host=a%00b", "host invalid": "host=%ff%fe",
			"state NUL": "state=live%00", "cursor invalid": "cursor=%ff", "cursor NUL": "cursor=a%00b",
			"cursor holding NUL": "cursor=" + cursor("0000000000000000|a\x00b"), "cursor holding bad UTF-8": "cursor=" + cursor("0000000000000000|\xff"),
			"cursor with a bad key": "cursor=" + cursor("00000000000000\x00\x00|"+q.ID),
		} {
			p, _, _ := strings.Cut(name, " ")
			cases = append(cases, tc{"query " + name, "GET", "/api/v1/sessions?" + v, "", nil, 400, ask2live.EInvalid, p})
		}
		// Path ids that cannot exist are not found, without asking the database.
		for _, p := range []string{"/api/v1/sessions/a%00b", "/api/v1/sessions/%ff", "/api/v1/users/a%00b", "/api/v1/users/%ff",
			"/api/v1/sessions/a%00b/questions", "/media/a%00b", "/media/avatars/%ff.jpg"} {
			cases = append(cases, tc{"GET " + p, "GET", p, gt, nil, 404, ask2live.ENotFound, ""})
		}
		for _, p := range []string{"/api/v1/sessions/a%00b/wish", "/api/v1/questions/a%00b/vote"} {
			cases = append(cases, tc{"PUT " + p, "PUT", p, gt, nil, 404, ask2live.ENotFound, ""})
		}
		cases = append(cases, tc{"PATCH session NUL id", "PATCH", "/api/v1/sessions/a%00b", ht, map[string]any{"title": "x"}, 404, ask2live.ENotFound, ""})

		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do(c.method, c.path, c.token, c.body)
				if r.status != c.status {
					t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
				}
				p := r.problem(t)
				if p.Code != c.code {
					t.Fatalf("code %s, want %s", p.Code, c.code)
				}
				if c.field != "" && !namesField(p, c.field) {
					t.Fatalf("problem does not name %q: %+v", c.field, p.Errors)
				}
			})
		}
		if after := e.rows(t); after != before {
			t.Fatalf("rejected input changed the database:\nbefore %s\nafter  %s", before, after)
		}
		// What is allowed stays allowed: newlines and tabs in long text,
		// any script, and an invisible joiner inside visible text.
		bio, title := "줄 하나\n\t줄 둘", "세션 👩‍💻 z\u200dw"
		me := must(guest.UpdateMe(ctx, ask2live.ProfileUpdate{Bio: &bio}))(t)
		if me.Bio != bio {
			t.Fatalf("bio = %q", me.Bio)
		}
		if got := must(host.CreateSession(ctx, ask2live.SessionInput{Title: title, OpenNow: true}))(t); got.Title != title {
			t.Fatalf("title = %q", got.Title)
		}
	})
}

func namesField(p ask2live.Problem, field string) bool {
	for _, f := range p.Errors {
		if f.Field == field {
			return true
		}
	}
	return false
}
