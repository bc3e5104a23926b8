package live_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// countingStore counts the writes that votes and the command record make.
type countingStore struct {
	ask2live.Store
	votes, records atomic.Int64
}

func (s *countingStore) Vote(ctx context.Context, q, u string) (*ask2live.Question, bool, error) {
	s.votes.Add(1)
	return s.Store.Vote(ctx, q, u)
}

func (s *countingStore) Unvote(ctx context.Context, q, u string) (*ask2live.Question, bool, error) {
	s.votes.Add(1)
	return s.Store.Unvote(ctx, q, u)
}

func (s *countingStore) ClaimCommand(ctx context.Context, k ask2live.CommandKey, now time.Time) (bool, []byte, time.Time, error) {
	s.records.Add(1)
	return s.Store.ClaimCommand(ctx, k, now)
}

func (s *countingStore) CompleteCommand(ctx context.Context, k ask2live.CommandKey, reply []byte) error {
	s.records.Add(1)
	return s.Store.CompleteCommand(ctx, k, reply)
}

func (s *countingStore) ReleaseCommand(ctx context.Context, k ask2live.CommandKey) error {
	s.records.Add(1)
	return s.Store.ReleaseCommand(ctx, k)
}

// answers reads a client's messages until every cid in want has its ack
// or error, and returns them by cid.
func answers(t *testing.T, c *liveclient.Client, want map[string]bool, d time.Duration) map[string]*liveclient.Message {
	t.Helper()
	ctx := timeout(d)
	got := map[string]*liveclient.Message{}
	for len(got) < len(want) {
		m, err := c.Next(ctx)
		if err != nil {
			t.Fatalf("after %d of %d answers: %v", len(got), len(want), err)
		}
		if (m.Type == live.MsgAck || m.Type == live.MsgError) && want[m.CID] {
			got[m.CID] = m
		}
	}
	return got
}

// questionEvents counts a client's question events up to the first chat
// event (the end marker), and returns the last votes it saw per question.
func questionEvents(t *testing.T, c *liveclient.Client, d time.Duration) (int, map[string]int) {
	t.Helper()
	ctx := timeout(d)
	n, votes := 0, map[string]int{}
	for {
		ev, err := c.NextEvent(ctx)
		if err != nil {
			t.Fatalf("after %d question events: %v", n, err)
		}
		switch ev.Type {
		case live.EvQuestion:
			n++
			votes[ev.Question.ID] = ev.Question.Votes
		case live.EvChat:
			return n, votes
		}
	}
}

// endMarker publishes every pending vote event, then a chat message that
// follows them in the room's log.
func endMarker(t *testing.T, e *env, host *liveclient.Client, sessionID string) {
	t.Helper()
	e.hub.SettleVotes(sessionID)
	e.must(host.Do(timeout(10*time.Second), live.Command{Type: live.CmdChat, Text: "끝"}))
}

// TestVoteFloodFromOneGuest: one guest sends 2,000 vote/unvote commands in
// 3 s. The command budget cuts the flood off with rate_limited (saying when
// to retry) before it reaches the database, a rate-limited cid runs when
// retried after that time, and the votes that did run reach the room as a
// few coalesced events, the last with the right count.
func TestVoteFloodFromOneGuest(t *testing.T) {
	cs := &countingStore{}
	e := newEnvWithStore(t, nil, func(s ask2live.Store) ask2live.Store { cs.Store = s; return cs }, func(c *live.Config) {
		// The guest reads 2,000 answers: on a busy machine, give it time.
		c.SendQueue, c.PingInterval = 8192, time.Minute
	})
	host, guest, watcher := e.user("host"), e.user("guest"), e.user("watcher")
	s := e.liveSession(host)
	hc, gc, wc := e.dial(host, s.ID), e.dial(guest, s.ID), e.dial(watcher, s.ID)
	q := e.must(hc.Do(timeout(5*time.Second), live.Command{Type: live.CmdAsk, Text: "투표해 주세요"}))
	var asked struct{ Result ask2live.Question }
	q.Decode(&asked)
	collect(t, wc, 5*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Type == live.EvQuestion
	})
	cs.votes.Store(0)
	cs.records.Store(0)

	const n, over = 2000, 3 * time.Second
	want := map[string]bool{}
	cids := make([]string, n)
	for i := range cids {
		cids[i] = fmt.Sprintf("flood-%d", i)
		want[cids[i]] = true
	}
	start := time.Now()
	sendErr := make(chan error, 1)
	go func() {
		ctx := timeout(30 * time.Second)
		for i, cid := range cids {
			if d := time.Until(start.Add(over * time.Duration(i) / n)); d > 0 {
				time.Sleep(d) // the attacker's pace, not a wait for the server
			}
			typ := live.CmdVote
			if i%2 == 1 {
				typ = live.CmdUnvote
			}
			if _, err := gc.Send(ctx, live.Command{Type: typ, CID: cid, QuestionID: asked.Result.ID}); err != nil {
				sendErr <- err
				return
			}
		}
		sendErr <- nil
	}()
	got := answers(t, gc, want, 2*time.Minute)
	elapsed := time.Since(start)
	if err := <-sendErr; err != nil {
		t.Fatal(err)
	}
	acked, limited := 0, 0
	var retry live.ErrorMsg
	for _, cid := range cids {
		m := got[cid]
		if m.Type == live.MsgAck {
			acked++
			continue
		}
		var em live.ErrorMsg
		m.Decode(&em)
		if em.Code != ask2live.ERateLimited || em.RetryAfterMS <= 0 || em.RetryAfterMS > 1000 || !strings.Contains(em.Message, "retry in") {
			t.Fatalf("%s: %+v, want rate_limited with a retry time of at most 1 s", cid, em)
		}
		limited++
		retry = em
	}
	voteWrites, recordWrites := cs.votes.Load(), cs.records.Load()
	endMarker(t, e, hc, s.ID)
	events, votes := questionEvents(t, wc, 30*time.Second)
	t.Logf("%d vote/unvote commands in %s from one guest (answered within %s): %d acked, %d rate_limited; %d vote writes, %d command-record writes; %d question events",
		n, over, elapsed.Round(time.Millisecond), acked, limited, voteWrites, recordWrites, events)

	// The default budget: 120 a minute, all at once, then 2 a second.
	if budget := 120 + int(2*elapsed.Seconds()) + 2; acked > budget {
		t.Errorf("%d commands ran, want at most %d", acked, budget)
	}
	if voteWrites != int64(acked) || recordWrites != 2*int64(acked) {
		t.Errorf("%d vote writes and %d command-record writes for %d commands that ran: refused commands must not reach the database",
			voteWrites, recordWrites, acked)
	}
	if bound := int(elapsed/(250*time.Millisecond)) + 2; events > bound {
		t.Errorf("%d question events, want at most %d (one per 250 ms)", events, bound)
	}
	stored, err := e.svc.Store.QuestionByID(context.Background(), asked.Result.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if votes[asked.Result.ID] != stored.Votes {
		t.Errorf("the room shows %d votes, the database holds %d", votes[asked.Result.ID], stored.Votes)
	}

	// A refused command is not remembered: retried after the time it was
	// told, it runs. The flood's last commands may have spent the budget
	// again since that answer; a client honours each new retry time, and a
	// remembered refusal would come back every time.
	typ := live.CmdVote
	if stored.Votes == 1 {
		typ = live.CmdUnvote
	}
	wait := time.Duration(retry.RetryAfterMS) * time.Millisecond
	for attempt := 1; ; attempt++ {
		time.Sleep(wait) // the time the server said to wait
		_, err := gc.Do(timeout(5*time.Second), live.Command{Type: typ, CID: retry.CID, QuestionID: asked.Result.ID})
		var ce *liveclient.CommandError
		if err == nil {
			break
		}
		if !errors.As(err, &ce) || ce.Code != ask2live.ERateLimited || attempt == 3 {
			t.Fatalf("retrying a refused command (attempt %d): %v", attempt, err)
		}
		wait = ce.RetryAfter
	}
}

// TestCommandBudgets: every command but rtc spends from the user's budget,
// shared by the user's sockets; invalid frames spend nothing; rtc has a
// budget of its own per socket.
func TestCommandBudgets(t *testing.T) {
	e := newEnv(t, func(c *live.Config) { c.CommandRate = 5; c.SignalRate = 10 })
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	g1, g2 := e.dial(guest, s.ID), e.dial(guest, s.ID)
	hc := e.dial(host, s.ID)
	ctx := timeout(10 * time.Second)
	for i := range 20 {
		if err := g1.SendRaw(ctx, []byte(fmt.Sprintf(`{"type":"vote","cid":"bad%d"}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	for range 15 {
		// No voice on this server: unavailable, until rtc's own budget is spent.
		g1.Send(ctx, live.Command{Type: live.CmdRTC, Signal: []byte(`{"type":"join"}`)})
	}
	codes := map[ask2live.Code]int{}
	for len(codes) == 0 || codes[ask2live.EInvalid]+codes[ask2live.EUnavailable]+codes[ask2live.ERateLimited] < 35 {
		m, err := g1.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Type == live.MsgError {
			var em live.ErrorMsg
			m.Decode(&em)
			codes[em.Code]++
		}
	}
	if codes[ask2live.EInvalid] != 20 || codes[ask2live.EUnavailable] != 10 || codes[ask2live.ERateLimited] != 5 {
		t.Fatalf("answers to 20 invalid frames and 15 rtc messages: %v, want 20 invalid_input, 10 unavailable, 5 rate_limited", codes)
	}
	// None of that spent the command budget; the user's two sockets share it.
	for i := range 5 {
		e.must([]*liveclient.Client{g1, g2}[i%2].Do(ctx, live.Command{Type: live.CmdChat, Text: fmt.Sprint("채팅 ", i)}))
	}
	for _, c := range []*liveclient.Client{g1, g2} {
		_, err := c.Do(ctx, live.Command{Type: live.CmdParticipants})
		wantCode(t, err, ask2live.ERateLimited)
		var ce *liveclient.CommandError
		errors.As(err, &ce)
		if ce.RetryAfter < 5*time.Second || ce.RetryAfter > 12*time.Second {
			t.Fatalf("retry after %s, want about 12 s (5 a minute)", ce.RetryAfter)
		}
	}
	// Another user's budget is their own.
	e.must(hc.Do(ctx, live.Command{Type: live.CmdChat, Text: "호스트"}))
}

// TestSocketsPerUserCapped: a user's ninth socket into one room is closed
// with 4429 after its hello; other users and other rooms are not affected,
// and a socket that closes frees its place.
func TestSocketsPerUserCapped(t *testing.T) {
	e := newEnv(t)
	host, guest := e.user("host"), e.user("guest")
	s := e.liveSession(host)
	var open []*liveclient.Client
	for range 8 {
		open = append(open, e.dial(guest, s.ID))
	}
	ctx := timeout(10 * time.Second)
	_, err := liveclient.Dial(ctx, e.url, s.ID, guest.token, liveclient.Options{})
	if code := liveclient.CloseCode(err); code != live.CloseTooManySockets {
		t.Fatalf("ninth socket: %v (close %d), want close %d", err, code, live.CloseTooManySockets)
	}
	e.dial(host, s.ID)
	other := e.liveSession(e.user("host2"))
	e.dial(guest, other.ID)
	open[0].Close()
	for {
		c, err := liveclient.Dial(ctx, e.url, s.ID, guest.token, liveclient.Options{})
		if err == nil {
			c.Drop()
			break
		}
		if liveclient.CloseCode(err) != live.CloseTooManySockets || ctx.Err() != nil {
			t.Fatalf("after one socket closed: %v", err)
		}
	}
}

// TestVoteStormFromManyGuests: twenty guests vote and unvote on five
// questions all at once. The room gets at most one question event per
// question per 250 ms, state changes made meanwhile go out at once, and
// every client ends with the vote counts the database holds.
func TestVoteStormFromManyGuests(t *testing.T) {
	e := newEnv(t)
	host := e.user("host")
	s := e.liveSession(host)
	ctx := timeout(60 * time.Second)
	var qids []string
	for i := range 5 {
		q, err := e.svc.Ask(ctx, host.user, s.ID, ask2live.QuestionInput{Text: fmt.Sprint("질문 ", i)})
		if err != nil {
			t.Fatal(err)
		}
		qids = append(qids, q.ID)
	}
	hc := e.dial(host, s.ID)
	const guests, rounds = 20, 4
	var clients []*liveclient.Client
	for i := range guests {
		clients = append(clients, e.dial(e.user(fmt.Sprintf("guest%d", i)), s.ID))
	}
	// The guests read only their answers; these read the room.
	watchers := []*liveclient.Client{hc, e.dial(e.user("watcher1"), s.ID), e.dial(e.user("watcher2"), s.ID)}
	start := time.Now()
	var wg sync.WaitGroup
	for gi, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			want := map[string]bool{}
			for r := range rounds {
				for qi, id := range qids {
					typ := live.CmdVote
					if r%2 == 1 && (gi+qi)%3 != 0 {
						typ = live.CmdUnvote
					}
					cid, err := c.Send(ctx, live.Command{Type: typ, QuestionID: id})
					if err != nil {
						t.Error(err)
						return
					}
					want[cid] = true
				}
			}
			for cid, m := range answers(t, c, want, 60*time.Second) {
				if m.Type != live.MsgAck {
					t.Errorf("guest%d %s: %s", gi, cid, m.Raw)
				}
			}
		}()
	}
	// Meanwhile the host takes a question: that goes out at once.
	e.must(hc.Do(ctx, live.Command{Type: live.CmdSetQuestionState, QuestionID: qids[0], State: ask2live.QuestionAnswering}))
	wg.Wait()
	elapsed := time.Since(start)
	endMarker(t, e, hc, s.ID)

	stored, err := e.svc.Store.ListQuestions(ctx, s.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	// Votes at most once per 250 ms per question, and the state change
	// (with, since votes were flowing, a fresh read after it).
	bound := len(qids)*(int(elapsed/(250*time.Millisecond))+2) + 2
	for i, c := range watchers {
		events, votes := questionEvents(t, c, 30*time.Second)
		if i == 0 {
			t.Logf("%d vote/unvote commands from %d guests on %d questions in %s: %d question events (bound %d)",
				guests*rounds*len(qids), guests, len(qids), elapsed.Round(time.Millisecond), events, bound)
		}
		if events > bound {
			t.Errorf("client %d got %d question events, want at most %d", i, events, bound)
		}
		for _, q := range stored {
			if votes[q.ID] != q.Votes {
				t.Errorf("client %d shows %d votes on %q, the database holds %d", i, votes[q.ID], q.Text, q.Votes)
			}
		}
	}
	snap := snapshotOf(t, e.dial(e.user("late"), s.ID))
	for _, q := range snap.Questions {
		if q.ID == qids[0] && q.State != ask2live.QuestionAnswering {
			t.Errorf("the question taken meanwhile is %s in a fresh snapshot", q.State)
		}
	}
}
