// Package livetest has participants for fault tests of live rooms: a
// follower that stays in a room through every fault and checks what it
// receives, and a sender that retries each command by cid until it is
// acknowledged.
package livetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// Follower reconnects, to its URLs in turn, whenever its socket closes,
// resumes or takes a snapshot, and records every chat message it learns of
// by text. Within an epoch it checks that sequence numbers have no gap and
// no repeat (a gap is an event lost without the client knowing), and it
// checks that no text arrives under two message ids (a command run twice).
type Follower struct {
	Name  string
	Token string
	URLs  []string

	mu         sync.Mutex
	grew       chan struct{}
	seen       map[string]string // text → message id
	err        error
	connects   int
	snapshots  int
	resumes    int
	lastSeq    uint64
	lastEpoch  string
	initialize sync.Once
}

func (f *Follower) init() {
	f.initialize.Do(func() {
		f.grew = make(chan struct{}, 1)
		f.seen = map[string]string{}
	})
}

// Run follows the session's room until ctx ends.
func (f *Follower) Run(ctx context.Context, sessionID string) {
	f.init()
	for i := 0; ctx.Err() == nil; i++ {
		opts := liveclient.Options{}
		f.mu.Lock()
		if f.lastEpoch != "" {
			last := f.lastSeq
			opts = liveclient.Options{LastSeq: &last, Epoch: f.lastEpoch}
		}
		f.mu.Unlock()
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := liveclient.Dial(dctx, f.URLs[i%len(f.URLs)], sessionID, f.Token, opts)
		cancel()
		if err != nil {
			select { // the bus or the node is down: try again shortly
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
			}
			continue
		}
		f.first(c.First)
		for {
			m, err := c.Next(ctx)
			if err != nil {
				break
			}
			if m.Event != nil {
				f.event(m)
			}
		}
		c.Drop()
	}
}

func (f *Follower) first(m *liveclient.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connects++
	switch m.Type {
	case live.MsgSnapshot:
		var s live.Snapshot
		_ = m.Decode(&s)
		f.snapshots++
		f.lastSeq, f.lastEpoch = s.Seq, s.Epoch
		for _, c := range s.Chat {
			f.record(c.Text, c.ID)
		}
	case live.MsgResume:
		var r live.Resume
		_ = m.Decode(&r)
		f.resumes++
		if r.From != f.lastSeq+1 {
			f.fail(fmt.Errorf("resume from %d after seq %d", r.From, f.lastSeq))
		}
	}
}

func (f *Follower) event(m *liveclient.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.Seq != f.lastSeq+1 {
		f.fail(fmt.Errorf("seq %d after %d in epoch %s", m.Seq, f.lastSeq, f.lastEpoch))
	}
	f.lastSeq = m.Seq
	if c := m.Event.Chat; c != nil {
		f.record(c.Text, c.ID)
	}
}

func (f *Follower) record(text, id string) {
	if prev, ok := f.seen[text]; ok && prev != id {
		f.fail(fmt.Errorf("%q arrived as two messages (%s, %s): a command ran twice", text, prev, id))
	}
	f.seen[text] = id
	select {
	case f.grew <- struct{}{}:
	default:
	}
}

func (f *Follower) fail(err error) {
	if f.err == nil {
		f.err = fmt.Errorf("%s: %w", f.Name, err)
	}
}

// Missing counts the acknowledged texts the follower has not learnt of.
func (f *Follower) Missing(acked []string) (n int) {
	f.init()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range acked {
		if _, ok := f.seen[m]; !ok {
			n++
		}
	}
	return n
}

// Await waits until the follower has learnt of every acknowledged text, or
// ctx ends.
func (f *Follower) Await(ctx context.Context, acked []string) {
	f.init()
	for f.Missing(acked) > 0 {
		select {
		case <-f.grew:
		case <-ctx.Done():
			return
		}
	}
}

// Err is the first inconsistency the follower saw.
func (f *Follower) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// Report says what the follower received of acked.
func (f *Follower) Report(acked []string) string {
	missing := f.Missing(acked)
	f.mu.Lock()
	defer f.mu.Unlock()
	var gone []string
	for _, m := range acked {
		if _, ok := f.seen[m]; !ok {
			gone = append(gone, m)
		}
	}
	report := fmt.Sprintf("%s: %d of %d acknowledged messages delivered; %d connections, %d snapshots, %d resumes; last seq %d of epoch %s",
		f.Name, len(acked)-missing, len(acked), f.connects, f.snapshots, f.resumes, f.lastSeq, f.lastEpoch)
	if len(gone) > 0 {
		report += fmt.Sprintf("; never learnt of %v", gone)
	}
	return report
}

// Sender sends chat messages one at a time, retrying each with its cid
// until it is acknowledged, reconnecting (to its URLs in turn) whenever the
// socket closes.
type Sender struct {
	Token string
	URLs  []string

	c     *liveclient.Client
	dials int
}

// Chat sends text with cid until it is acknowledged or ctx ends.
func (s *Sender) Chat(ctx context.Context, sessionID, cid, text string) error {
	for ctx.Err() == nil {
		if s.c == nil {
			url := s.URLs[s.dials%len(s.URLs)]
			s.dials++
			dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			c, err := liveclient.Dial(dctx, url, sessionID, s.Token, liveclient.Options{})
			cancel()
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
			// Refused for now (the bus is down, the first copy still runs):
			// the same cid again.
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

// Close drops the sender's socket.
func (s *Sender) Close() {
	if s.c != nil {
		s.c.Drop()
	}
}
