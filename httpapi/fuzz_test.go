package httpapi

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
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

// FuzzHandlers sends arbitrary bodies to the write endpoints of a real server
// and requires a non-5xx answer.
func FuzzHandlers(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	db := storetest.Open(f, "sqlite")
	svc := ask2live.NewService(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc.Argon2 = ask2live.Argon2Params{Memory: 256, Time: 1, Threads: 1}
	srv := New(Config{LoginRate: 1 << 30, QuestionRate: 1 << 30}, svc, svc.Log)
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
	targets := []struct{ method, path string }{
		{"POST", "/api/v1/sessions"}, {"PATCH", "/api/v1/sessions/" + s.ID}, {"POST", "/api/v1/sessions/" + s.ID + "/questions"},
		{"PATCH", "/api/v1/questions/" + q.ID}, {"PATCH", "/api/v1/me"}, {"POST", "/api/v1/auth/login"},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, tg := range targets {
			req := httptest.NewRequest(tg.method, tg.path, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+cred.Token)
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s %s with %q: %d %s", tg.method, tg.path, body, rec.Code, rec.Body)
			}
			if rec.Code >= 400 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/problem+json") {
				t.Fatalf("%s %s: error without a problem document", tg.method, tg.path)
			}
		}
	})
}
