package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisBus shares topics between nodes. Each topic is a Redis stream whose
// entry ids are "<seq>-0": a script increments the topic's counter and adds
// the entry with that id in one step, so the stream's order is the
// sequence order and every node reads the same log. Streams keep their last
// RetainEvents entries and expire a day after their last event.
type RedisBus struct {
	rdb    *redis.Client
	prefix string
	epoch  string
	log    *slog.Logger

	mu      sync.Mutex
	readers map[string]*topicReader
}

// RetainEvents is how many events a topic's stream keeps for replay.
const RetainEvents = 10000

var publishScript = redis.NewScript(`
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], seq .. '-0', 'm', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return seq`)

// NewRedisBus connects to url (redis://…). Keys start with prefix (default
// "ask2live:"). All nodes sharing the Redis share one epoch, created by the
// first.
func NewRedisBus(ctx context.Context, url, prefix string, log *slog.Logger) (*RedisBus, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	// Every active topic holds one blocking read; leave room for them.
	opt.PoolSize = max(opt.PoolSize, 256)
	if prefix == "" {
		prefix = "ask2live:"
	}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("connecting to redis: %w", err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	epochKey := prefix + "epoch"
	if err := rdb.SetNX(ctx, epochKey, "r"+hex.EncodeToString(b), 0).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	epoch, err := rdb.Get(ctx, epochKey).Result()
	if err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	return &RedisBus{rdb: rdb, prefix: prefix, epoch: epoch, log: log, readers: map[string]*topicReader{}}, nil
}

func (b *RedisBus) key(topic string) string { return b.prefix + "t:" + topic }

// Publish appends msg to the topic's stream.
func (b *RedisBus) Publish(ctx context.Context, topic string, msg []byte) (uint64, error) {
	k := b.key(topic)
	seq, err := publishScript.Run(ctx, b.rdb, []string{k, k + ":seq"}, msg, RetainEvents, (24 * time.Hour).Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("redis publish: %w", err)
	}
	return uint64(seq), nil
}

// Subscribe delivers the topic's messages in order. One reader per topic
// per node serves all of the node's subscribers.
func (b *RedisBus) Subscribe(topic string, replay bool, fn func(uint64, []byte)) (func(), uint64) {
	b.mu.Lock()
	r := b.readers[topic]
	if r == nil {
		// The reader starts at the stream's current end; replays cover what
		// came before.
		r = &topicReader{bus: b, topic: topic, subs: map[*subscriber]bool{}, stop: make(chan struct{}), last: b.currentSeq(topic)}
		b.readers[topic] = r
		go r.run()
	}
	s := &subscriber{fn: fn, mail: newMailbox(), done: make(chan struct{})}
	after := r.add(s, replay)
	b.mu.Unlock()
	go s.deliver()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			if r.remove(s) {
				delete(b.readers, topic)
				close(r.stop)
			}
			b.mu.Unlock()
			close(s.done)
		})
	}, after
}

// Epoch is shared by every node of the deployment.
func (b *RedisBus) Epoch() string { return b.epoch }

// Ping checks Redis (for /readyz).
func (b *RedisBus) Ping(ctx context.Context) error { return b.rdb.Ping(ctx).Err() }

// Close stops every reader and closes the connections.
func (b *RedisBus) Close() error {
	b.mu.Lock()
	for t, r := range b.readers {
		close(r.stop)
		delete(b.readers, t)
	}
	b.mu.Unlock()
	return b.rdb.Close()
}

type subscriber struct {
	fn   func(uint64, []byte)
	mail *mailbox
	done chan struct{}
}

func (s *subscriber) deliver() {
	for {
		msgs, ok := s.mail.take(s.done)
		if !ok {
			return
		}
		for _, m := range msgs {
			s.fn(m.seq, m.msg)
		}
	}
}

// topicReader follows one stream with blocking reads and hands each entry to
// the node's subscribers of the topic.
type topicReader struct {
	bus   *RedisBus
	topic string
	stop  chan struct{}

	mu   sync.Mutex
	subs map[*subscriber]bool
	last uint64 // highest seq handed out
}

// add registers a subscriber. A replaying subscriber first gets the
// retained entries up to what the reader has handed out, read here, so it
// joins the live flow without a gap or a repeat.
func (r *topicReader) add(s *subscriber, replay bool) (after uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	after = r.last
	if replay && r.last > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		entries, err := r.bus.rdb.XRange(ctx, r.bus.key(r.topic), "-", strconv.FormatUint(r.last, 10)+"-0").Result()
		if err != nil {
			r.bus.log.Error("replaying a topic", slog.String("topic", r.topic), slog.Any("err", err))
		}
		for i, e := range entries {
			if m, ok := entry(e); ok {
				if i == 0 {
					after = m.seq - 1
				}
				s.mail.put(m)
			}
		}
	}
	r.subs[s] = true
	return after
}

func (r *topicReader) remove(s *subscriber) (empty bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.subs, s)
	return len(r.subs) == 0
}

func (b *RedisBus) currentSeq(topic string) uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := b.rdb.Get(ctx, b.key(topic)+":seq").Uint64()
	if err != nil && !errors.Is(err, redis.Nil) {
		b.log.Error("reading a topic's sequence", slog.String("topic", topic), slog.Any("err", err))
	}
	return n
}

func entry(e redis.XMessage) (busMsg, bool) {
	head, _, _ := strings.Cut(e.ID, "-")
	seq, err := strconv.ParseUint(head, 10, 64)
	m, ok := e.Values["m"].(string)
	if err != nil || !ok {
		return busMsg{}, false
	}
	return busMsg{seq, []byte(m)}, true
}

func (r *topicReader) run() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-r.stop; cancel() }()
	for ctx.Err() == nil {
		r.mu.Lock()
		from := strconv.FormatUint(r.last, 10) + "-0"
		r.mu.Unlock()
		res, err := r.bus.rdb.XRead(ctx, &redis.XReadArgs{
			Streams: []string{r.bus.key(r.topic), from}, Block: 5 * time.Second, Count: 1024,
		}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			r.bus.log.Error("reading a topic", slog.String("topic", r.topic), slog.Any("err", err))
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
				return
			}
			continue
		}
		r.mu.Lock()
		for _, st := range res {
			for _, e := range st.Messages {
				m, ok := entry(e)
				if !ok || m.seq <= r.last {
					continue
				}
				r.last = m.seq
				for s := range r.subs {
					s.mail.put(m)
				}
			}
		}
		r.mu.Unlock()
	}
}
