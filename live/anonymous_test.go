package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// untilChat reads every message a client gets until the chat text arrives,
// and returns their bytes.
func untilChat(t *testing.T, c *liveclient.Client, text string) [][]byte {
	t.Helper()
	ctx := timeout(15 * time.Second)
	var raw [][]byte
	for {
		m, err := c.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for chat %q: %v", text, err)
		}
		raw = append(raw, m.Raw)
		if m.Event != nil && m.Event.Chat != nil && m.Event.Chat.Text == text {
			return raw
		}
	}
}

// anonymousAuthors walks decoded JSON and returns the author of every
// question object marked anonymous that names one.
func anonymousAuthors(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		if x["anonymous"] == true {
			if a, ok := x["author"].(map[string]any); ok && (a["username"] != "" || a["display_name"] != "") {
				out = append(out, fmt.Sprint(a["username"]))
			}
		}
		for _, e := range x {
			out = append(out, anonymousAuthors(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, anonymousAuthors(e)...)
		}
	}
	return out
}

func decode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

// get fetches a path with a bearer token ("" for none).
func get(t *testing.T, url, token string) []byte {
	t.Helper()
	req, _ := http.NewRequestWithContext(timeout(10*time.Second), "GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return b
}

// TestAnonymousAuthorIsNeverShown: questions asked anonymously in a
// session that allows it reach the whole room, on two nodes, but their
// author's name reaches only the author, the host and the host's team —
// not a guest's snapshot, events, replayed events or vote answers, not the
// REST queue, and not the public event stream.
func TestAnonymousAuthorIsNeverShown(t *testing.T) {
	a, b := twoNodes(t)
	bg := context.Background()
	host, mod, writer, guest, other := a.user("host"), a.user("mod"), a.user("writer"), a.user("guest"), a.user("other")
	s, err := a.svc.CreateSession(bg, host.user, ask2live.SessionInput{Title: "익명", OpenNow: true, AllowAnonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.SetTeamRole(bg, host.user, s.ID, "mod", ask2live.TeamModerator); err != nil {
		t.Fatal(err)
	}
	stream := openStream(t, b.url+"/api/v1/sessions/"+s.ID+"/events")
	hc, mc, wc := a.dial(host, s.ID), b.dial(mod, s.ID), a.dial(writer, s.ID)
	gc, oc := b.dial(guest, s.ID), a.dial(other, s.ID)
	collect(t, hc, 10*time.Second, func(evs []*live.Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].Presence != nil && evs[len(evs)-1].Presence.Count == 5
	})
	ctx := timeout(20 * time.Second)

	var asked struct{ Result ask2live.Question }
	a.must(wc.Do(ctx, live.Command{Type: live.CmdAsk, Text: "익명 질문", Anonymous: true})).Decode(&asked)
	if !asked.Result.Anonymous || asked.Result.Author.Username != "writer" {
		t.Fatalf("the author's own answer: %+v", asked.Result)
	}
	second, err := a.svc.Ask(bg, writer.user, s.ID, ask2live.QuestionInput{Text: "두 번째 익명 질문", Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	vote := a.must(gc.Do(ctx, live.Command{Type: live.CmdVote, QuestionID: asked.Result.ID}))
	a.must(mc.Do(ctx, live.Command{Type: live.CmdSetQuestionState, QuestionID: asked.Result.ID, State: ask2live.QuestionAnswering}))
	a.must(mc.Do(ctx, live.Command{Type: live.CmdPin, QuestionID: second.ID}))
	a.must(hc.Do(ctx, live.Command{Type: live.CmdSetQuestionState, QuestionID: asked.Result.ID, State: ask2live.QuestionAnswered}))
	a.must(hc.Do(ctx, live.Command{Type: live.CmdChat, Text: "끝"}))

	// leaks fails when any question in the messages names its author while
	// anonymous: whatever the message (event, ack, snapshot, stream data).
	// Presence may name the author: being in the room is not asking.
	leaks := func(who string, msgs ...[]byte) {
		t.Helper()
		for _, m := range msgs {
			var v any
			if err := json.Unmarshal(m, &v); err != nil {
				t.Fatalf("%s: %v in %s", who, err, m)
			}
			if named := anonymousAuthors(v); len(named) > 0 {
				t.Fatalf("%s was shown the anonymous author %v: %s", who, named, m)
			}
		}
	}
	shown := func(who string, msgs [][]byte) {
		t.Helper()
		for _, m := range msgs {
			if bytes.Contains(m, []byte(`"anonymous":true`)) && bytes.Contains(m, []byte(`"username":"writer"`)) {
				return
			}
		}
		t.Fatalf("%s never saw who asked", who)
	}
	leaks("a guest's vote answer", vote.Raw)
	guestMsgs := untilChat(t, gc, "끝")
	leaks("a guest on node B", guestMsgs...)
	leaks("a guest on node A", untilChat(t, oc, "끝")...)
	if !bytes.Contains(bytes.Join(guestMsgs, nil), []byte(`"anonymous":true`)) {
		t.Fatal("the guest saw no anonymous question")
	}
	shown("the moderator", untilChat(t, mc, "끝"))
	shown("the host", untilChat(t, hc, "끝"))

	// Snapshots and replays: a guest coming late, and one resuming.
	late := snapshotOf(t, b.dial(a.user("late"), s.ID))
	if len(late.Questions) != 2 {
		t.Fatalf("late guest's snapshot has %d questions", len(late.Questions))
	}
	for _, q := range late.Questions {
		if !q.Anonymous || q.Author.Username != "" {
			t.Fatalf("late guest's snapshot: %+v", q)
		}
	}
	epoch := snapshotOf(t, gc).Epoch
	resumed := a.dial(guest, s.ID, liveclient.Options{LastSeq: new(uint64), Epoch: epoch})
	if resumed.First.Type == live.MsgResume {
		leaks("a resuming guest", untilChat(t, resumed, "끝")...)
	} else {
		leaks("a guest's fresh snapshot", resumed.First.Raw)
	}
	if ws := snapshotOf(t, a.dial(writer, s.ID)); ws.Questions[0].Author.Username != "writer" {
		t.Fatalf("the author's snapshot: %+v", ws.Questions[0])
	}

	// The REST queue and the public event stream.
	for _, n := range []*env{a, b} {
		leaks("the anonymous REST queue", get(t, n.url+"/api/v1/sessions/"+s.ID+"/questions", ""))
		leaks("a guest's REST queue", get(t, n.url+"/api/v1/sessions/"+s.ID+"/questions", guest.token))
		if q := get(t, n.url+"/api/v1/sessions/"+s.ID+"/questions", mod.token); len(anonymousAuthors(decode(t, q))) != 2 {
			t.Fatalf("the moderator's REST queue hides the author: %s", q)
		}
		if q := get(t, n.url+"/api/v1/sessions/"+s.ID+"/questions", writer.token); len(anonymousAuthors(decode(t, q))) != 2 {
			t.Fatalf("the author's REST queue hides their own name: %s", q)
		}
	}
	for range 3 {
		if name := stream.line("event: "); name != live.EvQuestion {
			continue
		}
		data := stream.line("data: ")
		leaks("the session's event stream", []byte(data))
		if !strings.Contains(data, `"anonymous":true`) {
			t.Fatalf("event stream question: %s", data)
		}
	}
}
