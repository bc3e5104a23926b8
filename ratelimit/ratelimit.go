// Package ratelimit keeps budgets of events per key — log-in attempts per
// address, questions and chat lines per user — and remembers marks such as
// "this user has logged in from this address". A node keeps them in memory;
// a cluster shares them in Redis so that two nodes do not double every
// budget. The backend is chosen once at start-up.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a budget: Events per Period, all of which may be spent at once;
// spent events come back one at a time, evenly over the period (a token
// bucket, the same as the generic cell rate algorithm Redis runs).
type Rate struct {
	Events int
	Period time.Duration
}

// Limiter spends events from per-key budgets.
type Limiter interface {
	// Allow spends one event of key's budget, or says how long until one
	// is back.
	Allow(ctx context.Context, key string) (ok bool, retry time.Duration)
}

// Marks remembers keys for a while.
type Marks interface {
	Mark(ctx context.Context, key string)
	Marked(ctx context.Context, key string) bool
}

// Backend makes limiters and marks; name keeps their keys apart.
type Backend interface {
	Limiter(name string, r Rate) Limiter
	Marks(name string, ttl time.Duration) Marks
}

// Local keeps budgets and marks in this process: right for one node.
func Local() Backend { return localBackend{} }

type localBackend struct{}

func (localBackend) Limiter(_ string, r Rate) Limiter        { return newLocal(r) }
func (localBackend) Marks(_ string, ttl time.Duration) Marks { return newLocalMarks(ttl) }

// sweepFloor is the smallest map a limiter or mark set lets grow before it
// looks for entries to forget.
const sweepFloor = 1024

// local is a token bucket per key (golang.org/x/time/rate).
type local struct {
	every   rate.Limit
	burst   int
	now     func() time.Time
	mu      sync.Mutex
	keys    map[string]*rate.Limiter
	sweepAt int
}

func newLocal(r Rate) *local {
	events := max(r.Events, 1)
	return &local{every: rate.Every(r.Period / time.Duration(events)), burst: events, now: time.Now,
		keys: map[string]*rate.Limiter{}, sweepAt: sweepFloor}
}

func (l *local) Allow(_ context.Context, key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.keys[key]
	if lim == nil {
		if len(l.keys) >= l.sweepAt {
			l.sweep(now)
		}
		lim = rate.NewLimiter(l.every, l.burst)
		l.keys[key] = lim
	}
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets keys whose budget is full again: a new bucket is the same.
// The next sweep waits until the map has doubled, so sweeping stays cheap.
func (l *local) sweep(now time.Time) {
	for k, lim := range l.keys {
		if lim.TokensAt(now) >= float64(l.burst) {
			delete(l.keys, k)
		}
	}
	l.sweepAt = max(sweepFloor, 2*len(l.keys))
}

// localMarks remembers keys until they expire.
type localMarks struct {
	ttl     time.Duration
	now     func() time.Time
	mu      sync.Mutex
	until   map[string]time.Time
	sweepAt int
}

func newLocalMarks(ttl time.Duration) *localMarks {
	return &localMarks{ttl: ttl, now: time.Now, until: map[string]time.Time{}, sweepAt: sweepFloor}
}

func (m *localMarks) Mark(_ context.Context, key string) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.until) >= m.sweepAt {
		for k, u := range m.until {
			if !now.Before(u) {
				delete(m.until, k)
			}
		}
		m.sweepAt = max(sweepFloor, 2*len(m.until))
	}
	m.until[key] = now.Add(m.ttl)
}

func (m *localMarks) Marked(_ context.Context, key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.until[key]
	return ok && m.now().Before(u)
}
