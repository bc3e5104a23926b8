package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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
//
// Every key of a topic carries the epoch, and every script first checks
// that the epoch key still holds this node's epoch. Redis restarted empty,
// or an operator's restore of an older snapshot, is so found at once by
// the next write or within a second by the watcher, which then starts a new
// epoch (shared by all nodes through the epoch key) and tells the
// subscribers of OnReset. A write that failed (Redis unreachable) may have
// lost an event, so it leads to a new epoch too once Redis answers.
type RedisBus struct {
	rdb    *redis.Client
	prefix string
	node   string
	log    *slog.Logger

	mu      sync.Mutex
	epoch   string
	readers map[string]*topicReader
	resets  []func()
	lost    bool              // a write failed: an event may be missing from the log
	high    map[string]uint64 // by epoch and topic: the largest number this node's appends got

	stop chan struct{}
	done chan struct{}
}

// RetainEvents is how many events a topic's stream keeps for replay.
const RetainEvents = 10000

// Timings of the bus's watcher: how often it checks the epoch and the
// topics' counters, and the lease that says a node is alive (its
// connections count as present only while it holds it).
const (
	watchInterval = time.Second
	nodeLease     = 15 * time.Second
	topicTTL      = 24 * time.Hour
)

// errEpoch is what the scripts answer when the epoch key no longer holds
// the caller's epoch.
const errEpoch = "EPOCH"

// epochCheck starts every script: KEYS[1] is the epoch key, ARGV[1] the
// caller's epoch.
const epochCheck = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('` + errEpoch + `') end
`

// appendEvent appends ARGV[2] to the stream KEYS[2] under the next number of
// KEYS[3]; ARGV[3] is the stream's length, ARGV[4] the keys' lifetime.
const appendEvent = `
local function append(msg)
  local seq = redis.call('INCR', KEYS[3])
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-0', 'm', msg)
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
  return seq
end
`

var publishScript = redis.NewScript(epochCheck + appendEvent + `
return append(ARGV[2])`)

// presenceScript follows presenceSet.apply. KEYS[4..6] are the topic's
// connections (conn → node TAB user), counts (user → connections) and
// summaries (user → JSON). ARGV[5] is the node, ARGV[6] the number of
// arrivals, then three values per arrival (conn, user, summary), then the
// departing connections. With ARGV[5] empty it sweeps instead: every
// connection of a node whose lease key (ARGV[7] .. node) is gone departs.
var presenceScript = redis.NewScript(epochCheck + appendEvent + `
local joined, left = {}, {}
local n = tonumber(ARGV[6])
local i = 7
if ARGV[5] ~= '' then
  for _ = 1, n do
    local conn, user, summary = ARGV[i], ARGV[i+1], ARGV[i+2]
    i = i + 3
    if redis.call('HSETNX', KEYS[4], conn, ARGV[5] .. '\t' .. user) == 1 then
      redis.call('HSET', KEYS[6], user, summary)
      if redis.call('HINCRBY', KEYS[5], user, 1) == 1 then joined[#joined+1] = user end
    end
  end
end
local depart = {}
if ARGV[5] == '' then
  local all = redis.call('HGETALL', KEYS[4])
  local alive = {}
  for j = 1, #all, 2 do
    local node = string.sub(all[j+1], 1, string.find(all[j+1], '\t') - 1)
    if alive[node] == nil then alive[node] = redis.call('EXISTS', ARGV[7] .. node) == 1 end
    if not alive[node] then depart[#depart+1] = all[j] end
  end
else
  for j = i, #ARGV do depart[#depart+1] = ARGV[j] end
end
for _, conn in ipairs(depart) do
  local v = redis.call('HGET', KEYS[4], conn)
  if v then
    redis.call('HDEL', KEYS[4], conn)
    local user = string.sub(v, string.find(v, '\t') + 1)
    if redis.call('HINCRBY', KEYS[5], user, -1) <= 0 then
      redis.call('HDEL', KEYS[5], user)
      redis.call('HDEL', KEYS[6], user)
      left[#left+1] = user
    end
  end
end
local gone, names = {}, {}
for _, u in ipairs(left) do
  gone[u] = true
  names[#names+1] = cjson.encode(u)
end
local summaries = {}
for _, u in ipairs(joined) do
  if not gone[u] then summaries[#summaries+1] = redis.call('HGET', KEYS[6], u) end
end
for k = 4, 6 do redis.call('PEXPIRE', KEYS[k], ARGV[4]) end
if #summaries == 0 and #names == 0 then return 0 end
local count = redis.call('HLEN', KEYS[5])
return append('{"type":"presence","presence":{"count":' .. count .. ',"joined":[' ..
  table.concat(summaries, ',') .. '],"left":[' .. table.concat(names, ',') .. ']}}')`)

// publishIfScript appends ARGV[2] only if KEYS[4] is unset or holds
// ARGV[5], and sets it to ARGV[6]; it answers {seq, ""} or {0, held}.
var publishIfScript = redis.NewScript(epochCheck + appendEvent + `
local held = redis.call('GET', KEYS[4])
if held and held ~= ARGV[5] then return {0, held} end
redis.call('SET', KEYS[4], ARGV[6], 'PX', ARGV[4])
return {append(ARGV[2]), ''}`)

// renewEpochScript replaces the epoch ARGV[1] (or none) by ARGV[2], and
// returns the epoch in force.
var renewEpochScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if cur == false or cur == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]); return ARGV[2] end
return cur`)

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
	b := &RedisBus{rdb: rdb, prefix: prefix, node: randomID("n"), log: log, readers: map[string]*topicReader{},
		high: map[string]uint64{}, stop: make(chan struct{}), done: make(chan struct{})}
	if err := rdb.SetNX(ctx, b.epochKey(), randomID("r"), 0).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("connecting to redis: %w", err)
	}
	if b.epoch, err = rdb.Get(ctx, b.epochKey()).Result(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	if err := b.holdLease(ctx); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis: %w", err)
	}
	go b.watch()
	return b, nil
}

func randomID(kind string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return kind + hex.EncodeToString(b)
}

func (b *RedisBus) epochKey() string            { return b.prefix + "epoch" }
func (b *RedisBus) leaseKey(node string) string { return b.prefix + "node:" + node }

// keys returns the epoch key and a topic's stream, counter, connections,
// counts and summaries, in the scripts' order, with the epoch they belong
// to.
func (b *RedisBus) keys(topic string) ([]string, string) {
	b.mu.Lock()
	epoch := b.epoch
	b.mu.Unlock()
	return b.topicKeys(epoch, topic), epoch
}

func (b *RedisBus) topicKeys(epoch, topic string) []string {
	k := b.prefix + "t:" + epoch + ":" + topic
	return []string{b.epochKey(), k, k + ":seq", k + ":conns", k + ":counts", k + ":users"}
}

// run runs a write script and notes whether the log may have lost it.
func (b *RedisBus) run(ctx context.Context, topic string, s *redis.Script, keys []string, args ...any) (int64, error) {
	epoch := args[0].(string)
	before := b.highest(epoch, topic)
	n, err := s.Run(ctx, b.rdb, keys, args...).Int64()
	if err == nil {
		b.appended(epoch, topic, before, uint64(n))
	}
	return n, b.failed(err, epoch)
}

// highest is the largest number this node's appends to the topic have got
// back so far in the epoch.
func (b *RedisBus) highest(epoch, topic string) uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.high[epoch+" "+topic]
}

// appended checks the number an append got: an append that began after
// another had got before must get a larger one. If not, Redis went back to
// an older state (a restored snapshot), the events after that number are
// lost to anyone who read them, and a new epoch begins.
func (b *RedisBus) appended(epoch, topic string, before, seq uint64) {
	if seq == 0 {
		return
	}
	if seq <= before {
		b.log.Warn("a topic's sequence went back (redis restored an older state); starting a new epoch",
			slog.String("topic", topic), slog.Uint64("seq", seq), slog.Uint64("seen", before))
		b.renew(epoch)
		return
	}
	b.mu.Lock()
	if len(b.high) > 10000 {
		clear(b.high) // bounded memory; the watcher's check still holds
	}
	if k := epoch + " " + topic; seq > b.high[k] {
		b.high[k] = seq
	}
	b.mu.Unlock()
}

// failed looks at a write script's error: the epoch changed (start the
// next one), or the write may not have happened (so the log may miss an
// event: the watcher starts a new epoch once Redis answers).
func (b *RedisBus) failed(err error, epoch string) error {
	switch {
	case err == nil:
		return nil
	case isEpochError(err):
		b.renew(epoch)
	default:
		b.mu.Lock()
		b.lost = true
		b.mu.Unlock()
	}
	return fmt.Errorf("redis publish: %w", err)
}

// isEpochError reports whether a script refused a write for its epoch.
// Redis 7 prefixes a script's error reply that has no code of its own with
// ERR, so the reply arrives as "ERR EPOCH"; both forms are recognised.
func isEpochError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, errEpoch) || strings.HasPrefix(msg, "ERR "+errEpoch)
}

// PublishIf runs publishIfScript on the topic's value name.
func (b *RedisBus) PublishIf(ctx context.Context, topic, name string, expect, next, msg []byte) ([]byte, bool, error) {
	keys, epoch := b.keys(topic)
	before := b.highest(epoch, topic)
	res, err := publishIfScript.Run(ctx, b.rdb, append(keys[:3:3], keys[1]+":"+name), epoch, msg, RetainEvents, topicTTL.Milliseconds(), expect, next).Slice()
	if err = b.failed(err, epoch); err != nil {
		return nil, false, err
	}
	if len(res) != 2 {
		return nil, false, fmt.Errorf("redis publish: unexpected answer %v", res)
	}
	if seq, _ := res[0].(int64); seq > 0 {
		b.appended(epoch, topic, before, uint64(seq))
		return nil, true, nil
	}
	held, _ := res[1].(string)
	return []byte(held), false, nil
}

// Publish appends msg to the topic's stream.
func (b *RedisBus) Publish(ctx context.Context, topic string, msg []byte) (uint64, error) {
	keys, epoch := b.keys(topic)
	seq, err := b.run(ctx, topic, publishScript, keys[:3], epoch, msg, RetainEvents, topicTTL.Milliseconds())
	return uint64(seq), err
}

// UpdatePresence runs presenceScript with this node's changes.
func (b *RedisBus) UpdatePresence(ctx context.Context, topic string, arrive []Arrival, depart []string) error {
	keys, epoch := b.keys(topic)
	args := []any{epoch, "", RetainEvents, topicTTL.Milliseconds(), b.node, len(arrive)}
	for _, a := range arrive {
		args = append(args, a.Conn, a.User, a.Summary)
	}
	for _, c := range depart {
		args = append(args, c)
	}
	_, err := b.run(ctx, topic, presenceScript, keys, args...)
	return err
}

// sweep removes from a topic's presence the connections of nodes whose
// lease ran out (they stopped without saying goodbye).
func (b *RedisBus) sweep(ctx context.Context, topic string) error {
	keys, epoch := b.keys(topic)
	_, err := b.run(ctx, topic, presenceScript, keys, epoch, "", RetainEvents, topicTTL.Milliseconds(), "", 0, b.leaseKey(""))
	return err
}

// Members reads the topic's presence and counter in one transaction.
func (b *RedisBus) Members(ctx context.Context, topic string) (map[string][]byte, uint64, error) {
	keys, _ := b.keys(topic)
	var users *redis.MapStringStringCmd
	var seq *redis.StringCmd
	_, err := b.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		seq = p.Get(ctx, keys[2])
		users = p.HGetAll(ctx, keys[5])
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, 0, fmt.Errorf("redis: %w", err)
	}
	out := map[string][]byte{}
	for u, s := range users.Val() {
		out[u] = []byte(s)
	}
	n, _ := seq.Uint64()
	return out, n, nil
}

// Subscribe delivers the topic's messages in order. One reader per topic
// per node serves all of the node's subscribers.
func (b *RedisBus) Subscribe(topic string, replay bool, fn func(uint64, []byte)) (func(), uint64) {
	b.mu.Lock()
	r := b.readers[topic]
	if r == nil {
		// The reader starts at the stream's current end; replays cover what
		// came before.
		r = &topicReader{bus: b, topic: topic, subs: map[*subscriber]bool{}, stop: make(chan struct{}),
			epoch: b.epoch, last: b.currentSeq(b.epoch, topic)}
		b.readers[topic] = r
		go r.run()
	}
	s := &subscriber{fn: fn, mail: newMailbox(), done: make(chan struct{})}
	after := r.add(s, replay, b.epoch)
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
func (b *RedisBus) Epoch() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.epoch
}

// OnReset registers fn for a new epoch.
func (b *RedisBus) OnReset(fn func()) {
	b.mu.Lock()
	b.resets = append(b.resets, fn)
	b.mu.Unlock()
}

// Ping checks Redis (for /readyz).
func (b *RedisBus) Ping(ctx context.Context) error { return b.rdb.Ping(ctx).Err() }

// Close stops the watcher and every reader, gives up the node's lease and
// takes its connections out of presence, and closes the connections.
func (b *RedisBus) Close() error {
	close(b.stop)
	<-b.done
	b.mu.Lock()
	var topics []string
	for t, r := range b.readers {
		close(r.stop)
		delete(b.readers, t)
		topics = append(topics, t)
	}
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.rdb.Del(ctx, b.leaseKey(b.node)).Err(); err == nil {
		for _, t := range topics {
			_ = b.sweep(ctx, t)
		}
	}
	return b.rdb.Close()
}

func (b *RedisBus) holdLease(ctx context.Context) error {
	return b.rdb.Set(ctx, b.leaseKey(b.node), "1", nodeLease).Err()
}

// watch checks every second that the log is still the one this node reads:
// the epoch key holds its epoch, no topic's counter went back, and no write
// failed since the last check. Otherwise it starts a new epoch. Every few
// seconds it renews the node's lease and sweeps departed nodes'
// connections out of presence.
func (b *RedisBus) watch() {
	defer close(b.done)
	t := time.NewTicker(watchInterval)
	defer t.Stop()
	for tick := 1; ; tick++ {
		select {
		case <-b.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), watchInterval)
		b.check(ctx, tick%5 == 0)
		cancel()
	}
}

func (b *RedisBus) check(ctx context.Context, lease bool) {
	b.mu.Lock()
	epoch, lost := b.epoch, b.lost
	readers := make(map[string]uint64, len(b.readers))
	for t, r := range b.readers {
		// A reader that has not reached this epoch yet holds a position in
		// the old stream, which says nothing about the new one.
		if re, last := r.position(); re == epoch {
			readers[t] = last
		}
	}
	b.mu.Unlock()
	cur, err := b.rdb.Get(ctx, b.epochKey()).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return // unreachable: checked again next time
	}
	if cur != epoch {
		b.renew(epoch)
		return
	}
	if lost {
		b.log.Warn("a write to redis failed; starting a new epoch so that no client misses it")
		b.renew(epoch)
		return
	}
	for topic, last := range readers {
		if seq := b.currentSeq(epoch, topic); seq < last {
			b.log.Warn("a topic's sequence went back (redis restored an older state); starting a new epoch",
				slog.String("topic", topic), slog.Uint64("seq", seq), slog.Uint64("seen", last))
			b.renew(epoch)
			return
		}
	}
	if lease {
		if err := b.holdLease(ctx); err != nil {
			return
		}
		for topic := range readers {
			if err := b.sweep(ctx, topic); err != nil {
				b.log.Warn("sweeping departed nodes from presence", slog.String("topic", topic), slog.Any("err", err))
			}
		}
	}
}

// renew replaces the epoch old (by a new one, unless another node already
// did) and tells the OnReset subscribers, once per epoch.
func (b *RedisBus) renew(old string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	epoch, err := renewEpochScript.Run(ctx, b.rdb, []string{b.epochKey()}, old, randomID("r")).Text()
	if err != nil {
		b.log.Warn("starting a new epoch", slog.Any("err", err))
		return
	}
	_ = b.holdLease(ctx)
	b.mu.Lock()
	if b.epoch != old {
		b.mu.Unlock()
		return // done already
	}
	b.epoch, b.lost = epoch, false
	clear(b.high)
	resets := slices.Clone(b.resets)
	b.mu.Unlock()
	b.log.Warn("the event log was lost or rolled back; rooms reload and clients resynchronise", slog.String("epoch", epoch))
	// Not on this goroutine: it may be a room's, which the callbacks wait on.
	for _, fn := range resets {
		go fn()
	}
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

	mu    sync.Mutex
	subs  map[*subscriber]bool
	epoch string // of the stream it reads
	last  uint64 // highest seq handed out
}

// position is the epoch of the stream the reader follows and the largest
// seq it has handed out there.
func (r *topicReader) position() (epoch string, last uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.epoch, r.last
}

// add registers a subscriber. A replaying subscriber first gets the
// retained entries up to what the reader has handed out, read here, so it
// joins the live flow without a gap or a repeat. epoch is the bus's: when
// the reader has not reached it yet (it still waits on the old stream), it
// moves to the new stream's start now, so the subscriber is neither fed
// the old stream nor told a position in it, whose numbers would hide the
// new stream's first events.
func (r *topicReader) add(s *subscriber, replay bool, epoch string) (after uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.epoch != epoch {
		r.epoch, r.last = epoch, 0
	}
	after = r.last
	if replay && r.last > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		entries, err := r.bus.rdb.XRange(ctx, r.bus.topicKeys(r.epoch, r.topic)[1], "-", strconv.FormatUint(r.last, 10)+"-0").Result()
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

func (b *RedisBus) currentSeq(epoch, topic string) uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := b.rdb.Get(ctx, b.topicKeys(epoch, topic)[2]).Uint64()
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
		// A new epoch is a new stream, read from its start.
		epoch := r.bus.Epoch()
		r.mu.Lock()
		if r.epoch != epoch {
			r.epoch, r.last = epoch, 0
		}
		from := strconv.FormatUint(r.last, 10) + "-0"
		r.mu.Unlock()
		res, err := r.bus.rdb.XRead(ctx, &redis.XReadArgs{
			Streams: []string{r.bus.topicKeys(epoch, r.topic)[1], from}, Block: 5 * time.Second, Count: 1024,
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
		if r.epoch != epoch {
			r.mu.Unlock()
			continue
		}
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
