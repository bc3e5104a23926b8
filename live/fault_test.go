package live_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/store/storetest"
)

// follower is a participant that stays in the room through faults: it
// reconnects (to the nodes in turn) whenever its socket closes, resumes or
// takes a snapshot, and records every chat message it learns of. Within an
// epoch it checks that sequence numbers have no gap and no repeat: a gap
// would be an event lost without the client knowing.
type follower struct {
	name  string
	token string
	nodes []*env

	mu         sync.Mutex
	grew       chan struct{} // a message was seen
	seen       map[string]bool
	err        error
	reconnects int
	snapshots  int
	resumes    int
}

func (f *follower) run(ctx context.Context, sessionID string) {
	var last uint64
	var epoch string
	for i := 0; ctx.Err() == nil; i++ {
		n := f.nodes[i%len(f.nodes)]
		opts := liveclient.Options{}
		if epoch != "" {
			opts = liveclient.Options{LastSeq: &last, Epoch: epoch}
		}
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := liveclient.Dial(dctx, n.url, sessionID, f.token, opts)
		cancel()
		if err != nil {
			select { // the bus or node is down: try again shortly
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
			}
			continue
		}
		f.mu.Lock()
		f.reconnects++
		switch c.First.Type {
		case live.MsgSnapshot:
			var s live.Snapshot
			_ = c.First.Decode(&s)
			f.snapshots++
			last, epoch = s.Seq, s.Epoch
			for _, m := range s.Chat {
				f.seen[m.Text] = true
			}
			f.notify()
		case live.MsgResume:
			var r live.Resume
			_ = c.First.Decode(&r)
			f.resumes++
			if r.From != last+1 {
				f.fail(fmt.Errorf("resume from %d after seq %d", r.From, last))
			}
		}
		f.mu.Unlock()
		for {
			m, err := c.Next(ctx)
			if err != nil {
				break
			}
			if m.Event == nil {
				continue
			}
			f.mu.Lock()
			if m.Seq != last+1 {
				f.fail(fmt.Errorf("seq %d after %d in epoch %s", m.Seq, last, epoch))
			}
			last = m.Seq
			if m.Event.Chat != nil {
				f.seen[m.Event.Chat.Text] = true
				f.notify()
			}
			f.mu.Unlock()
		}
		c.Drop()
	}
}

func (f *follower) notify() {
	select {
	case f.grew <- struct{}{}:
	default:
	}
}

// await waits until the follower has seen every acknowledged message.
func (f *follower) await(ctx context.Context, acked []string) {
	for f.missing(acked) > 0 {
		select {
		case <-f.grew:
		case <-ctx.Done():
			return
		}
	}
}

func (f *follower) fail(err error) {
	if f.err == nil {
		f.err = fmt.Errorf("%s: %w", f.name, err)
	}
}

func (f *follower) missing(acked []string) (n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range acked {
		if !f.seen[m] {
			n++
		}
	}
	return n
}

// sender sends chat messages one at a time and retries each with its cid
// until it is acknowledged, reconnecting whenever the socket closes.
type sender struct {
	token string
	nodes []*env
	c     *liveclient.Client
	dials int
}

func (s *sender) chat(ctx context.Context, sessionID, cid, text string) error {
	for ctx.Err() == nil {
		if s.c == nil {
			n := s.nodes[s.dials%len(s.nodes)]
			s.dials++
			c, err := liveclient.Dial(ctx, n.url, sessionID, s.token, liveclient.Options{})
			if err != nil {
				continue
			}
			s.c = c
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := s.c.Do(cctx, live.Command{Type: live.CmdChat, CID: cid, Text: text})
		cancel()
		var ce *liveclient.CommandError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ce):
			// Refused for now (the bus is down): the same cid again.
		default:
			s.c.Drop()
			s.c = nil
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
		}
	}
	return ctx.Err()
}

// TestNoEventLostWhenRedisRestarts: two nodes, followers on both, a sender
// acknowledged message by message; Redis restarted empty, then killed for
// a while (messages are sent meanwhile) and started again. Every
// acknowledged message must reach every follower — by event or by the
// snapshot after a resync — and no follower may see a gap in sequence
// numbers within an epoch.
func TestNoEventLostWhenRedisRestarts(t *testing.T) {
	rs := storetest.StartRedis(t)
	dbURL := "sqlite:" + t.TempDir() + "/shared.db"
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbURL = storetest.URL(t, "postgres")
	}
	history := func(c *live.Config) { c.ChatHistory = 1000; c.ChatRate = 1000 }
	a := node(t, dbURL, rs.URL(), "a2l-fault:", history)
	b := node(t, dbURL, rs.URL(), "a2l-fault:", history)
	nodes := []*env{a, b}
	host := a.user("host")
	s := a.liveSession(host)

	ctx, stop := context.WithTimeout(context.Background(), 90*time.Second)
	defer stop()
	var followers []*follower
	var wg sync.WaitGroup
	for i := range 4 {
		f := &follower{name: fmt.Sprintf("follower%d", i), token: a.user(fmt.Sprintf("follower%d", i)).token,
			nodes: []*env{nodes[i%2], nodes[(i+1)%2]}, seen: map[string]bool{}, grew: make(chan struct{}, 1)}
		followers = append(followers, f)
		wg.Add(1)
		go func() { defer wg.Done(); f.run(ctx, s.ID) }()
	}
	defer wg.Wait()
	defer stop()

	snd := &sender{token: host.token, nodes: nodes}
	var acked []string
	send := func(n int) {
		for range n {
			text := fmt.Sprintf("m%03d", len(acked))
			if err := snd.chat(ctx, s.ID, "cid-"+text, text); err != nil {
				t.Fatalf("sending %s: %v", text, err)
			}
			acked = append(acked, text)
		}
	}
	send(15)
	rs.Kill() // restarted empty
	rs.Start()
	send(15)
	rs.Kill() // down for a while, messages sent meanwhile
	down := make(chan struct{})
	go func() { defer close(down); send(5) }()
	select {
	case <-down:
	case <-time.After(time.Second): // the messages are acknowledged from the database; go on either way
	}
	rs.Start()
	<-down
	send(15)

	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	for _, f := range followers {
		f.await(wait, acked)
	}
	cancel()
	stop()
	wg.Wait()
	for _, f := range followers {
		t.Logf("%s: %d of %d acknowledged messages delivered; %d connections, %d snapshots, %d resumes",
			f.name, len(acked)-f.missing(acked), len(acked), f.reconnects, f.snapshots, f.resumes)
		if f.err != nil {
			t.Error(f.err)
		}
		if n := f.missing(acked); n > 0 {
			t.Errorf("%s never learnt of %d acknowledged messages", f.name, n)
		}
	}
}
