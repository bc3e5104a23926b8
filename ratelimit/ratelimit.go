// Package ratelimit limits events per key in fixed time windows.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter counts events per key in fixed windows. It is small on purpose:
// log-in attempts, questions and chat lines are rare per key, and a window
// that resets is easy to explain in a Retry-After.
type Limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	counts map[string]*windowCount
}

type windowCount struct {
	start time.Time
	n     int
}

// New returns a limiter allowing limit events per key per window.
func New(limit int, window time.Duration) *Limiter {
	return &Limiter{limit: limit, window: window, now: time.Now, counts: map[string]*windowCount{}}
}

// Allow counts one event for key and says how long to wait when over limit.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	c := l.counts[key]
	if c == nil || now.Sub(c.start) >= l.window {
		if len(l.counts) > 100_000 {
			l.sweep(now)
		}
		c = &windowCount{start: now}
		l.counts[key] = c
	}
	if c.n >= l.limit {
		return false, c.start.Add(l.window).Sub(now)
	}
	c.n++
	return true, 0
}

func (l *Limiter) sweep(now time.Time) {
	for k, c := range l.counts {
		if now.Sub(c.start) >= l.window {
			delete(l.counts, k)
		}
	}
}
