package ratelimit

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"
)

// Redis keeps budgets and marks in Redis, shared by every node that uses the
// same Redis and prefix. Budgets are GCRA cells (go-redis/redis_rate: one
// Lua script, atomic in Redis); marks are keys with a TTL. When Redis does
// not answer, each node falls back to its own budgets — limits stay on, at
// worst per node — and says so in the log.
func Redis(rdb goredis.UniversalClient, prefix string, log *slog.Logger) Backend {
	return &redisBackend{rdb: rdb, gcra: redis_rate.NewLimiter(rdb), prefix: prefix, log: log}
}

type redisBackend struct {
	rdb      goredis.UniversalClient
	gcra     *redis_rate.Limiter
	prefix   string
	log      *slog.Logger
	lastWarn atomic.Int64 // unix nanoseconds of the last warning
}

// warn logs a Redis failure at most once a minute.
func (b *redisBackend) warn(what string, err error) {
	now := time.Now().UnixNano()
	last := b.lastWarn.Load()
	if now-last < int64(time.Minute) || !b.lastWarn.CompareAndSwap(last, now) {
		return
	}
	b.log.Warn(what+": Redis does not answer; limits hold per node until it does", slog.Any("err", err))
}

func (b *redisBackend) Limiter(name string, r Rate) Limiter {
	events := max(r.Events, 1)
	return &redisLimiter{b: b, prefix: b.prefix + name + ":",
		limit: redis_rate.Limit{Rate: events, Burst: events, Period: r.Period}, fallback: newLocal(r)}
}

func (b *redisBackend) Marks(name string, ttl time.Duration) Marks {
	return &redisMarks{b: b, prefix: b.prefix + "mark:" + name + ":", ttl: ttl, fallback: newLocalMarks(ttl)}
}

type redisLimiter struct {
	b        *redisBackend
	prefix   string
	limit    redis_rate.Limit
	fallback *local
}

func (l *redisLimiter) Allow(ctx context.Context, key string) (bool, time.Duration) {
	res, err := l.b.gcra.Allow(ctx, l.prefix+key, l.limit)
	if err != nil {
		l.b.warn("rate limit", err)
		return l.fallback.Allow(ctx, key)
	}
	if res.Allowed == 0 {
		return false, res.RetryAfter
	}
	return true, 0
}

type redisMarks struct {
	b        *redisBackend
	prefix   string
	ttl      time.Duration
	fallback *localMarks
}

// Mark is kept on this node too, so a mark made while Redis is away is not
// lost here.
func (m *redisMarks) Mark(ctx context.Context, key string) {
	m.fallback.Mark(ctx, key)
	if err := m.b.rdb.Set(ctx, m.prefix+key, "1", m.ttl).Err(); err != nil {
		m.b.warn("remembering a mark", err)
	}
}

func (m *redisMarks) Marked(ctx context.Context, key string) bool {
	n, err := m.b.rdb.Exists(ctx, m.prefix+key).Result()
	if err != nil {
		m.b.warn("reading a mark", err)
		return m.fallback.Marked(ctx, key)
	}
	return n > 0 || m.fallback.Marked(ctx, key)
}
