package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ask2live/ask2live"
)

// TestQuestionPages: the queue is listed a page at a time, like sessions:
// following next_cursor gives every question once, in queue order, with the
// viewer's own votes.
func TestQuestionPages(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	host, guest, voter := e.register("host"), e.register("guest"), e.register("voter")
	s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "t", OpenNow: true}))(t)
	for i := 0; i < 23; i++ {
		q := must(guest.Ask(ctx, s.ID, ask2live.QuestionInput{Text: fmt.Sprintf("질문 %d", i)}))(t)
		if i%4 == 0 {
			must(voter.Vote(ctx, q.ID))(t)
		}
	}
	want := must(e.svc.Questions(ctx, s.ID, nil))(t)
	if len(want) != 23 {
		t.Fatalf("queue of %d", len(want))
	}

	type page struct {
		Items      []*ask2live.Question `json:"items"`
		NextCursor string               `json:"next_cursor"`
	}
	var got []*ask2live.Question
	cursor, pages := "", 0
	for {
		r := e.do("GET", "/api/v1/sessions/"+s.ID+"/questions?limit=5&cursor="+url.QueryEscape(cursor), voter.Token, nil)
		var p page
		if r.status != 200 || json.Unmarshal(r.body, &p) != nil {
			t.Fatalf("page %d: %d %s", pages, r.status, r.body)
		}
		if len(p.Items) > 5 {
			t.Fatalf("page of %d items, limit 5", len(p.Items))
		}
		got = append(got, p.Items...)
		pages++
		if p.NextCursor == "" {
			break
		}
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		cursor = p.NextCursor
	}
	if pages != 5 || len(got) != len(want) {
		t.Fatalf("%d pages, %d questions; want 5 and %d", pages, len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID || got[i].VotedByMe != (got[i].Votes == 1) {
			t.Fatalf("item %d: %+v, want %s (voted_by_me follows the viewer)", i, got[i], want[i].ID)
		}
	}
	// Without a limit, the first 100.
	r := e.do("GET", "/api/v1/sessions/"+s.ID+"/questions", "", nil)
	var all page
	if json.Unmarshal(r.body, &all) != nil || len(all.Items) != 23 || all.NextCursor != "" {
		t.Fatalf("default page: %s", r.body)
	}
	// The Go client follows the pages.
	if qs := must(guest.Questions(ctx, s.ID))(t); len(qs) != 23 {
		t.Fatalf("client got %d questions", len(qs))
	}
	for _, bad := range []string{"limit=0", "limit=501", "limit=x", "cursor=!!!", "cursor=" + strings.Repeat("A", 40)} {
		r := e.do("GET", "/api/v1/sessions/"+s.ID+"/questions?"+bad, "", nil)
		if r.status != 400 || r.problem(t).Code != ask2live.EInvalid {
			t.Errorf("%s: %d %s, want 400", bad, r.status, r.body)
		}
	}
}
