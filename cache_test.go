package ask2live_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/store/storetest"
)

// pausingStore stops one read after it has read the database, so a test can
// run a write between the read and the moment its result is cached.
type pausingStore struct {
	ask2live.Store
	mu   sync.Mutex
	hook func()
}

// pauseNextRead makes the next read block after reading; reached is closed
// then, and the read returns when release is closed.
func (p *pausingStore) pauseNextRead() (reached, release chan struct{}) {
	reached, release = make(chan struct{}), make(chan struct{})
	p.mu.Lock()
	p.hook = func() { close(reached); <-release }
	p.mu.Unlock()
	return reached, release
}

func (p *pausingStore) paused() {
	p.mu.Lock()
	hook := p.hook
	p.hook = nil
	p.mu.Unlock()
	if hook != nil {
		hook()
	}
}

func (p *pausingStore) SessionByID(ctx context.Context, id, viewerID string) (*ask2live.Session, error) {
	s, err := p.Store.SessionByID(ctx, id, viewerID)
	p.paused()
	return s, err
}

func (p *pausingStore) ListSessions(ctx context.Context, f ask2live.SessionFilter) (*ask2live.SessionPage, error) {
	page, err := p.Store.ListSessions(ctx, f)
	p.paused()
	return page, err
}

func (p *pausingStore) ListQuestions(ctx context.Context, sessionID, viewerID string) ([]*ask2live.Question, error) {
	qs, err := p.Store.ListQuestions(ctx, sessionID, viewerID)
	p.paused()
	return qs, err
}

func (p *pausingStore) Wishes(ctx context.Context, userID string) (map[string]bool, error) {
	ids, err := p.Store.Wishes(ctx, userID)
	p.paused()
	return ids, err
}

func (p *pausingStore) VotedQuestions(ctx context.Context, sessionID, userID string) (map[string]bool, error) {
	ids, err := p.Store.VotedQuestions(ctx, sessionID, userID)
	p.paused()
	return ids, err
}

// TestReadCacheRaceWithWrite: a read that saw the database before a write
// committed, and finishes after the write's invalidation, does not leave
// its older result in the cache — for each cached read, on every database.
func TestReadCacheRaceWithWrite(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		ps := &pausingStore{Store: storetest.Open(t, backend)}
		svc := ask2live.NewService(ps, slog.New(slog.NewTextHandler(io.Discard, nil)))
		svc.Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
		svc.Cache = ask2live.NewReadCache(ask2live.ReadCacheConfig{Entries: 100, Tokens: 100, ViewerSets: 100, MaxBytes: 64 << 20, MaxAge: time.Hour})
		host, _, err := svc.Register(ctx, ask2live.RegisterInput{Username: "host", Password: "password-host"}, ask2live.TokenBearer)
		if err != nil {
			t.Fatal(err)
		}
		guest, _, err := svc.Register(ctx, ask2live.RegisterInput{Username: "guest", Password: "password-guest"}, ask2live.TokenBearer)
		if err != nil {
			t.Fatal(err)
		}
		starts := time.Now().Add(time.Hour)
		s, err := svc.CreateSession(ctx, host, ask2live.SessionInput{Title: "경쟁", StartsAt: &starts, TargetGuests: 5})
		if err != nil {
			t.Fatal(err)
		}

		// race starts read, pauses it after its database read, runs write,
		// lets the read finish, and returns what a fresh read then sees.
		race := func(read func() error, write func()) {
			t.Helper()
			reached, release := ps.pauseNextRead()
			done := make(chan error, 1)
			go func() { done <- read() }()
			<-reached
			write()
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
		}

		race(func() error { _, err := svc.Session(ctx, s.ID, nil); return err }, func() {
			if _, err := svc.Wish(ctx, guest, s.ID); err != nil {
				t.Fatal(err)
			}
		})
		if got, err := svc.Session(ctx, s.ID, nil); err != nil || got.WishCount != 1 {
			t.Fatalf("session after a racing wish: %+v, %v", got, err)
		}

		race(func() error { _, err := svc.Feed(ctx, nil); return err }, func() {
			if _, err := svc.Unwish(ctx, guest, s.ID); err != nil {
				t.Fatal(err)
			}
		})
		if f, err := svc.Feed(ctx, nil); err != nil || len(f.Recruiting) != 1 || f.Recruiting[0].WishCount != 0 {
			t.Fatalf("feed after a racing unwish: %+v, %v", f, err)
		}

		// Warm the session entry so the question read pauses in its list.
		if _, err := svc.Session(ctx, s.ID, nil); err != nil {
			t.Fatal(err)
		}
		race(func() error { _, err := svc.Questions(ctx, s.ID, nil); return err }, func() {
			if _, err := svc.Ask(ctx, guest, s.ID, ask2live.QuestionInput{Text: "늦게 온 질문"}); err != nil {
				t.Fatal(err)
			}
		})
		qs, err := svc.Questions(ctx, s.ID, nil)
		if err != nil || len(qs) != 1 {
			t.Fatalf("questions after a racing ask: %d, %v", len(qs), err)
		}

		// The viewer's own sets: the public entries are warm, so the reads
		// pause in the per-viewer query.
		race(func() error { _, err := svc.Session(ctx, s.ID, guest); return err }, func() {
			if _, err := svc.Wish(ctx, guest, s.ID); err != nil {
				t.Fatal(err)
			}
		})
		if _, err := svc.Session(ctx, s.ID, nil); err != nil {
			t.Fatal(err)
		}
		if got, err := svc.Session(ctx, s.ID, guest); err != nil || !got.WishedByMe {
			t.Fatalf("wished_by_me after a racing wish: %+v, %v", got, err)
		}
		if _, err := svc.Questions(ctx, s.ID, nil); err != nil {
			t.Fatal(err)
		}
		race(func() error { _, err := svc.Questions(ctx, s.ID, host); return err }, func() {
			if _, err := svc.Vote(ctx, host, qs[0].ID); err != nil {
				t.Fatal(err)
			}
		})
		if _, err := svc.Questions(ctx, s.ID, nil); err != nil {
			t.Fatal(err)
		}
		if got, err := svc.Questions(ctx, s.ID, host); err != nil || !got[0].VotedByMe || got[0].Votes != 1 {
			t.Fatalf("voted_by_me after a racing vote: %+v, %v", got[0], err)
		}

		// A write that does not touch an entry does not keep a racing read
		// from caching it: a vote during a main-page read.
		svc.Cache.Invalidate(ask2live.Invalidation{All: true})
		race(func() error { _, err := svc.Feed(ctx, nil); return err }, func() {
			if _, err := svc.Unvote(ctx, host, qs[0].ID); err != nil {
				t.Fatal(err)
			}
		})
		if n := svc.Cache.Len(); n.Feed != 1 {
			t.Fatalf("the main page was not cached after a racing vote: %+v", n)
		}
	})
}

// TestReadCacheLimits: the cache keeps at most the configured number of
// entries, and a zero MaxAge turns it off.
func TestReadCacheLimits(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, "sqlite")
	svc := ask2live.NewService(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc.Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	cache := ask2live.NewReadCache(ask2live.ReadCacheConfig{Entries: 2, Tokens: 1, ViewerSets: 2, MaxBytes: 64 << 20, MaxAge: time.Hour})
	svc.Cache = cache
	host, _, err := svc.Register(ctx, ask2live.RegisterInput{Username: "host", Password: "password-host"}, ask2live.TokenBearer)
	if err != nil {
		t.Fatal(err)
	}
	starts := time.Now().Add(time.Hour)
	for range 5 {
		s, err := svc.CreateSession(ctx, host, ask2live.SessionInput{Title: "세션", StartsAt: &starts})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Questions(ctx, s.ID, host); err != nil {
			t.Fatal(err)
		}
		if n := cache.Len(); n.Sessions > 2 || n.Questions > 2 {
			t.Fatalf("cache holds %+v, limit 2", n)
		}
	}
	if ask2live.NewReadCache(ask2live.ReadCacheConfig{Entries: 10, MaxBytes: 1 << 20, MaxAge: 0}) != nil {
		t.Fatal("MaxAge 0 must turn the cache off")
	}

	// A byte budget of a few question lists: the cache never holds more,
	// and reads stay right.
	const budget = 16 << 10
	svc.Cache = ask2live.NewReadCache(ask2live.ReadCacheConfig{Entries: 100, Tokens: 10, ViewerSets: 100, MaxBytes: budget, MaxAge: time.Hour})
	for i := range 8 {
		s, err := svc.CreateSession(ctx, host, ask2live.SessionInput{Title: "큰 세션", StartsAt: &starts})
		if err != nil {
			t.Fatal(err)
		}
		for range 5 + i {
			if _, err := svc.Ask(ctx, host, s.ID, ask2live.QuestionInput{Text: strings.Repeat("긴 질문 ", 50)}); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			qs, err := svc.Questions(ctx, s.ID, host)
			if err != nil || len(qs) != 5+i {
				t.Fatalf("questions: %d, %v", len(qs), err)
			}
			if _, err := svc.Feed(ctx, host); err != nil {
				t.Fatal(err)
			}
		}
		if n := svc.Cache.Len(); n.Bytes > budget || n.Bytes < 0 {
			t.Fatalf("cache holds %d bytes, budget %d", n.Bytes, budget)
		}
	}
	svc.Cache.Invalidate(ask2live.Invalidation{All: true})
	if n := svc.Cache.Len(); n.Bytes != 0 || n.Questions != 0 || n.Sessions != 0 || n.Feed != 0 || n.ViewerSets != 0 {
		t.Fatalf("after dropping everything: %+v", n)
	}
}

// TestAppendJSONIsEncodingJSON: responses built from the cached encodings
// are byte for byte what encoding/json makes of the same values, for every
// viewer.
func TestAppendJSONIsEncodingJSON(t *testing.T) {
	ctx := context.Background()
	svc := ask2live.NewService(storetest.Open(t, "sqlite"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc.Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	reg := func(name string) *ask2live.User {
		u, _, err := svc.Register(ctx, ask2live.RegisterInput{Username: name, Password: "password-" + name, DisplayName: "<b>" + name + "</b> & 김"}, ask2live.TokenBearer)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	host, guest := reg("host"), reg("guest")
	starts := time.Now().Add(time.Hour)
	a, err := svc.CreateSession(ctx, host, ask2live.SessionInput{Title: "제목 <script>", Description: "\"따옴표\" \u2028 줄", StartsAt: &starts, TargetGuests: 2})
	if err != nil {
		t.Fatal(err)
	}
	live, err := svc.CreateSession(ctx, host, ask2live.SessionInput{Title: "라이브", OpenNow: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, live.ID} {
		if _, err := svc.Wish(ctx, guest, id); err != nil {
			t.Fatal(err)
		}
		q, err := svc.Ask(ctx, guest, id, ask2live.QuestionInput{Text: "질문 & <답>"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Ask(ctx, host, id, ask2live.QuestionInput{Text: "둘째"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Vote(ctx, host, q.ID); err != nil {
			t.Fatal(err)
		}
	}
	same := func(what string, v interface{ AppendJSON([]byte) []byte }) {
		t.Helper()
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.AppendJSON(nil); string(got) != string(want) {
			t.Fatalf("%s:\n AppendJSON %s\n json       %s", what, got, want)
		}
	}
	// Twice for each viewer: the first read fills the cache, the second is
	// served from it.
	for range 2 {
		for _, viewer := range []*ask2live.User{nil, host, guest} {
			f, err := svc.Feed(ctx, viewer)
			if err != nil {
				t.Fatal(err)
			}
			same("feed", f)
			for _, id := range []string{a.ID, live.ID} {
				s, err := svc.Session(ctx, id, viewer)
				if err != nil {
					t.Fatal(err)
				}
				same("session", s)
				s.ParticipantCount = 7 // people in the room: encoded afresh
				same("session with people in the room", s)
				qs, err := svc.Questions(ctx, id, viewer)
				if err != nil {
					t.Fatal(err)
				}
				for _, q := range qs {
					same("question", q)
				}
			}
		}
	}
	if got := string(ask2live.AppendJSONList[*ask2live.Session](nil, nil)); got != "null" {
		t.Fatalf("nil list = %s", got)
	}
}
