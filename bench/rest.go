package bench

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
)

// RESTConfig configures the rest scenario.
type RESTConfig struct {
	BaseURL     string
	Mix         string // "read" or "write"
	Rate        float64
	Duration    time.Duration
	MaxInFlight int
	Users       int // accounts created for the run
	Sessions    int // sessions created for the run
	Questions   int // pre-questions per session created up front
	// Decode parses every read response into the API's types. Without it
	// the read mix checks the status and reads the whole body but does not
	// parse it: parsing a main page of 50 sessions costs the load generator
	// several times what the server spends answering, and both share the
	// machine.
	Decode bool
}

// NewHTTPClient returns a client whose connection pool fits the concurrency.
func NewHTTPClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			MaxConnsPerHost:     conns,
			IdleConnTimeout:     30 * time.Second,
		},
	}
}

// runID makes names unique per run, so runs against one database do not
// collide.
func runID() string { return fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffffff) }

// fixture is the data a scenario runs against.
type fixture struct {
	users     []*apiclient.Client
	sessions  []string
	questions [][]string // per session
	authors   [][]int    // per session, index of the user who asked each question
}

func setupFixture(ctx context.Context, base *apiclient.Client, users, sessions, questions int) (*fixture, error) {
	id := runID()
	f := &fixture{}
	for i := range max(users, 3) {
		c, _, err := base.Register(ctx, fmt.Sprintf("b%s_%d", id, i), "bench-password", fmt.Sprintf("벤치 사용자 %d", i))
		if err != nil {
			return nil, fmt.Errorf("register: %w", err)
		}
		f.users = append(f.users, c)
	}
	host := f.users[0]
	for s := range max(sessions, 1) {
		starts := time.Now().Add(24 * time.Hour)
		sess, err := host.CreateSession(ctx, ask2live.SessionInput{
			Title: fmt.Sprintf("벤치마크 세션 %d", s), Description: "load test", StartsAt: &starts, TargetGuests: 1000,
		})
		if err != nil {
			return nil, fmt.Errorf("create session: %w", err)
		}
		f.sessions = append(f.sessions, sess.ID)
		var qs []string
		var authors []int
		for q := range questions {
			author := 1 + (s+q)%(len(f.users)-1)
			qq, err := f.users[author].Ask(ctx, sess.ID, ask2live.QuestionInput{Text: fmt.Sprintf("질문 %d-%d", s, q)})
			if err != nil {
				return nil, fmt.Errorf("ask: %w", err)
			}
			qs = append(qs, qq.ID)
			authors = append(authors, author)
		}
		f.questions = append(f.questions, qs)
		f.authors = append(f.authors, authors)
	}
	return f, nil
}

// RunREST runs the read or write mix and prints its report.
func RunREST(ctx context.Context, cfg RESTConfig, out io.Writer) error {
	hc := NewHTTPClient(cfg.MaxInFlight)
	base := apiclient.New(cfg.BaseURL, hc)
	fmt.Fprintf(out, "rest %s: %g req/s for %s against %s (decode %t)\n", cfg.Mix, cfg.Rate, cfg.Duration, cfg.BaseURL, cfg.Decode)
	f, err := setupFixture(ctx, base, cfg.Users, cfg.Sessions, cfg.Questions)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	var ops []*Stats
	var op func(ctx context.Context, i int) (*Stats, error)
	switch cfg.Mix {
	case "read":
		feed, detail, list := NewStats("GET feed"), NewStats("GET session"), NewStats("GET questions")
		ops = []*Stats{feed, detail, list}
		op = func(ctx context.Context, i int) (*Stats, error) {
			c := f.users[i%len(f.users)]
			sid := f.sessions[i%len(f.sessions)]
			if !cfg.Decode {
				switch i % 3 {
				case 0:
					return feed, c.Do(ctx, "GET", "/api/v1/feed", nil, nil)
				case 1:
					return detail, c.Do(ctx, "GET", "/api/v1/sessions/"+url.PathEscape(sid), nil, nil)
				default:
					return list, c.Do(ctx, "GET", "/api/v1/sessions/"+url.PathEscape(sid)+"/questions", nil, nil)
				}
			}
			switch i % 3 {
			case 0:
				_, err := c.Feed(ctx)
				return feed, err
			case 1:
				_, err := c.Session(ctx, sid)
				return detail, err
			default:
				_, err := c.Questions(ctx, sid)
				return list, err
			}
		}
	case "write":
		ask, vote, wish := NewStats("POST question"), NewStats("PUT vote"), NewStats("PUT/DELETE wish")
		ops = []*Stats{ask, vote, wish}
		var asked atomic.Int64
		op = func(ctx context.Context, i int) (*Stats, error) {
			s := i % len(f.sessions)
			sid := f.sessions[s]
			switch i % 3 {
			case 0:
				// Spread questions over every guest so no one user's
				// question rate is what the run measures.
				n := asked.Add(1)
				author := 1 + int(n)%(len(f.users)-1)
				_, err := f.users[author].Ask(ctx, sid, ask2live.QuestionInput{Text: fmt.Sprintf("부하 질문 %d", n)})
				return ask, err
			case 1:
				qs := f.questions[s]
				if len(qs) == 0 {
					return nil, nil
				}
				q := (i / 3) % len(qs)
				// Guests are users 1..g; an offset of 1..g-1 from the author
				// never lands on the author, who may not vote.
				g := len(f.users) - 1
				voter := 1 + (f.authors[s][q]-1+1+(i/3)%(g-1))%g
				c := f.users[voter]
				var err error
				if (i/3)%2 == 0 {
					_, err = c.Vote(ctx, qs[q])
				} else {
					_, err = c.Unvote(ctx, qs[q])
				}
				return vote, err
			default:
				c := f.users[1+i%(len(f.users)-1)]
				var err error
				if (i/3)%2 == 0 {
					_, err = c.Wish(ctx, sid)
				} else {
					_, err = c.Unwish(ctx, sid)
				}
				return wish, err
			}
		}
	default:
		return fmt.Errorf("unknown mix %q (want read or write)", cfg.Mix)
	}
	meter := StartMeter(cfg.BaseURL)
	elapsed, dropped := OpenLoop(ctx, cfg.Rate, cfg.Duration, cfg.MaxInFlight, op)
	cost := meter.Stop()
	all := NewStats("all")
	sums := make([]Summary, 0, len(ops)+1)
	for _, st := range ops {
		all.Merge(st)
		sums = append(sums, st.Summarize(elapsed))
	}
	total := all.Summarize(elapsed)
	sums = append(sums, total)
	err = Report(out, elapsed, sums...)
	cost.Report(out, int64(total.OK), "request")
	if dropped > 0 {
		return fmt.Errorf("%d arrivals dropped: more than %d requests in flight (the server cannot keep up with %g req/s)", dropped, cfg.MaxInFlight, cfg.Rate)
	}
	return err
}
