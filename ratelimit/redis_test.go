package ratelimit_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/ask2live/ask2live/ratelimit"
	"github.com/ask2live/ask2live/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// redisBackends returns n backends over separate Redis clients (as n
// nodes have) sharing one fresh prefix; every key made under it is deleted
// when the test ends.
func redisBackends(t *testing.T, n int) []ratelimit.Backend {
	t.Helper()
	url, prefix := storetest.Redis(t)
	opts, err := goredis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	var out []ratelimit.Backend
	for i := 0; i < n; i++ {
		c := goredis.NewClient(opts)
		t.Cleanup(func() { c.Close() })
		out = append(out, ratelimit.Redis(c, prefix, quiet))
	}
	return out
}

// TestRedisSharedBudget: two nodes' limiters over one Redis spend one
// budget, and marks made on one node are seen on the other.
func TestRedisSharedBudget(t *testing.T) {
	ctx := context.Background()
	nodes := redisBackends(t, 2)
	rate := ratelimit.Rate{Events: 4, Period: time.Hour}
	a, b := nodes[0].Limiter("login", rate), nodes[1].Limiter("login", rate)
	allowed := 0
	for i := 0; i < 10; i++ {
		l := a
		if i%2 == 1 {
			l = b
		}
		if ok, _ := l.Allow(ctx, "ip:192.0.2.7"); ok {
			allowed++
		}
	}
	if allowed != 4 {
		t.Fatalf("%d of 10 events allowed across two nodes, want 4 (one budget)", allowed)
	}
	ok, wait := b.Allow(ctx, "ip:192.0.2.7")
	if ok || wait <= 0 || wait > 15*time.Minute {
		t.Fatalf("over budget: ok=%v retry=%s", ok, wait)
	}
	if ok, _ := a.Allow(ctx, "ip:192.0.2.8"); !ok {
		t.Fatal("another key shares the budget")
	}
	if ok, _ := nodes[0].Limiter("chat", rate).Allow(ctx, "ip:192.0.2.7"); !ok {
		t.Fatal("limiters of different names share a budget")
	}

	ma, mb := nodes[0].Marks("known", time.Hour), nodes[1].Marks("known", time.Hour)
	ma.Mark(ctx, "alice|192.0.2.7")
	if !mb.Marked(ctx, "alice|192.0.2.7") || mb.Marked(ctx, "alice|192.0.2.8") {
		t.Fatal("marks are not shared, or mixed up")
	}
}

// TestRedisDown: without Redis each node still limits on its own.
func TestRedisDown(t *testing.T) {
	ctx := context.Background()
	c := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer c.Close()
	l := ratelimit.Redis(c, "a2l-test-down:", quiet).Limiter("login", ratelimit.Rate{Events: 2, Period: time.Hour})
	for i := 0; i < 2; i++ {
		if ok, _ := l.Allow(ctx, "k"); !ok {
			t.Fatalf("event %d refused", i)
		}
	}
	if ok, _ := l.Allow(ctx, "k"); ok {
		t.Fatal("with Redis away the limit is gone")
	}
}
