package ratelimit

import (
	"context"
	"testing"
	"time"
)

func TestLocalBudget(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLocal(Rate{Events: 2, Period: time.Minute})
	l.now = func() time.Time { return now }
	for i := 0; i < 2; i++ {
		if ok, _ := l.Allow(ctx, "a"); !ok {
			t.Fatalf("event %d refused", i)
		}
	}
	ok, wait := l.Allow(ctx, "a")
	if ok || wait != 30*time.Second {
		t.Fatalf("third event: ok=%v wait=%s, want refused for 30s (one event back every 30s)", ok, wait)
	}
	if ok, _ := l.Allow(ctx, "b"); !ok {
		t.Fatal("keys share a budget")
	}
	now = now.Add(30 * time.Second)
	if ok, _ := l.Allow(ctx, "a"); !ok {
		t.Fatal("an event did not come back after period/events")
	}
	if ok, _ := l.Allow(ctx, "a"); ok {
		t.Fatal("a refused event was counted back as spent budget")
	}
}

// TestLocalForgets: keys whose budget is full again are dropped once the
// map grows, so a flood of distinct keys does not grow memory for ever.
func TestLocalForgets(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newLocal(Rate{Events: 1, Period: time.Second})
	l.now = func() time.Time { return now }
	for i := 0; i < 3*sweepFloor; i++ {
		l.Allow(ctx, string(rune(i)))
		now = now.Add(10 * time.Millisecond)
	}
	if n := len(l.keys); n > 2*sweepFloor {
		t.Fatalf("%d keys kept", n)
	}
}

func TestLocalMarks(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := newLocalMarks(time.Hour)
	m.now = func() time.Time { return now }
	m.Mark(ctx, "k")
	if !m.Marked(ctx, "k") || m.Marked(ctx, "other") {
		t.Fatal("marks mixed up")
	}
	now = now.Add(time.Hour)
	if m.Marked(ctx, "k") {
		t.Fatal("a mark outlived its TTL")
	}
}
