package httpapi

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

var fuzzSeeds = []string{
	`{"title":"x","open_now":true}`, `{"title":"x","starts_at":"2030-01-01T00:00:00Z","target_guests":3}`,
	`{"text":"질문","kind":"voice"}`, `{"state":"answered"}`, `{"display_name":"홍길동","bio":null}`,
	`{"username":"kim","password":"password1"}`, `{`, `[]`, `null`, `""`, `{"title":1e999}`, `{"a":{"b":[`,
	"\xff\xfe", `{"title":"x"}{"title":"y"}`, `{"target_guests":-9223372036854775809}`, `{"starts_at":"2030-13-45T99:99:99Z"}`,
}

// FuzzDecodeBody: the decoder returns a typed client error or nil for any
// input, for every request type, and never panics.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		targets := []any{&ask2live.SessionInput{}, &ask2live.SessionUpdate{}, &ask2live.QuestionInput{},
			&questionPatch{}, &ask2live.ProfileUpdate{}, &ask2live.RegisterInput{}, &loginInput{}}
		for _, v := range targets {
			err := decodeBody(bytes.NewReader(body), v)
			if err == nil {
				continue
			}
			if code := ask2live.ErrorCode(err); code != ask2live.EInvalid && code != ask2live.ETooLarge {
				t.Fatalf("decoding %q into %T: code %s (%v)", body, v, code, err)
			}
		}
	})
}

// fuzzServer is a real server over SQLite with a signed-in host, a live
// session and a question, for the fuzz targets that send requests.
func fuzzServer(f *testing.F) (srv *Server, token, sessionID, questionID string) {
	db := storetest.Open(f, "sqlite")
	svc := ask2live.NewService(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc.Argon2 = ask2live.Argon2Params{Memory: 256, Time: 1, Threads: 1}
	srv = New(Config{LoginRate: 1 << 30, QuestionRate: 1 << 30}, svc, svc.Log)
	ctx := context.Background()
	host, cred, err := svc.Register(ctx, ask2live.RegisterInput{Username: "fuzzhost", Password: "password1"}, ask2live.TokenBearer)
	if err != nil {
		f.Fatal(err)
	}
	s, err := svc.CreateSession(ctx, host, ask2live.SessionInput{Title: "fuzz", OpenNow: true})
	if err != nil {
		f.Fatal(err)
	}
	q, err := svc.Ask(ctx, host, s.ID, ask2live.QuestionInput{Text: "q"})
	if err != nil {
		f.Fatal(err)
	}
	return srv, cred.Token, s.ID, q.ID
}

// checkAnswer fails on a 5xx, and on an error that is not a problem document.
func checkAnswer(t *testing.T, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL, rec.Code, rec.Body)
	}
	if rec.Code >= 400 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
		t.Fatalf("%s %s: %d without a problem document", req.Method, req.URL, rec.Code)
	}
}

// FuzzHandlers sends arbitrary bodies to the write endpoints of a real server
// and requires a non-5xx answer.
func FuzzHandlers(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	srv, token, sid, qid := fuzzServer(f)
	targets := []struct{ method, path string }{
		{"POST", "/api/v1/sessions"}, {"PATCH", "/api/v1/sessions/" + sid}, {"POST", "/api/v1/sessions/" + sid + "/questions"},
		{"PATCH", "/api/v1/questions/" + qid}, {"PATCH", "/api/v1/me"}, {"POST", "/api/v1/auth/login"},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, tg := range targets {
			req := httptest.NewRequest(tg.method, tg.path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			checkAnswer(t, req, rec)
		}
	})
}

// FuzzRequestURL puts arbitrary bytes into the path ids and query values
// the API reads — ids, usernames, search text, filters, cursors, limits —
// and requires a non-5xx answer, an error being a problem document.
func FuzzRequestURL(f *testing.F) {
	for _, s := range []string{"", "nope", "a\x00b", "\xff", "06h116k0000000000000000001", "fuzzhost", "FUZZHOST", "live",
		"MDAwMDAwMDAwMDAwMDAwMHxhAGI", "cHJlfDB8MHxh", "100", "-1", "\u202e", "../x", "%", "a b", strings.Repeat("a", 300)} {
		f.Add(s)
	}
	srv, token, sid, _ := fuzzServer(f)
	f.Fuzz(func(t *testing.T, v string) {
		p, q := url.PathEscape(v), url.QueryEscape(v)
		for _, target := range []string{
			"/api/v1/sessions/" + p, "/api/v1/sessions/" + p + "/questions", "/api/v1/questions/" + p + "/vote",
			"/api/v1/users/" + p, "/media/avatars/" + p, "/api/v1/sessions?q=" + q, "/api/v1/sessions?host=" + q,
			"/api/v1/sessions?state=" + q, "/api/v1/sessions?cursor=" + q, "/api/v1/sessions?limit=" + q,
			"/api/v1/sessions/" + sid + "/questions?cursor=" + q, "/api/v1/sessions/" + sid + "/questions?limit=" + q,
			"/api/v1/feed?" + q + "=" + q,
			"/api/v1/sessions/" + p + "/calendar.ics", "/api/v1/calendar/" + p, "/api/v1/calendar/" + p + ".ics",
		} {
			method := "GET"
			if strings.HasSuffix(target, "/vote") {
				method = "PUT"
			}
			req := httptest.NewRequest(method, target, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			checkAnswer(t, req, rec)
		}
	})
}
