package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/store/storetest"
)

// boot starts the whole program on a free port and returns its URL and a
// stop function that shuts it down the way SIGTERM does. The program must
// log no error of its own in the whole test, its shutdown included: the
// test fails with the records if it does.
func boot(t *testing.T, dbURL string, flags ...string) (string, func() error) {
	t.Helper()
	a, stop := bootApp(t, dbURL, flags...)
	return "http://" + a.Addr(), stop
}

// bootApp is boot that returns the App.
// signUp registers name (password "password-"+name) through c and returns
// the signed-in client.
func signUp(ctx context.Context, t *testing.T, c *apiclient.Client, name, displayName string) *apiclient.Client {
	t.Helper()
	u, _, err := c.Register(ctx, name, "password-"+name, displayName)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func bootApp(t *testing.T, dbURL string, flags ...string) (*App, func() error) {
	t.Helper()
	cfg, err := ParseConfig(append([]string{"-addr", "127.0.0.1:0", "-database-url", dbURL, "-data-dir", t.TempDir(),
		"-rtc-listen-ip", "127.0.0.1", "-rtc-udp-port", "0", "-rtc-tcp-port", "0"}, flags...),
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var errs lockedBuffer
	t.Cleanup(func() {
		var bad []string
		for _, line := range strings.Split(strings.TrimSpace(errs.String()), "\n") {
			// Request logs are about responses the test asked for (the
			// unbuilt web app's 503); the test checks those itself.
			if line != "" && !strings.Contains(line, " msg=http ") {
				bad = append(bad, line)
			}
		}
		if len(bad) > 0 {
			t.Errorf("the program logged errors:\n%s", strings.Join(bad, "\n"))
		}
	})
	a, err := New(context.Background(), cfg, slog.New(slog.NewTextHandler(&errs, &slog.HandlerOptions{Level: slog.LevelError})))
	if err != nil {
		t.Fatal(err)
	}
	a.Service().Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	if err := a.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	return a, func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			t.Fatal("shutdown did not finish")
			return nil
		}
	}
}

// lockedBuffer is a log sink for a program's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRestartKeepsData: data written through the API is there after the
// program stops and starts again, on every database.
func TestRestartKeepsData(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		dbURL := storetest.URL(t, backend)
		ctx := context.Background()
		url, stop := boot(t, dbURL)
		c := signUp(ctx, t, apiclient.New(url, nil), "keeper", "보관자")
		s, err := c.CreateSession(ctx, ask2live.SessionInput{Title: "다시 켜도 남는 세션", OpenNow: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "남아 있나요?"}); err != nil {
			t.Fatal(err)
		}
		if err := stop(); err != nil {
			t.Fatalf("graceful stop: %v", err)
		}

		url, stop = boot(t, dbURL)
		defer stop()
		c2, _, err := apiclient.New(url, nil).Login(ctx, "keeper", "password-keeper")
		if err != nil {
			t.Fatalf("log-in after restart: %v", err)
		}
		got, err := c2.Session(ctx, s.ID)
		if err != nil || got.Title != s.Title || got.State != ask2live.StateLive {
			t.Fatalf("session after restart: %+v %v", got, err)
		}
		qs, err := c2.Questions(ctx, s.ID)
		if err != nil || len(qs) != 1 || qs[0].Text != "남아 있나요?" {
			t.Fatalf("questions after restart: %v %v", qs, err)
		}
		// The old bearer token also survives: credentials are stored.
		old := apiclient.New(url, nil).As(c.Token)
		if _, err := old.Me(ctx); err != nil {
			t.Fatalf("token after restart: %v", err)
		}
	})
}

func TestServesWebAppPlaceholderAndAPI(t *testing.T) {
	url, stop := boot(t, "sqlite:"+t.TempDir()+"/a.db")
	defer stop()
	resp, err := apiclient.New(url, nil).HTTP.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// Either the built app or the clear "not built" page; never a bare 404.
	if resp.StatusCode != 200 && !(resp.StatusCode == 503 && bytes.Contains(body, []byte("not built"))) {
		t.Fatalf("GET /: %d %s", resp.StatusCode, body)
	}
}

// TestLiveRoomThroughTheProgram: the program serves live rooms; a question
// asked over REST reaches a socket; SIGTERM-style shutdown tells the socket
// to reconnect with 1001.
func TestLiveRoomThroughTheProgram(t *testing.T) {
	url, stop := boot(t, "sqlite:"+t.TempDir()+"/a.db")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	host := signUp(ctx, t, apiclient.New(url, nil), "host", "호스트")
	guest := signUp(ctx, t, apiclient.New(url, nil), "guest", "손님")
	s, err := host.CreateSession(ctx, ask2live.SessionInput{Title: "라이브", OpenNow: true})
	if err != nil {
		t.Fatal(err)
	}
	lc, err := liveclient.Dial(ctx, url, s.ID, guest.Token, liveclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if lc.First.Type != live.MsgSnapshot {
		t.Fatalf("first message %s", lc.First.Type)
	}
	q, err := host.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "REST에서 온 질문"})
	if err != nil {
		t.Fatal(err)
	}
	for {
		ev, err := lc.NextEvent(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == live.EvQuestion && ev.Question.ID == q.ID {
			break
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	for {
		if _, err := lc.Next(ctx); err != nil {
			if code := liveclient.CloseCode(err); code != live.CloseGoingAway {
				t.Fatalf("on shutdown the socket closed with %d (%v), want 1001", code, err)
			}
			break
		}
	}
}
