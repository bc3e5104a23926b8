package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/store/storetest"
)

// TestReadCacheNeverStale: after every kind of write, what the API serves
// through the read cache (main page, session detail, question list, for
// anonymous and signed-in viewers) equals what a Service without a cache
// reads from the database, on every database.
func TestReadCacheNeverStale(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		e := newEnv(t, backend)
		if e.svc.Cache == nil {
			t.Fatal("the service has no read cache")
		}
		ctx := context.Background()
		truth := ask2live.NewService(e.svc.Store, slog.New(slog.NewTextHandler(io.Discard, nil)))
		truth.Cache = nil

		host, g1, g2 := e.register("host"), e.register("guest1"), e.register("guest2")
		clients := map[string]*apiclient.Client{"": e.anon, "host": host, "guest1": g1, "guest2": g2}
		var sessions []string

		// check compares every read for every viewer with the database.
		check := func(after string) {
			t.Helper()
			for name, c := range clients {
				var viewer *ask2live.User
				if name != "" {
					viewer = must(e.svc.Store.UserByUsername(ctx, name))(t)
				}
				got := must(c.Feed(ctx))(t)
				want := must(truth.Feed(ctx, viewer))(t)
				sameJSON(t, after+": feed for "+name, got, want)
				for _, id := range sessions {
					sameJSON(t, after+": session for "+name, must(c.Session(ctx, id))(t), must(truth.Session(ctx, id, viewer))(t))
					sameJSON(t, after+": questions for "+name, must(c.Questions(ctx, id))(t), must(truth.Questions(ctx, id, viewer))(t))
				}
			}
		}

		starts := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
		a := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "모집 중", StartsAt: &starts, TargetGuests: 2}))(t)
		b := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "예정", StartsAt: &starts}))(t)
		sessions = append(sessions, a.ID, b.ID)
		check("create")
		c := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "지금 라이브", OpenNow: true}))(t)
		sessions = append(sessions, c.ID)
		check("create live")

		must(g1.Wish(ctx, a.ID))(t)
		check("wish")
		must(g2.Wish(ctx, a.ID))(t)
		check("wish to ready")
		must(g2.Unwish(ctx, a.ID))(t)
		check("unwish back to recruiting")
		must(g1.Wish(ctx, a.ID))(t)
		check("repeated wish")
		must(g1.Wish(ctx, c.ID))(t)
		check("wish a live session")

		q1 := must(g1.Ask(ctx, a.ID, ask2live.QuestionInput{Text: "첫 질문"}))(t)
		check("ask")
		q2 := must(g2.Ask(ctx, a.ID, ask2live.QuestionInput{Text: "두 번째 질문"}))(t)
		check("second ask")
		must(g2.Vote(ctx, q1.ID))(t)
		check("vote")
		must(host.Vote(ctx, q1.ID))(t)
		check("second vote")
		must(g2.Unvote(ctx, q1.ID))(t)
		check("unvote")
		must(g1.EditQuestion(ctx, q1.ID, "고친 질문"))(t)
		check("edit question")
		if err := g2.DeleteQuestion(ctx, q2.ID); err != nil {
			t.Fatal(err)
		}
		check("delete question")
		q3 := must(g2.Ask(ctx, c.ID, ask2live.QuestionInput{Text: "라이브 질문"}))(t)
		must(host.SetQuestionState(ctx, q3.ID, ask2live.QuestionAnswering))(t)
		check("question answering")
		must(host.SetQuestionState(ctx, q3.ID, ask2live.QuestionAnswered))(t)
		check("question answered")

		title := "고친 제목"
		must(host.UpdateSession(ctx, a.ID, ask2live.SessionUpdate{Title: &title}))(t)
		check("edit session")
		must(g2.Wish(ctx, a.ID))(t)
		must(host.SessionAction(ctx, a.ID, "confirm"))(t)
		check("confirm")
		must(host.SessionAction(ctx, a.ID, "start"))(t)
		check("start")
		must(host.SessionAction(ctx, a.ID, "end"))(t)
		check("end")
		must(host.CancelSession(ctx, b.ID))(t)
		check("cancel")
		must(e.svc.EndBySystem(ctx, c.ID, "test"))(t)
		check("ended by the server")

		d := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "다음", StartsAt: &starts}))(t)
		sessions = append(sessions, d.ID)
		must(g1.Ask(ctx, d.ID, ask2live.QuestionInput{Text: "프로필이 바뀌나요"}))(t)
		check("another session")
		dn := "새 이름"
		must(host.UpdateMe(ctx, ask2live.ProfileUpdate{DisplayName: &dn}))(t)
		check("host profile")
		must(host.UploadAvatar(ctx, "me.png", pngImage(40, 40)))(t)
		check("host avatar")
		must(g1.UpdateMe(ctx, ask2live.ProfileUpdate{DisplayName: &dn}))(t)
		check("author profile")
		if me := must(g1.Me(ctx))(t); me.DisplayName != dn {
			t.Fatalf("GET /me after a profile change: %+v", me)
		}

		// The cache really serves: a change made behind the Service's back
		// is not seen until something invalidates it.
		u := must(e.svc.Store.UserByUsername(ctx, "host"))(t)
		u.DisplayName = "뒤에서 바꾼 이름"
		if err := e.svc.Store.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if f := must(e.anon.Feed(ctx))(t); f.Upcoming[0].Host.DisplayName != dn {
			t.Fatalf("the feed was not served from the cache: host %q", f.Upcoming[0].Host.DisplayName)
		}
		e.svc.Cache.Invalidate(ask2live.Invalidation{User: u.ID})
		check("invalidated by hand")

		// A revoked credential is refused at once, though it was cached.
		must(g1.Me(ctx))(t)
		if err := g1.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		_, err := g1.Me(ctx)
		wantProblem(t, err, 401, ask2live.EUnauthenticated)
	})
}

func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("%s is stale:\n got  %s\n want %s", what, g, w)
	}
}
