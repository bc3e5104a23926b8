package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"image/gif"
	"image/jpeg"
	"net/http"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/store/storetest"
)

// TestLifecycle walks one session from creation to archive with a host, two
// guests, a stranger and an anonymous visitor, on every database.
func TestLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		e := newEnv(t, backend)
		ctx := context.Background()
		host, g1, g2, stranger, anon := e.register("host"), e.register("guest1"), e.register("guest2"), e.register("stranger"), e.anon

		// Profiles.
		dn, company, bio := "김호스트", "ask2live", "라이브 Q&A를 합니다"
		me := must(host.UpdateMe(ctx, ask2live.ProfileUpdate{DisplayName: &dn, Company: &company, Bio: &bio}))(t)
		if me.DisplayName != dn || me.Company != company {
			t.Fatalf("profile = %+v", me)
		}
		url := must(host.UploadAvatar(ctx, "me.png", pngImage(900, 600)))(t)
		if url == "" {
			t.Fatal("no avatar url")
		}
		img := e.do("GET", url, "", nil)
		if img.status != 200 || img.header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("avatar GET %s: %d %s %s", url, img.status, img.header.Get("Content-Type"), img.body)
		}
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(img.body)); err != nil || cfg.Width != 512 || cfg.Height != 341 {
			t.Fatalf("stored avatar: %+v %v", cfg, err)
		}
		// GIF and JPEG are accepted too; a non-image is refused.
		var gifBuf bytes.Buffer
		pal, _ := gif.Decode(bytes.NewReader(gifBytes()))
		_ = gif.Encode(&gifBuf, pal, nil)
		must(g1.UploadAvatar(ctx, "a.gif", gifBuf.Bytes()))(t)
		_, err := g1.UploadAvatar(ctx, "evil.svg", []byte(`<svg onload="alert(1)"/>`))
		wantProblem(t, err, 415, ask2live.EUnsupported)
		_, err = anon.Me(ctx)
		wantProblem(t, err, 401, ask2live.EUnauthenticated)

		// Host opens a session that needs one wish.
		starts := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "Go로 만드는 라이브 Q&A", Description: "무엇이든 물어보세요",
			StartsAt: &starts, TargetGuests: 1}))(t)
		if s.State != ask2live.StateRecruiting || s.Host.DisplayName != dn || !s.StartsAt.Equal(starts) {
			t.Fatalf("created = %+v", s)
		}
		feed := must(anon.Feed(ctx))(t)
		if len(feed.Recruiting) != 1 || feed.Recruiting[0].ID != s.ID {
			t.Fatalf("feed recruiting = %+v", feed.Recruiting)
		}

		// Wishes: guest1 wishes → ready; withdraws → recruiting; wishes again.
		_, err = host.Wish(ctx, s.ID)
		wantProblem(t, err, 403, ask2live.EForbidden)
		got := must(g1.Wish(ctx, s.ID))(t)
		if got.State != ask2live.StateReady || got.WishCount != 1 || !got.WishedByMe {
			t.Fatalf("after wish: %+v", got)
		}
		got = must(g1.Unwish(ctx, s.ID))(t)
		if got.State != ask2live.StateRecruiting || got.WishCount != 0 {
			t.Fatalf("after withdraw: %+v", got)
		}
		must(g1.Wish(ctx, s.ID))(t)
		must(g2.Wish(ctx, s.ID))(t)

		// Pre-questions, votes, edits.
		q1 := must(g1.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "고루틴은 몇 개까지?"}))(t)
		q2 := must(g2.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "WebRTC는 왜 Pion인가요?"}))(t)
		if q1.Phase != ask2live.PhasePre || q1.Author.Username != "guest1" {
			t.Fatalf("pre-question = %+v", q1)
		}
		_, err = g1.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "voice", Kind: ask2live.KindVoice})
		wantProblem(t, err, 409, ask2live.EWrongState)
		_, err = g1.Vote(ctx, q1.ID)
		wantProblem(t, err, 403, ask2live.EForbidden)
		v := must(g1.Vote(ctx, q2.ID))(t)
		if v.Votes != 1 || !v.VotedByMe {
			t.Fatalf("vote = %+v", v)
		}
		must(stranger.Vote(ctx, q2.ID))(t)
		_, err = g2.EditQuestion(ctx, q1.ID, "hijack")
		wantProblem(t, err, 403, ask2live.EForbidden)
		must(g1.EditQuestion(ctx, q1.ID, "고루틴은 몇 개까지 괜찮나요?"))(t)
		q3 := must(stranger.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "지울 질문"}))(t)
		if err := stranger.DeleteQuestion(ctx, q3.ID); err != nil {
			t.Fatal(err)
		}
		qs := must(anon.Questions(ctx, s.ID))(t)
		if len(qs) != 2 || qs[0].ID != q2.ID || qs[1].Text != "고루틴은 몇 개까지 괜찮나요?" {
			t.Fatalf("queue = %+v", qs)
		}

		// Host confirms and goes live.
		_, err = g1.SessionAction(ctx, s.ID, "confirm")
		wantProblem(t, err, 403, ask2live.EForbidden)
		_, err = host.SessionAction(ctx, s.ID, "start")
		wantProblem(t, err, 409, ask2live.EWrongState)
		got = must(host.SessionAction(ctx, s.ID, "confirm"))(t)
		if got.State != ask2live.StateScheduled {
			t.Fatalf("confirm: %s", got.State)
		}
		got = must(g2.Unwish(ctx, s.ID))(t) // never un-schedules
		if got.State != ask2live.StateScheduled {
			t.Fatalf("withdraw after confirm: %s", got.State)
		}
		got = must(host.SessionAction(ctx, s.ID, "start"))(t)
		if got.State != ask2live.StateLive || got.StartedAt == nil {
			t.Fatalf("start: %+v", got)
		}
		title := "late edit"
		_, err = host.UpdateSession(ctx, s.ID, ask2live.SessionUpdate{Title: &title})
		wantProblem(t, err, 409, ask2live.EWrongState)
		feed = must(g1.Feed(ctx))(t)
		if len(feed.WishedLive) != 1 || len(feed.Live) != 1 || len(feed.Recruiting) != 0 {
			t.Fatalf("live feed for a wisher: %+v", feed)
		}
		if f := must(g2.Feed(ctx))(t); len(f.WishedLive) != 0 {
			t.Fatal("a withdrawn wish still shows as wished-live")
		}

		// Live questions and the host's queue work.
		lq := must(g2.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "라이브 질문", Kind: ask2live.KindVoice}))(t)
		if lq.Phase != ask2live.PhaseLive || lq.Kind != ask2live.KindVoice {
			t.Fatalf("live question = %+v", lq)
		}
		_, err = g1.SetQuestionState(ctx, q2.ID, ask2live.QuestionAnswered)
		wantProblem(t, err, 403, ask2live.EForbidden)
		must(host.SetQuestionState(ctx, q2.ID, ask2live.QuestionAnswering))(t)
		must(host.SetQuestionState(ctx, q1.ID, ask2live.QuestionAnswering))(t)
		answered := must(host.SetQuestionState(ctx, q1.ID, ask2live.QuestionAnswered))(t)
		if answered.AnsweredAt == nil {
			t.Fatal("answered_at not set")
		}
		qs = must(anon.Questions(ctx, s.ID))(t)
		states := map[string]ask2live.QuestionState{}
		for _, q := range qs {
			states[q.ID] = q.State
		}
		if states[q1.ID] != ask2live.QuestionAnswered || states[q2.ID] != ask2live.QuestionOpen {
			t.Fatalf("states = %v (picking q1 must put q2 back to open)", states)
		}

		// Host ends; the archive remains.
		_, err = g1.SessionAction(ctx, s.ID, "end")
		wantProblem(t, err, 403, ask2live.EForbidden)
		got = must(host.SessionAction(ctx, s.ID, "end"))(t)
		if got.State != ask2live.StateEnded || got.EndedAt == nil {
			t.Fatalf("end: %+v", got)
		}
		_, err = g1.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "too late"})
		wantProblem(t, err, 409, ask2live.EWrongState)
		mine := must(host.MySessions(ctx))(t)
		if len(mine.Ended) != 1 || len(mine.Hosting) != 0 {
			t.Fatalf("my sessions: %+v", mine)
		}
		if w := must(g1.MySessions(ctx))(t); len(w.Wished) != 1 || len(w.Ended) != 1 || w.Ended[0].ID != s.ID {
			t.Fatalf("guest wished list %+v, ended list %+v", w.Wished, w.Ended)
		}
		prof := must(anon.Profile(ctx, "HOST"))(t)
		if prof.User.DisplayName != dn || len(prof.Past) != 1 || prof.User.AvatarURL != url {
			t.Fatalf("public profile: %+v", prof)
		}
		_, err = anon.Profile(ctx, "nobody")
		wantProblem(t, err, 404, ask2live.ENotFound)

		// Open-now session and cancelling.
		now := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "지금 바로", OpenNow: true}))(t)
		if now.State != ask2live.StateLive {
			t.Fatalf("open now: %s", now.State)
		}
		_, err = host.CancelSession(ctx, now.ID)
		wantProblem(t, err, 409, ask2live.EWrongState)
		later := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "취소할 세션", StartsAt: &starts}))(t)
		if c := must(host.CancelSession(ctx, later.ID))(t); c.State != ask2live.StateCancelled {
			t.Fatalf("cancel: %s", c.State)
		}

		// Logging out revokes the token.
		if err := g2.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = g2.Me(ctx)
		wantProblem(t, err, 401, ask2live.EUnauthenticated)
		relog, _, err := anon.Login(ctx, "GUEST2", "password-guest2")
		if err != nil {
			t.Fatal(err)
		}
		must(relog.Me(ctx))(t)
	})
}

// TestPagination lists more sessions than fit on a page.
func TestPagination(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	host := e.register("host")
	for i := 0; i < 23; i++ {
		starts := time.Now().Add(time.Duration(i+1) * time.Hour)
		must(host.CreateSession(ctx, ask2live.SessionInput{Title: fmt.Sprintf("세션 %02d", i), StartsAt: &starts}))(t)
	}
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		p := must(e.anon.Sessions(ctx, apiclient.ListOptions{Limit: 10, Cursor: cursor, Host: "host", States: []ask2live.SessionState{ask2live.StateScheduled}}))(t)
		pages++
		for i, s := range p.Items {
			if seen[s.ID] {
				t.Fatalf("session %s on two pages", s.ID)
			}
			seen[s.ID] = true
			if want := fmt.Sprintf("세션 %02d", len(seen)-1); s.Title != want {
				t.Fatalf("page %d item %d = %q, want %q", pages, i, s.Title, want)
			}
		}
		if p.NextCursor == "" {
			break
		}
		cursor = p.NextCursor
	}
	if len(seen) != 23 || pages != 3 {
		t.Fatalf("saw %d sessions on %d pages", len(seen), pages)
	}
	if r := e.do("GET", "/api/v1/sessions?q=세션%2001", "", nil); r.status != http.StatusOK {
		t.Fatalf("text search: %d", r.status)
	}
}

// gifBytes is a 2×2 GIF.
func gifBytes() []byte {
	return []byte{0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x02, 0x00, 0x02, 0x00, 0x80, 0x00, 0x00, 0xff, 0x00, 0x00,
		0x00, 0x00, 0xff, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x02, 0x02, 0x84, 0x51, 0x00, 0x3b}
}
