package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/httpapi"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/store/storetest"
)

var cheapArgon = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}

// env is a real server (real store, real Service) on a loopback port.
type env struct {
	t    *testing.T
	api  *httpapi.Server
	svc  *ask2live.Service
	srv  *httptest.Server
	anon *apiclient.Client
	db   string // the database URL
}

func newEnv(t *testing.T, backend string, mutate ...func(*httpapi.Config)) *env {
	t.Helper()
	return newEnvWith(t, backend, func(_ *ask2live.Service, c *httpapi.Config) {
		for _, m := range mutate {
			m(c)
		}
	})
}

// newLiveEnv is newEnv with the live rooms and event stream mounted.
func newLiveEnv(t *testing.T, backend string, cfg live.Config) *env {
	t.Helper()
	var hub *live.Hub
	e := newEnvWith(t, backend, func(svc *ask2live.Service, c *httpapi.Config) {
		hub = live.NewHub(cfg, svc, live.NewMemoryBus(), nil, svc.Log, nil)
		svc.Notifier, svc.Presence, svc.Accounts = hub, hub, hub
		c.Live, c.Events = hub, hub.Events()
	})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := hub.Close(ctx); err != nil {
			t.Errorf("hub close: %v", err)
		}
	})
	return e
}

// newEnvWith builds the server; setup may change the Service and the
// configuration before the API is made.
func newEnvWith(t *testing.T, backend string, setup func(*ask2live.Service, *httpapi.Config)) *env {
	t.Helper()
	dbURL := storetest.URL(t, backend)
	db := storetest.OpenURL(t, dbURL)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := ask2live.NewService(db, log)
	svc.Argon2 = cheapArgon
	cfg := httpapi.Config{LoginRate: 1000, QuestionRate: 1000, WriteRate: 1000000}
	setup(svc, &cfg)
	api := httpapi.New(cfg, svc, log)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if n := api.ContractViolations(); n > 0 {
			t.Errorf("%d responses did not match their documented type", n)
		}
	})
	return &env{t: t, api: api, svc: svc, srv: srv, anon: apiclient.New(srv.URL, srv.Client()), db: dbURL}
}

// rows describes what the database holds (see storetest.Digest), leaving
// out the presence intervals live sockets record as they come and go.
func (e *env) rows(t *testing.T) string {
	t.Helper()
	return storetest.Digest(t, e.db, "participations")
}

func (e *env) register(name string) *apiclient.Client {
	e.t.Helper()
	c, _, err := e.anon.Register(context.Background(), name, "password-"+name, "사용자 "+name)
	if err != nil {
		e.t.Fatalf("register %s: %v", name, err)
	}
	return c
}

// response is a raw answer, for tables that check statuses and codes.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) problem(t *testing.T) httpapi.Problem {
	t.Helper()
	var p httpapi.Problem
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json (body %s)", ct, r.body)
	}
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatalf("problem body %q: %v", r.body, err)
	}
	return p
}

// do sends a raw request. who is a bearer token ("" anonymous); body is sent
// as JSON unless it is already []byte or a string.
func (e *env) do(method, path, token string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

func pngImage(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.NRGBA{0, 128, 255, 255})
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// must checks a call's error: must(c.Feed(ctx))(t).
func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func wantProblem(t *testing.T, err error, status int, code ask2live.Code) {
	t.Helper()
	p, ok := err.(*apiclient.Problem)
	if !ok || p.Status != status || p.Code != code {
		t.Fatalf("error = %v, want %d %s", err, status, code)
	}
}
