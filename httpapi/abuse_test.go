package httpapi_test

import (
	"context"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/httpapi"
)

// TestSpoofedForwardedFor: behind a proxy that appends the client's address
// (nginx's $proxy_add_x_forwarded_for), a client that sends a different
// made-up X-Forwarded-For each time still spends one address's log-in
// budget.
func TestSpoofedForwardedFor(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *httpapi.Config) {
		c.LoginRate = 3
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	var statuses []int
	for i := 0; i < 6; i++ {
		xff := fmt.Sprintf("203.0.113.%d, 198.51.100.7", i+1)
		r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": fmt.Sprint("user", i), "password": "guess-guess"},
			"X-Forwarded-For", xff)
		statuses = append(statuses, r.status)
	}
	if fmt.Sprint(statuses) != "[401 401 401 429 429 429]" {
		t.Fatalf("statuses %v: rotating the first hop got past the per-address limit", statuses)
	}
	// Another client behind the same proxy has its own budget.
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "user0", "password": "guess-guess"},
		"X-Forwarded-For", "198.51.100.8")
	if r.status != 401 {
		t.Fatalf("another client: %d %s", r.status, r.body)
	}
}

// TestPasswordGuessing: guessers spread over many addresses get the
// account's shared budget of guesses and no more, and while they hammer
// the owner still logs in from the address they signed up from; a guesser
// at the owner's address is bounded by that address's own budget.
func TestPasswordGuessing(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *httpapi.Config) {
		c.LoginRate = 10    // per address per minute
		c.LoginUserRate = 5 // per account per hour
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	})
	from := func(addr string) []string { return []string{"X-Forwarded-For", addr} }
	login := func(password, addr string) int {
		return e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "Victim", "password": password}, from(addr)...).status
	}
	owner := "198.51.100.1"
	if r := e.do("POST", "/api/v1/auth/register", "", map[string]string{"username": "victim", "password": "password-victim",
		"display_name": "v"}, from(owner)...); r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}

	// 200 guesses from 100 addresses, two each (under the per-address
	// limit), interleaved with the owner logging in.
	checked := 0
	for i := 0; i < 200; i++ {
		switch s := login(fmt.Sprint("guess-", i), fmt.Sprintf("203.0.%d.%d", i/2/250, i/2%250+1)); s {
		case 401:
			checked++
		case 429:
		default:
			t.Fatalf("guess %d: status %d", i, s)
		}
		if i%100 == 99 {
			if s := login("password-victim", owner); s != 200 {
				t.Fatalf("the owner, after %d guesses: status %d", i+1, s)
			}
		}
	}
	if checked != 5 {
		t.Fatalf("%d of 200 guesses were checked, want the account's budget of 5", checked)
	}
	// A new address waits like the guessers, even with the right password.
	if s := login("password-victim", "192.0.2.200"); s != 429 {
		t.Fatalf("the owner from a new address while the budget is spent: %d, want 429", s)
	}
	// Guessing from the owner's own address spends that address's budget
	// (5 an hour, two spent by the owner's log-ins above).
	checked = 0
	for i := 0; i < 10; i++ {
		if login(fmt.Sprint("near-", i), owner) == 401 {
			checked++
		}
	}
	if checked != 3 {
		t.Fatalf("%d guesses from the owner's address were checked, want the 3 left of its budget", checked)
	}
}

// TestWriteBudget: one account's changes over REST are bounded per minute
// (votes, wishes and the rest), answered 429 with Retry-After once spent,
// without touching another account's budget; log-out always works.
func TestWriteBudget(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *httpapi.Config) { c.WriteRate = 6 })
	ctx := context.Background()
	host, guest, other := e.register("host"), e.register("guest"), e.register("other")
	starts := time.Now().Add(24 * time.Hour)
	s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "쓰기 예산", TargetGuests: 5, StartsAt: &starts}))(t)
	q := must(host.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "투표할 질문"}))(t)
	for i := range 6 {
		var err error
		if i%2 == 0 {
			_, err = guest.Wish(ctx, s.ID)
		} else {
			_, err = guest.Vote(ctx, q.ID)
		}
		if err != nil {
			t.Fatalf("change %d: %v", i+1, err)
		}
	}
	_, err := guest.Unwish(ctx, s.ID)
	wantProblem(t, err, 429, ask2live.ERateLimited)
	r := e.do("PUT", "/api/v1/questions/"+q.ID+"/vote", guest.Token, nil)
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("over the budget: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	must(other.Vote(ctx, q.ID))(t)
	if err := guest.Logout(ctx); err != nil {
		t.Fatalf("log-out with the budget spent: %v", err)
	}
}
