package live

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
)

// Bus carries room events and feed events between the nodes that serve them.
// Each topic is one ordered log: Publish appends and returns the sequence
// number, and every subscriber sees every message of the topic in sequence
// order. A room's sequence numbers are its topic's.
//
// The in-memory bus serves one process; a Redis bus shares topics between
// nodes (see docs/PROTOCOL.md, "Several nodes").
type Bus interface {
	Publish(ctx context.Context, topic string, msg []byte) (seq uint64, err error)
	// Subscribe delivers the topic's messages in order, from one goroutine;
	// fn must not block for long. With replay, messages the bus still
	// retains are delivered first (a room starting on a second node rebuilds
	// its state from them); without, only messages published from now on.
	// after is the sequence just before the first message fn will get, so a
	// room knows where the log stands even if it delivers nothing yet.
	Subscribe(topic string, replay bool, fn func(seq uint64, msg []byte)) (cancel func(), after uint64)
	// Epoch names this log's lifetime: sequence numbers from another epoch
	// (say, before a restart of the in-memory bus) mean nothing here. It
	// changes when the bus loses its log (see OnReset).
	Epoch() string
	// OnReset registers fn to run (on a goroutine of its own) when the bus found its log lost or rolled
	// back (Redis restarted empty, restored an older snapshot, or a publish
	// failed) and began a new epoch: topics start afresh, and whatever was
	// built from the old log must be rebuilt from the store.
	OnReset(fn func())

	// UpdatePresence applies one node's arrivals and departures of
	// connections to the topic's set of present users and, in the same
	// step, appends a presence event naming who joined and who left, with
	// the count after the change; nothing is appended when nobody's
	// presence changed. A user is present while any of their connections,
	// on any node, is. Repeating an update changes nothing.
	UpdatePresence(ctx context.Context, topic string, arrive []Arrival, depart []string) error
	// PublishIf appends msg only if the topic's value called name is still
	// expect (or was never set), and sets it to next in the same step. It
	// returns whether it did, and otherwise the value held.
	PublishIf(ctx context.Context, topic, name string, expect, next, msg []byte) (held []byte, ok bool, err error)
	// Members returns who is present (username → summary JSON) and the
	// sequence number up to which that holds.
	Members(ctx context.Context, topic string) (map[string][]byte, uint64, error)

	Ping(ctx context.Context) error
	Close() error
}

// MemoryBus is the single-process Bus.
type MemoryBus struct {
	epoch    string
	mu       sync.Mutex
	seqs     map[string]uint64
	subs     map[string]map[*mailbox]func(uint64, []byte)
	presence map[string]*presenceSet
	values   map[string][]byte // PublishIf's, by topic and name
}

// NewMemoryBus returns an empty in-memory bus.
func NewMemoryBus() *MemoryBus {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return &MemoryBus{epoch: "m" + hex.EncodeToString(b), seqs: map[string]uint64{},
		subs: map[string]map[*mailbox]func(uint64, []byte){}, presence: map[string]*presenceSet{}, values: map[string][]byte{}}
}

// Publish appends msg to the topic.
func (b *MemoryBus) Publish(_ context.Context, topic string, msg []byte) (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.publish(topic, msg), nil
}

// UpdatePresence applies the change and publishes its event, under one lock.
func (b *MemoryBus) UpdatePresence(_ context.Context, topic string, arrive []Arrival, depart []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.presence[topic]
	if p == nil {
		p = newPresenceSet()
		b.presence[topic] = p
	}
	if msg := p.apply(arrive, depart); msg != nil {
		b.publish(topic, msg)
	}
	if len(p.users) == 0 {
		delete(b.presence, topic)
	}
	return nil
}

// PublishIf compares, sets and publishes under one lock.
func (b *MemoryBus) PublishIf(_ context.Context, topic, name string, expect, next, msg []byte) ([]byte, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := topic + "\x00" + name
	if held, ok := b.values[k]; ok && !bytes.Equal(held, expect) {
		return held, false, nil
	}
	b.values[k] = next
	b.publish(topic, msg)
	return nil, true, nil
}

// Members returns who is present now.
func (b *MemoryBus) Members(_ context.Context, topic string) (map[string][]byte, uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string][]byte{}
	if p := b.presence[topic]; p != nil {
		for u, s := range p.users {
			out[u] = s
		}
	}
	return out, b.seqs[topic], nil
}

// Forget drops what the bus keeps for a topic whose room is over for good
// (an ended session): its sequence, values and presence. Without it a
// long-running node would keep a little for every session it ever ran.
func (b *MemoryBus) Forget(topic string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.seqs, topic)
	delete(b.presence, topic)
	for k := range b.values {
		if t, _, _ := strings.Cut(k, "\x00"); t == topic {
			delete(b.values, k)
		}
	}
}

// OnReset does nothing: the in-memory log lives as long as the process.
func (b *MemoryBus) OnReset(func()) {}

func (b *MemoryBus) publish(topic string, msg []byte) uint64 {
	b.seqs[topic]++
	seq := b.seqs[topic]
	for mb := range b.subs[topic] {
		mb.put(busMsg{seq, msg})
	}
	return seq
}

// Subscribe delivers the topic's future messages to fn. The in-memory bus
// retains nothing, so replay has nothing to add: in one process a room
// lives as long as its session.
func (b *MemoryBus) Subscribe(topic string, _ bool, fn func(uint64, []byte)) (func(), uint64) {
	mb := newMailbox()
	b.mu.Lock()
	if b.subs[topic] == nil {
		b.subs[topic] = map[*mailbox]func(uint64, []byte){}
	}
	b.subs[topic][mb] = fn
	after := b.seqs[topic]
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		for {
			msgs, ok := mb.take(done)
			if !ok {
				return
			}
			for _, m := range msgs {
				fn(m.seq, m.msg)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			delete(b.subs[topic], mb)
			if len(b.subs[topic]) == 0 {
				delete(b.subs, topic)
			}
			b.mu.Unlock()
			close(done)
		})
	}, after
}

// Epoch identifies this process's logs.
func (b *MemoryBus) Epoch() string { return b.epoch }

// Ping always succeeds.
func (b *MemoryBus) Ping(context.Context) error { return nil }

// Close does nothing; subscriptions end with their cancel functions.
func (b *MemoryBus) Close() error { return nil }

type busMsg struct {
	seq uint64
	msg []byte
}

// mailbox is an unbounded FIFO: a publisher never waits for a slow room, and
// a room never drops an event. Rooms keep up easily, so it stays short.
type mailbox struct {
	mu     sync.Mutex
	items  []busMsg
	notify chan struct{}
}

func newMailbox() *mailbox { return &mailbox{notify: make(chan struct{}, 1)} }

func (m *mailbox) put(x busMsg) {
	m.mu.Lock()
	m.items = append(m.items, x)
	m.mu.Unlock()
	select {
	case m.notify <- struct{}{}:
	default:
	}
}

// take waits for messages and returns all that are queued.
func (m *mailbox) take(done <-chan struct{}) ([]busMsg, bool) {
	for {
		m.mu.Lock()
		items := m.items
		m.items = nil
		m.mu.Unlock()
		if len(items) > 0 {
			return items, true
		}
		select {
		case <-m.notify:
		case <-done:
			return nil, false
		}
	}
}
