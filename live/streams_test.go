package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
)

// sse reads a server-sent event stream.
type sse struct {
	t     *testing.T
	lines *bufio.Scanner
}

func openStream(t *testing.T, url string) *sse {
	t.Helper()
	req, _ := http.NewRequestWithContext(timeout(15*time.Second), "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%s: %d %q", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sse{t: t, lines: bufio.NewScanner(resp.Body)}
	s.line(": connected")
	return s
}

// line returns the rest of the next line that starts with prefix.
func (s *sse) line(prefix string) string {
	s.t.Helper()
	for s.lines.Scan() {
		if strings.HasPrefix(s.lines.Text(), prefix) {
			return strings.TrimPrefix(s.lines.Text(), prefix)
		}
	}
	s.t.Fatalf("stream ended before %q: %v", prefix, s.lines.Err())
	return ""
}

// next returns the next event's name and decodes its data into v.
func (s *sse) next(v any) string {
	s.t.Helper()
	name := s.line("event: ")
	if err := json.Unmarshal([]byte(s.line("data: ")), v); err != nil {
		s.t.Fatalf("event %s: %v", name, err)
	}
	return name
}

// TestSessionEventStream: a session's own stream tells its detail page of
// pre-questions asked and deleted, of wishes and of its team, to anyone,
// and nothing of other sessions.
func TestSessionEventStream(t *testing.T) {
	e := newEnv(t)
	host, guest := e.user("host"), e.user("guest")
	ctx := context.Background()
	starts := time.Now().Add(time.Hour)
	s, err := e.svc.CreateSession(ctx, host.user, ask2live.SessionInput{Title: "곧", StartsAt: &starts, TargetGuests: 1})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := e.svc.CreateSession(ctx, host.user, ask2live.SessionInput{Title: "다른", StartsAt: &starts})
	if resp, err := http.Get(e.url + "/api/v1/sessions/" + ask2live.NewID(time.Now()) + "/events"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a session that does not exist: %v %v", resp.Status, err)
	}
	stream := openStream(t, e.url+"/api/v1/sessions/"+s.ID+"/events")

	if _, err := e.svc.Ask(ctx, guest.user, other.ID, ask2live.QuestionInput{Text: "다른 세션 질문"}); err != nil {
		t.Fatal(err)
	}
	q, err := e.svc.Ask(ctx, guest.user, s.ID, ask2live.QuestionInput{Text: "사전 질문"})
	if err != nil {
		t.Fatal(err)
	}
	var ev live.Event
	if name := stream.next(&ev); name != live.EvQuestion || ev.Question == nil || ev.Question.ID != q.ID || ev.Question.Text != "사전 질문" {
		t.Fatalf("%s %+v, want the question", name, ev)
	}
	if _, err := e.svc.Wish(ctx, guest.user, s.ID); err != nil {
		t.Fatal(err)
	}
	var fe live.FeedEvent
	if name := stream.next(&fe); name != "session.updated" || fe.Session.ID != s.ID || fe.Session.WishCount != 1 || fe.Session.State != ask2live.StateReady {
		t.Fatalf("%s %+v, want the wished session", name, fe.Session)
	}
	if err := e.svc.DeleteQuestion(ctx, guest.user, q.ID); err != nil {
		t.Fatal(err)
	}
	ev = live.Event{}
	if name := stream.next(&ev); name != live.EvQuestionDeleted || ev.QuestionID != q.ID {
		t.Fatalf("%s %+v, want the deletion", name, ev)
	}
	if _, err := e.svc.SetTeamRole(ctx, host.user, s.ID, "guest", ask2live.TeamModerator); err != nil {
		t.Fatal(err)
	}
	ev = live.Event{}
	if name := stream.next(&ev); name != live.EvTeam || len(ev.Team) != 1 || ev.Team[0].User.Username != "guest" {
		t.Fatalf("%s %+v, want the team", name, ev)
	}
}

// TestMainStreamCountsPeople: the main page's stream tells how many are in
// a live room as people come, the host included.
func TestMainStreamCountsPeople(t *testing.T) {
	e := newEnv(t)
	host, guest := e.user("host"), e.user("guest")
	stream := openStream(t, e.url+"/api/v1/events")
	s := e.liveSession(host)
	var fe live.FeedEvent
	if name := stream.next(&fe); name != "session.live" || fe.Session.ParticipantCount != 0 {
		t.Fatalf("%s %+v", name, fe.Session)
	}
	waitCount := func(want int) {
		t.Helper()
		for {
			fe = live.FeedEvent{}
			name := stream.next(&fe)
			if name == "session.presence" && fe.SessionID == s.ID && *fe.ParticipantCount == want {
				return
			}
			if name != "session.presence" || *fe.ParticipantCount > want {
				t.Fatalf("%s %+v, waiting for a count of %d", name, fe, want)
			}
		}
	}
	e.dial(host, s.ID)
	waitCount(1)
	e.dial(guest, s.ID)
	waitCount(2)
}
