package live

import (
	"context"
	"log/slog"
	"time"

	"github.com/ask2live/ask2live"
)

// commandLog makes a command with a given cid run once per user and session,
// whichever node and socket it reaches and however often it is retried
// within the window. The store is the authority: the first copy claims the
// (session, user, cid) row before it runs and stores its answer after; a
// copy that finds the answer replays it, and one that finds the first copy
// still running waits for its answer (the Stripe idempotency-key pattern).
type commandLog struct {
	store ask2live.LiveStore
	// stale is how long a claim without an answer is honoured before a
	// retry may run the command again (the claiming node stopped).
	stale time.Duration
	// wait bounds how long a copy waits for the first copy's answer.
	wait time.Duration
	now  func() time.Time
	log  *slog.Logger
}

// run answers cmd from the log, or runs it with fn and records the answer.
// fn returns the reply and whether the command took effect; a refused
// command is forgotten, so that a later retry may succeed (say, after a
// rate limit).
func (l *commandLog) run(ctx context.Context, k ask2live.CommandKey, fn func() (reply []byte, done bool)) ([]byte, error) {
	deadline := l.now().Add(l.wait)
	pause := 5 * time.Millisecond
	for {
		now := l.now()
		claimed, reply, at, err := l.store.ClaimCommand(ctx, k, now)
		if err != nil {
			return nil, err
		}
		if !claimed && reply == nil && now.Sub(at) > l.stale {
			if claimed, err = l.store.RetakeCommand(ctx, k, at, now); err != nil {
				return nil, err
			}
		}
		switch {
		case claimed:
			return l.finish(k, fn)
		case reply != nil:
			return reply, nil
		case now.After(deadline):
			return nil, ask2live.Errorf(ask2live.EWrongState, "a command with this cid is still running; retry later for its answer")
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return nil, ask2live.Wrap(ask2live.EUnavailable, ctx.Err(), "the connection closed")
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}

// finish runs a claimed command and records its outcome. The record is
// written even if the socket went away meanwhile, so a retry finds it.
func (l *commandLog) finish(k ask2live.CommandKey, fn func() ([]byte, bool)) ([]byte, error) {
	reply, done := fn()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	if done {
		err = l.store.CompleteCommand(ctx, k, reply)
	} else {
		err = l.store.ReleaseCommand(ctx, k)
	}
	if err != nil {
		// The command ran: its answer goes to the client all the same; a
		// retry then waits out the claim (see stale).
		l.log.Warn("recording a command's answer", slog.String("session", k.SessionID), slog.String("cid", k.CID), slog.Any("err", err))
	}
	return reply, nil
}
