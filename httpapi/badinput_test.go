package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/httpapi"
)

// TestBadInput: every kind of bad request gets the right 4xx problem, never
// a 500.
func TestBadInput(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *httpapi.Config) { c.MaxBodyBytes = 4096 })
	ctx := context.Background()
	host := e.register("host")
	guest := e.register("guest")
	starts := time.Now().Add(time.Hour)
	s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "t", StartsAt: &starts, TargetGuests: 2}))(t)
	live := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "live", OpenNow: true}))(t)
	q := must(guest.Ask(ctx, live.ID, ask2live.QuestionInput{Text: "q"}))(t)
	ht, gt := host.Token, guest.Token
	long := func(n int) string { return strings.Repeat("가", n) }
	jsonCT := []string{"Content-Type", "application/json"}

	cases := []struct {
		name         string
		method, path string
		token        string
		body         any
		headers      []string
		status       int
		code         ask2live.Code
		field        string
	}{
		{"malformed JSON", "POST", "/api/v1/sessions", ht, `{"title": "x",`, nil, 400, ask2live.EInvalid, ""},
		{"not an object", "POST", "/api/v1/sessions", ht, `[1,2]`, nil, 400, ask2live.EInvalid, ""},
		{"null body", "PATCH", "/api/v1/me", gt, `null`, nil, 400, ask2live.EInvalid, ""},
		{"trailing data", "POST", "/api/v1/sessions", ht, `{"title":"x","open_now":true} {"again":1}`, nil, 400, ask2live.EInvalid, ""},
		{"unknown field", "POST", "/api/v1/sessions", ht, `{"title":"x","open_now":true,"admin":true}`, nil, 400, ask2live.EInvalid, "admin"},
		{"wrong type", "POST", "/api/v1/sessions", ht, `{"title":"x","target_guests":"many"}`, nil, 400, ask2live.EInvalid, "target_guests"},
		{"bad time", "POST", "/api/v1/sessions", ht, `{"title":"x","starts_at":"tomorrow"}`, nil, 400, ask2live.EInvalid, ""},
		{"empty body", "POST", "/api/v1/sessions", ht, "", nil, 400, ask2live.EInvalid, ""},
		{"missing title", "POST", "/api/v1/sessions", ht, map[string]any{"open_now": true}, nil, 422, ask2live.EInvalid, "title"},
		{"title too long", "POST", "/api/v1/sessions", ht, map[string]any{"title": long(101), "open_now": true}, nil, 422, ask2live.EInvalid, "title"},
		{"past start", "POST", "/api/v1/sessions", ht, map[string]any{"title": "x", "starts_at": "2001-01-01T00:00:00Z"}, nil, 422, ask2live.EInvalid, "starts_at"},
		{"negative target", "POST", "/api/v1/sessions", ht, map[string]any{"title": "x", "open_now": true, "target_guests": -1}, nil, 422, ask2live.EInvalid, "target_guests"},
		{"body too large", "POST", "/api/v1/sessions", ht, `{"title":"` + strings.Repeat("a", 5000) + `"}`, nil, 413, ask2live.ETooLarge, ""},
		{"wrong content type", "POST", "/api/v1/sessions", ht, `title=x`, []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, ask2live.EUnsupported, ""},
		{"missing content type", "POST", "/api/v1/sessions", ht, `{"title":"x"}`, []string{"Content-Type", ""}, 415, ask2live.EUnsupported, ""},
		{"question too long", "POST", "/api/v1/sessions/" + s.ID + "/questions", gt, map[string]string{"text": long(501)}, nil, 422, ask2live.EInvalid, "text"},
		{"empty question", "POST", "/api/v1/sessions/" + s.ID + "/questions", gt, map[string]string{"text": "   "}, nil, 422, ask2live.EInvalid, "text"},
		{"bad kind", "POST", "/api/v1/sessions/" + s.ID + "/questions", gt, map[string]string{"text": "x", "kind": "video"}, nil, 422, ask2live.EInvalid, "kind"},
		{"bad question state", "PATCH", "/api/v1/questions/" + q.ID, ht, map[string]string{"state": "done"}, nil, 422, ask2live.EInvalid, "state"},
		{"text and state", "PATCH", "/api/v1/questions/" + q.ID, gt, map[string]string{"text": "x", "state": "open"}, nil, 422, ask2live.EInvalid, "state"},
		{"neither", "PATCH", "/api/v1/questions/" + q.ID, gt, map[string]string{}, nil, 422, ask2live.EInvalid, "text"},
		{"bio too long", "PATCH", "/api/v1/me", gt, map[string]string{"bio": strings.Repeat("b", 1001)}, nil, 422, ask2live.EInvalid, "bio"},
		{"empty display name", "PATCH", "/api/v1/me", gt, map[string]string{"display_name": " "}, nil, 422, ask2live.EInvalid, "display_name"},
		{"null field", "PATCH", "/api/v1/me", gt, `{"bio": 5}`, nil, 400, ask2live.EInvalid, "bio"},
		{"unknown session", "GET", "/api/v1/sessions/nope", "", nil, nil, 404, ask2live.ENotFound, ""},
		{"unknown session wish", "PUT", "/api/v1/sessions/nope/wish", gt, nil, nil, 404, ask2live.ENotFound, ""},
		{"unknown question", "PATCH", "/api/v1/questions/nope", gt, map[string]string{"text": "x"}, nil, 404, ask2live.ENotFound, ""},
		{"unknown question vote", "PUT", "/api/v1/questions/nope/vote", gt, nil, nil, 404, ask2live.ENotFound, ""},
		{"unknown route", "GET", "/api/v1/nothing", "", nil, nil, 404, ask2live.ENotFound, ""},
		{"wrong method", "PUT", "/api/v1/feed", "", nil, nil, 405, ask2live.EInvalid, ""},
		{"bad cursor", "GET", "/api/v1/sessions?cursor=!!!", "", nil, nil, 400, ask2live.EInvalid, "cursor"},
		{"bad limit", "GET", "/api/v1/sessions?limit=1000", "", nil, nil, 400, ask2live.EInvalid, ""},
		{"bad limit type", "GET", "/api/v1/sessions?limit=ten", "", nil, nil, 400, ask2live.EInvalid, ""},
		{"bad state filter", "GET", "/api/v1/sessions?state=open", "", nil, nil, 400, ask2live.EInvalid, "state"},
		{"wrong state", "POST", "/api/v1/sessions/" + s.ID + "/start", ht, nil, nil, 409, ask2live.EWrongState, ""},
		{"duplicate username", "POST", "/api/v1/auth/register", "", map[string]string{"username": "HOST", "password": "password1"}, nil, 409, ask2live.EConflict, "username"},
		{"short password", "POST", "/api/v1/auth/register", "", map[string]string{"username": "newbie", "password": "short"}, nil, 422, ask2live.EInvalid, "password"},
		{"bad username", "POST", "/api/v1/auth/register", "", map[string]string{"username": "김 철수", "password": "password1"}, nil, 422, ask2live.EInvalid, "username"},
		{"bad login", "POST", "/api/v1/auth/login", "", map[string]string{"username": "host", "password": "wrong-password"}, nil, 401, ask2live.EUnauthenticated, ""},
		{"unknown user login", "POST", "/api/v1/auth/login", "", map[string]string{"username": "ghost", "password": "whatever1"}, nil, 401, ask2live.EUnauthenticated, ""},
		{"bad bearer", "GET", "/api/v1/feed", "not-a-token", nil, nil, 401, ask2live.EUnauthenticated, ""},
		{"bad auth scheme", "GET", "/api/v1/feed", "", nil, []string{"Authorization", "Basic dXNlcjpwYXNz"}, 401, ask2live.EUnauthenticated, ""},
		{"avatar not multipart", "PUT", "/api/v1/me/avatar", gt, `{"file":"x"}`, nil, 415, ask2live.EUnsupported, ""},
		{"unknown media", "GET", "/media/avatars/none.jpg", "", nil, nil, 404, ask2live.ENotFound, ""},
		{"live room when not mounted", "GET", "/api/v1/sessions/" + live.ID + "/live", gt, nil, nil, 503, ask2live.EUnavailable, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			headers := c.headers
			if _, isString := c.body.(string); isString && headers == nil {
				headers = jsonCT
			}
			r := e.do(c.method, c.path, c.token, c.body, headers...)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			p := r.problem(t)
			if p.Code != c.code || p.Status != c.status || p.Detail == "" {
				t.Fatalf("problem = %+v, want code %s", p, c.code)
			}
			if c.field != "" {
				found := false
				for _, f := range p.Errors {
					found = found || f.Field == c.field
				}
				if !found {
					t.Fatalf("problem does not name field %q: %+v", c.field, p.Errors)
				}
			}
			if c.status == 405 && r.header.Get("Allow") == "" {
				t.Fatal("405 without Allow")
			}
		})
	}

	// Oversized avatar: 413.
	big := bytes.Repeat([]byte{0}, ask2live.AvatarMaxBytes+10)
	if r := e.multipart("/api/v1/me/avatar", gt, big); r.status != 413 || r.problem(t).Code != ask2live.ETooLarge {
		t.Fatalf("oversized avatar: %d %s", r.status, r.body)
	}
	// A truncated image: a 4xx, not a 500.
	png := pngImage(100, 100)
	if r := e.multipart("/api/v1/me/avatar", gt, png[:len(png)/2]); r.status != 422 {
		t.Fatalf("truncated image: %d %s", r.status, r.body)
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *httpapi.Config) { c.LoginRate = 3 })
	e.register("victim") // counts against the address too
	var last response
	for i := 0; i < 3; i++ {
		last = e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "victim", "password": "guess-" + strconv.Itoa(i)})
	}
	if last.status != 401 && last.status != 429 {
		t.Fatalf("attempts before the limit: %d", last.status)
	}
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "victim", "password": "password-victim"})
	if r.status != 429 || r.problem(t).Code != ask2live.ERateLimited {
		t.Fatalf("over the limit: %d %s", r.status, r.body)
	}
	if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
	}
}

func TestQuestionRateLimit(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *httpapi.Config) { c.QuestionRate = 2 })
	ctx := context.Background()
	host, guest := e.register("host"), e.register("guest")
	s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "t", OpenNow: true}))(t)
	for i := 0; i < 2; i++ {
		must(guest.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "q" + strconv.Itoa(i)}))(t)
	}
	_, err := guest.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "one too many"})
	wantProblem(t, err, 429, ask2live.ERateLimited)
	must(host.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "others are not limited"}))(t)
}

// TestOpenAPIMatchesRoutes: the document lists every route of the mux with
// its path parameters, and the schemas carry the contract's field names.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, "sqlite")
	r := e.do("GET", "/api/openapi.json", "", nil)
	var doc struct {
		OpenAPI    string                                `json:"openapi"`
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("document: %v %q", err, doc.OpenAPI)
	}
	param := regexp.MustCompile(`\{([a-z_]+)(\.\.\.)?\}`)
	n := 0
	for _, rt := range e.api.Routes() {
		method, path, _ := strings.Cut(rt, " ")
		if path == "/" || path == "/api/" {
			continue
		}
		n++
		p := param.ReplaceAllString(path, "{$1}")
		if _, ok := doc.Paths[p][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in the OpenAPI document", rt)
		}
	}
	documented := 0
	for _, ops := range doc.Paths {
		documented += len(ops)
	}
	if documented != n {
		t.Errorf("document has %d operations, the mux %d routes", documented, n)
	}
	contract := map[string][]string{
		"Session":      {"id", "title", "description", "state", "starts_at", "started_at", "ended_at", "target_guests", "wish_count", "wished_by_me", "question_count", "participant_count", "host"},
		"User":         {"username", "display_name", "company", "work_field", "bio", "avatar_url"},
		"Question":     {"id", "session_id", "kind", "text", "state", "phase", "votes", "voted_by_me", "author", "created_at", "answered_at"},
		"Problem":      {"type", "title", "status", "detail", "code", "errors"},
		"Feed":         {"wished_live", "live", "upcoming", "recruiting"},
		"QuestionPage": {"items", "next_cursor"},
	}
	for schema, fields := range contract {
		for _, f := range fields {
			if _, ok := doc.Components.Schemas[schema].Properties[f]; !ok {
				t.Errorf("schema %s lacks the contract field %q", schema, f)
			}
		}
	}
	if r := e.do("GET", "/api/docs/", "", nil); r.status != 200 || !bytes.Contains(r.body, []byte("openapi.json")) {
		t.Errorf("Swagger UI: %d", r.status)
	}
	for _, asset := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllSubmatch(e.do("GET", "/api/docs/", "", nil).body, -1) {
		u := string(asset[1])
		if strings.HasPrefix(u, "http") {
			t.Errorf("Swagger UI loads %s from the network", u)
			continue
		}
		if !strings.HasPrefix(u, "/") {
			u = "/api/docs/" + u
		}
		if r := e.do("GET", u, "", nil); r.status != http.StatusOK {
			t.Errorf("Swagger UI asset %s: %d", u, r.status)
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	e := newEnv(t, "sqlite")
	if r := e.do("GET", "/healthz", "", nil); r.status != 200 {
		t.Fatalf("healthz: %d", r.status)
	}
	if r := e.do("GET", "/readyz", "", nil); r.status != 200 || !bytes.Contains(r.body, []byte(`"ready":true`)) {
		t.Fatalf("readyz: %d %s", r.status, r.body)
	}
	e.do("GET", "/api/v1/feed", "", nil)
	r := e.do("GET", "/metrics", "", nil)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`ask2live_http_requests_total{route="GET /api/v1/feed",status="200"}`)) {
		t.Fatalf("metrics: %d\n%s", r.status, r.body)
	}
	if id := e.do("GET", "/healthz", "", nil, "X-Request-Id", "abc-123").header.Get("X-Request-Id"); id != "abc-123" {
		t.Fatalf("request id not echoed: %q", id)
	}
	if id := e.do("GET", "/healthz", "", nil, "X-Request-Id", "bad id").header.Get("X-Request-Id"); id == "" || strings.Contains(id, " ") {
		t.Fatalf("bad request id not replaced: %q", id)
	}
}
