package httpapi_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/httpapi"
	"github.com/ask2live/ask2live/store/storetest"
)

// parseICS checks an iCalendar body line by line — CRLF endings, lines of
// at most 75 octets folded outside UTF-8 sequences — then parses it with a
// real iCalendar library (github.com/emersion/go-ical, the parser of the
// go-webdav CalDAV server) and runs the library's RFC 5545 checks on it
// (each component's required and at-most-once properties), which it makes
// when it writes a calendar.
func parseICS(t *testing.T, body []byte) *ical.Calendar {
	t.Helper()
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		t.Fatalf("the file does not end with CRLF: %q", tail(body))
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n")
	for i, l := range lines {
		switch {
		case strings.ContainsAny(l, "\r\n"):
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		case len(l) > 75:
			t.Fatalf("line %d is %d octets, more than 75: %q", i+1, len(l), l)
		case !utf8.ValidString(l):
			t.Fatalf("line %d is not valid UTF-8 (folded inside a character?): %q", i+1, l)
		case l == "":
			t.Fatalf("line %d is empty", i+1)
		}
	}
	cal, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("parsing: %v\n%s", err, body)
	}
	if err := ical.NewEncoder(&bytes.Buffer{}).Encode(cal); err != nil {
		t.Fatalf("the calendar breaks RFC 5545: %v\n%s", err, body)
	}
	if v, _ := cal.Props.Text(ical.PropVersion); v != "2.0" {
		t.Fatalf("VERSION %q", v)
	}
	if p, _ := cal.Props.Text(ical.PropProductID); p == "" {
		t.Fatal("no PRODID")
	}
	return cal
}

func tail(b []byte) []byte { return b[max(0, len(b)-40):] }

// event is what a test reads of a VEVENT, its text unescaped.
type event struct {
	uid, summary, description, url, status string
	start, end, stamp                      time.Time
	sequence                               int
}

func readEvent(t *testing.T, e ical.Event) event {
	t.Helper()
	text := func(name string) string {
		t.Helper()
		v, err := e.Props.Text(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	var ev event
	ev.uid, ev.summary, ev.description, ev.url, ev.status = text(ical.PropUID), text(ical.PropSummary),
		text(ical.PropDescription), e.Props.Get(ical.PropURL).Value, text(ical.PropStatus)
	var err error
	if ev.start, err = e.DateTimeStart(nil); err != nil {
		t.Fatal(err)
	}
	if ev.end, err = e.DateTimeEnd(nil); err != nil {
		t.Fatal(err)
	}
	if ev.stamp, err = e.Props.DateTime(ical.PropDateTimeStamp, nil); err != nil {
		t.Fatal(err)
	}
	if ev.sequence, err = e.Props.Get(ical.PropSequence).Int(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd, ical.PropDateTimeStamp} {
		if v := e.Props.Get(name).Value; !strings.HasSuffix(v, "Z") {
			t.Fatalf("%s %q is not in UTC", name, v)
		}
	}
	return ev
}

// oneEvent parses a single-session file and returns its event.
func oneEvent(t *testing.T, body []byte) event {
	t.Helper()
	cal := parseICS(t, body)
	evs := cal.Events()
	if len(evs) != 1 || len(cal.Children) != 1 {
		t.Fatalf("%d events in %d components, want one", len(evs), len(cal.Children))
	}
	return readEvent(t, evs[0])
}

// TestSessionCalendarFile: a session's .ics file carries its title and
// description exactly (escaped, folded, Korean intact), its page, time and
// status; the UID stays and SEQUENCE grows when the host moves the time.
func TestSessionCalendarFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		e := newEnv(t, backend)
		ctx := context.Background()
		host := e.register("host")
		must(host.UpdateMe(ctx, ask2live.ProfileUpdate{DisplayName: ptr("김호스트; \\ 쉼표, 씨")}))(t)
		title := `Go 동시성, 무엇이든; 물어보세요 \ 백슬래시 — 🎙️`
		desc := strings.Repeat("고루틴과 채널, 뮤텍스; 언제 무엇을 쓰는지 이야기합니다. ", 6) + "\n둘째 줄\n\n셋째 문단 \\n 은 글자 그대로."
		starts := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)
		s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: title, Description: desc, StartsAt: &starts}))(t)
		path := "/api/v1/sessions/" + s.ID + "/calendar.ics"

		r := e.do("GET", path, "", nil)
		if r.status != 200 {
			t.Fatalf("GET %s: %d %s", path, r.status, r.body)
		}
		if ct := r.header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		// Saved under the title (less the characters file names cannot
		// hold), or the session id for clients that read only filename.
		cd := r.header.Get("Content-Disposition")
		plain, encoded, ok := strings.Cut(cd, "; filename*=UTF-8''")
		name, err := url.PathUnescape(encoded)
		if !ok || plain != `attachment; filename="ask2live-`+s.ID+`.ics"` || err != nil ||
			name != `Go 동시성, 무엇이든; 물어보세요 - 백슬래시 — 🎙️.ics` || strings.ContainsAny(encoded, ` ;,"\`) {
			t.Errorf("Content-Disposition %q (name %q)", cd, name)
		}
		ev := oneEvent(t, r.body)
		page := e.srv.URL + "/sessions/" + s.ID
		if ev.uid != s.ID+"@ask2live" || ev.summary != title || ev.url != page || ev.status != "CONFIRMED" || ev.sequence != 0 {
			t.Fatalf("event = %+v", ev)
		}
		if !ev.start.Equal(starts) || !ev.end.Equal(starts.Add(time.Hour)) {
			t.Fatalf("event runs %v to %v, want %v for an hour", ev.start, ev.end, starts)
		}
		wantDesc := desc + "\n\n김호스트; \\ 쉼표, 씨 (@host)\n" + page
		if ev.description != wantDesc {
			t.Fatalf("description\n%q\nwant\n%q", ev.description, wantDesc)
		}
		raw := string(r.body)
		for _, escaped := range []string{`Go 동시성\, 무엇이든\; 물어보세요 \\ 백슬래시`, `\\n 은`, `둘째 줄\n\n셋째`} {
			if !strings.Contains(strings.ReplaceAll(raw, "\r\n ", ""), escaped) {
				t.Errorf("the file does not hold %q", escaped)
			}
		}
		if !strings.Contains(raw, "\r\n ") {
			t.Error("the long description was not folded")
		}

		// Unchanged: the same bytes, and a conditional fetch gets 304.
		etag := r.header.Get("ETag")
		if again := e.do("GET", path, "", nil); !bytes.Equal(again.body, r.body) || again.header.Get("ETag") != etag || etag == "" {
			t.Fatalf("an unchanged session gave another file (ETag %q, %q)", etag, again.header.Get("ETag"))
		}
		if nm := e.do("GET", path, "", nil, "If-None-Match", etag); nm.status != 304 || len(nm.body) != 0 {
			t.Fatalf("If-None-Match: %d %q", nm.status, nm.body)
		}

		// The host moves the time: same UID, SEQUENCE 1, the new time.
		moved := starts.Add(26 * time.Hour)
		must(host.UpdateSession(ctx, s.ID, ask2live.SessionUpdate{StartsAt: &moved}))(t)
		r2 := e.do("GET", path, "", nil)
		ev2 := oneEvent(t, r2.body)
		if ev2.uid != ev.uid || ev2.sequence != 1 || !ev2.start.Equal(moved) || ev2.stamp.Before(ev.stamp) {
			t.Fatalf("after moving the time: %+v (before %+v)", ev2, ev)
		}
		if r2.header.Get("ETag") == etag {
			t.Fatal("the ETag did not change with the time")
		}
		// A new title is no new time: SEQUENCE stays.
		newTitle := "새 제목"
		must(host.UpdateSession(ctx, s.ID, ask2live.SessionUpdate{Title: &newTitle}))(t)
		if ev3 := oneEvent(t, e.do("GET", path, "", nil).body); ev3.sequence != 1 || ev3.summary != newTitle {
			t.Fatalf("after a new title: %+v", ev3)
		}

		// A session still gathering wishes is tentative.
		rec := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "모집", StartsAt: &starts, TargetGuests: 5}))(t)
		if ev := oneEvent(t, e.do("GET", "/api/v1/sessions/"+rec.ID+"/calendar.ics", "", nil).body); ev.status != "TENTATIVE" {
			t.Fatalf("a recruiting session is %s", ev.status)
		}
		// A live one is confirmed.
		live := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "지금", OpenNow: true}))(t)
		if ev := oneEvent(t, e.do("GET", "/api/v1/sessions/"+live.ID+"/calendar.ics", "", nil).body); ev.status != "CONFIRMED" {
			t.Fatalf("a live session is %s", ev.status)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestSessionCalendarRefusals: sessions with nothing to put in a calendar,
// and ids that name nothing, get a typed problem, never a 500.
func TestSessionCalendarRefusals(t *testing.T) {
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	host := e.register("host")
	starts := time.Now().Add(time.Hour)
	cancelled := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "취소", StartsAt: &starts}))(t)
	must(host.CancelSession(ctx, cancelled.ID))(t)
	ended := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "끝", OpenNow: true}))(t)
	must(host.SessionAction(ctx, ended.ID, "end"))(t)
	hostUser, err := e.svc.Store.UserByUsername(ctx, "host")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	untimed := &ask2live.Session{ID: ask2live.NewID(now), HostID: hostUser.ID, Title: "시간 미정", State: ask2live.StateScheduled, CreatedAt: now, UpdatedAt: now}
	if err := e.svc.Store.CreateSession(ctx, untimed); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, id string
		status   int
		code     ask2live.Code
	}{
		{"cancelled", cancelled.ID, 409, ask2live.EWrongState},
		{"ended", ended.ID, 409, ask2live.EWrongState},
		{"no time", untimed.ID, 409, ask2live.EWrongState},
		{"unknown id", ask2live.NewID(now), 404, ask2live.ENotFound},
		{"not an id", "nope", 404, ask2live.ENotFound},
		{"invalid UTF-8", "%ff%fe", 404, ask2live.ENotFound},
		{"huge id", strings.Repeat("a", 60000), 404, ask2live.ENotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/sessions/"+c.id+"/calendar.ics", "", nil)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if p := r.problem(t); p.Code != c.code || p.Detail == "" {
				t.Fatalf("problem %+v, want %s", p, c.code)
			}
		})
	}
	if r := e.do("POST", "/api/v1/sessions/"+cancelled.ID+"/calendar.ics", "", nil); r.status != 405 || r.problem(t).Code != ask2live.EInvalid {
		t.Fatalf("POST: %d %s", r.status, r.body)
	}
}

// feedResponse is POST /api/v1/me/calendar-feed's answer.
type feedResponse struct {
	URL       string    `json:"url"`
	WebcalURL string    `json:"webcal_url"`
	CreatedAt time.Time `json:"created_at"`
}

func (e *env) createFeed(t *testing.T, token string) feedResponse {
	t.Helper()
	r := e.do("POST", "/api/v1/me/calendar-feed", token, nil)
	if r.status != 201 {
		t.Fatalf("POST /api/v1/me/calendar-feed: %d %s", r.status, r.body)
	}
	var f feedResponse
	if err := json.Unmarshal(r.body, &f); err != nil {
		t.Fatal(err)
	}
	return f
}

// fetchFeed gets a feed as a calendar app does: no credentials.
func fetchFeed(t *testing.T, feedURL string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest("GET", feedURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: buf.Bytes()}
}

// feedEvents fetches a feed and returns its events by UID.
func feedEvents(t *testing.T, feedURL string) map[string]event {
	t.Helper()
	r := fetchFeed(t, feedURL)
	if r.status != 200 || r.header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("GET feed: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "private") {
		t.Errorf("a secret feed is cacheable by others: Cache-Control %q", cc)
	}
	cal := parseICS(t, r.body)
	if name, _ := cal.Props.Text("NAME"); name == "" {
		t.Error("the feed has no NAME")
	}
	out := map[string]event{}
	for _, ev := range cal.Events() {
		got := readEvent(t, ev)
		out[got.uid] = got
	}
	return out
}

func wantFeedGone(t *testing.T, feedURL, why string) {
	t.Helper()
	r := fetchFeed(t, feedURL)
	if r.status != 404 {
		t.Fatalf("%s: the feed answers %d, want 404", why, r.status)
	}
	if p := r.problem(t); p.Code != ask2live.ENotFound {
		t.Fatalf("%s: problem %+v", why, p)
	}
}

// TestCalendarFeed: a user's feed holds exactly the sessions they wished
// (upcoming, live, and recently cancelled or ended, with their status);
// making it again retires the old address; revoking ends it; nobody else
// can touch it, and a deleted account's feed stops.
func TestCalendarFeed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		e := newEnv(t, backend)
		ctx := context.Background()
		host, guest, stranger := e.register("host"), e.register("guest"), e.register("stranger")
		gt, st := guest.Token, stranger.Token
		at := func(h int) *time.Time { v := time.Now().UTC().Add(time.Duration(h) * time.Hour); return &v }

		// Anonymous callers manage no feed.
		for _, m := range []string{"GET", "POST", "DELETE"} {
			if r := e.do(m, "/api/v1/me/calendar-feed", "", nil); r.status != 401 || r.problem(t).Code != ask2live.EUnauthenticated {
				t.Fatalf("anonymous %s: %d %s", m, r.status, r.body)
			}
		}
		var state ask2live.CalendarFeedState
		if r := e.do("GET", "/api/v1/me/calendar-feed", gt, nil); r.status != 200 || json.Unmarshal(r.body, &state) != nil || state.Active || state.CreatedAt != nil {
			t.Fatalf("before making one: %d %s", r.status, r.body)
		}

		scheduled := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "예정된 세션, 쉼표", StartsAt: at(30)}))(t)
		recruiting := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "모집 중", StartsAt: at(50), TargetGuests: 9}))(t)
		toCancel := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "취소될 세션", StartsAt: at(40)}))(t)
		toEnd := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "끝날 세션", OpenNow: true}))(t)
		live := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "라이브", OpenNow: true}))(t)
		withdrawn := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "찜 취소", StartsAt: at(20)}))(t)
		others := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "남의 찜", StartsAt: at(21)}))(t)
		for _, s := range []*ask2live.Session{scheduled, recruiting, toCancel, toEnd, live, withdrawn} {
			must(guest.Wish(ctx, s.ID))(t)
		}
		must(guest.Unwish(ctx, withdrawn.ID))(t)
		must(stranger.Wish(ctx, others.ID))(t)
		must(host.CancelSession(ctx, toCancel.ID))(t)
		must(host.SessionAction(ctx, toEnd.ID, "end"))(t)

		f := e.createFeed(t, gt)
		prefix := e.srv.URL + "/api/v1/calendar/"
		if !strings.HasPrefix(f.URL, prefix) || !strings.HasSuffix(f.URL, ".ics") ||
			f.WebcalURL != "webcal://"+strings.TrimPrefix(f.URL, "http://") {
			t.Fatalf("feed = %+v", f)
		}
		evs := feedEvents(t, f.URL)
		want := map[string]string{scheduled.ID: "CONFIRMED", recruiting.ID: "TENTATIVE", toCancel.ID: "CANCELLED",
			toEnd.ID: "CONFIRMED", live.ID: "CONFIRMED"}
		var got []string
		for uid, ev := range evs {
			got = append(got, uid+" "+ev.status)
		}
		var wantList []string
		for id, status := range want {
			wantList = append(wantList, id+"@ask2live "+status)
		}
		slices.Sort(got)
		slices.Sort(wantList)
		if !slices.Equal(got, wantList) {
			t.Fatalf("feed holds\n%q\nwant\n%q", got, wantList)
		}
		if ev := evs[toCancel.ID+"@ask2live"]; ev.sequence != 1 {
			t.Errorf("the cancelled session has SEQUENCE %d, want 1", ev.sequence)
		}
		if ev := evs[scheduled.ID+"@ask2live"]; ev.summary != "예정된 세션, 쉼표" || ev.url != e.srv.URL+"/sessions/"+scheduled.ID {
			t.Errorf("scheduled event = %+v", ev)
		}
		if r := e.do("GET", "/api/v1/me/calendar-feed", gt, nil); r.status != 200 || json.Unmarshal(r.body, &state) != nil || !state.Active || state.CreatedAt == nil {
			t.Fatalf("after making one: %d %s", r.status, r.body)
		}

		// A wish made later appears; moving a session's time shows there
		// too, under the same UID with a higher SEQUENCE.
		must(guest.Wish(ctx, withdrawn.ID))(t)
		moved := at(31)
		must(host.UpdateSession(ctx, scheduled.ID, ask2live.SessionUpdate{StartsAt: moved}))(t)
		evs = feedEvents(t, f.URL)
		if _, ok := evs[withdrawn.ID+"@ask2live"]; !ok || len(evs) != 6 {
			t.Fatalf("after a new wish the feed holds %d events", len(evs))
		}
		if ev := evs[scheduled.ID+"@ask2live"]; ev.sequence != 1 || !ev.start.Equal(moved.Truncate(time.Second)) {
			t.Errorf("the moved session: %+v", ev)
		}

		// A conditional fetch of an unchanged feed: 304.
		r := fetchFeed(t, f.URL)
		if nm := fetchFeed(t, f.URL, "If-None-Match", r.header.Get("ETag")); nm.status != 304 {
			t.Fatalf("If-None-Match on an unchanged feed: %d", nm.status)
		}

		// A stranger makes and revokes only their own feed.
		sf := e.createFeed(t, st)
		if sf.URL == f.URL {
			t.Fatal("two users got one feed address")
		}
		if evs := feedEvents(t, sf.URL); len(evs) != 1 {
			t.Fatalf("the stranger's feed holds %d events, want their one wish", len(evs))
		}
		if r := e.do("DELETE", "/api/v1/me/calendar-feed", st, nil); r.status != 204 {
			t.Fatalf("stranger's DELETE: %d %s", r.status, r.body)
		}
		wantFeedGone(t, sf.URL, "revoked by its owner")
		if evs := feedEvents(t, f.URL); len(evs) != 6 {
			t.Fatalf("the stranger's revocation touched the guest's feed: %d events", len(evs))
		}

		// Rotation: a new address, the old one gone at once.
		f2 := e.createFeed(t, gt)
		if f2.URL == f.URL {
			t.Fatal("making the feed again kept the address")
		}
		wantFeedGone(t, f.URL, "rotated")
		if evs := feedEvents(t, f2.URL); len(evs) != 6 {
			t.Fatalf("the new address holds %d events", len(evs))
		}

		// Revocation, twice (the second is no error).
		for range 2 {
			if r := e.do("DELETE", "/api/v1/me/calendar-feed", gt, nil); r.status != 204 {
				t.Fatalf("DELETE: %d %s", r.status, r.body)
			}
		}
		wantFeedGone(t, f2.URL, "revoked")
		if r := e.do("GET", "/api/v1/me/calendar-feed", gt, nil); r.status != 200 || json.Unmarshal(r.body, &state) != nil || state.Active {
			t.Fatalf("after revoking: %d %s", r.status, r.body)
		}

		// A deleted account's feed stops.
		f3 := e.createFeed(t, gt)
		feedEvents(t, f3.URL)
		if _, err := e.svc.SetAdmin(ctx, nil, "host", true); err != nil {
			t.Fatal(err)
		}
		admin, err := e.svc.Store.UserByUsername(ctx, "host")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.DeleteUser(ctx, admin, "guest"); err != nil {
			t.Fatal(err)
		}
		wantFeedGone(t, f3.URL, "its account was deleted")
	})
}

// TestCalendarFeedBadAddresses: anything that is not a live feed's address
// is a 404 problem, whatever its shape or size.
func TestCalendarFeedBadAddresses(t *testing.T) {
	e := newEnv(t, "sqlite")
	f := e.createFeed(t, e.register("guest").Token)
	token := strings.TrimSuffix(strings.TrimPrefix(f.URL, e.srv.URL+"/api/v1/calendar/"), ".ics")
	for name, path := range map[string]string{
		"no .ics":          token,
		"other suffix":     token + ".ical",
		"upper case":       strings.ToUpper(token) + ".ics",
		"one char off":     token[:len(token)-1] + map[bool]string{true: "b", false: "a"}[token[len(token)-1] == 'a'] + ".ics",
		"short":            "abc.ics",
		"only .ics":        ".ics",
		"invalid UTF-8":    "%ff%fe.ics",
		"control char":     "%00" + token[1:] + ".ics",
		"huge":             strings.Repeat("a", 100000) + ".ics",
		"dot dot":          "..%2f..%2fetc.ics",
		"token and a tail": token + ".ics%2fmore",
	} {
		t.Run(name, func(t *testing.T) {
			r := e.do("GET", "/api/v1/calendar/"+path, "", nil)
			if r.status != 404 {
				t.Fatalf("status %d, want 404: %.200s", r.status, r.body)
			}
			if p := r.problem(t); p.Code != ask2live.ENotFound {
				t.Fatalf("problem %+v", p)
			}
		})
	}
	if r := e.do("GET", "/api/v1/calendar/"+token+".ics", "", nil); r.status != 200 {
		t.Fatalf("the real address: %d %s", r.status, r.body)
	}
}

// TestCalendarFeedRateLimit: one feed fetched too often gets 429 with
// Retry-After; other feeds are not held back.
func TestCalendarFeedRateLimit(t *testing.T) {
	e := newEnv(t, "sqlite", func(c *httpapi.Config) { c.CalendarFeedRate = 3 })
	busy := e.createFeed(t, e.register("busy").Token)
	calm := e.createFeed(t, e.register("calm").Token)
	for i := range 3 {
		if r := fetchFeed(t, busy.URL); r.status != 200 {
			t.Fatalf("fetch %d: %d", i+1, r.status)
		}
	}
	r := fetchFeed(t, busy.URL)
	if r.status != 429 || r.problem(t).Code != ask2live.ERateLimited {
		t.Fatalf("over the limit: %d %s", r.status, r.body)
	}
	if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 || ra > 3600 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	if r := fetchFeed(t, calm.URL); r.status != 200 {
		t.Fatalf("another feed: %d", r.status)
	}
}

// TestCalendarLinksAddress: links in calendar files use -public-url when
// it is set; otherwise the request's host, and https only when the request
// came over TLS, cookies are Secure, or a trusted proxy says so.
func TestCalendarLinksAddress(t *testing.T) {
	cases := []struct {
		name       string
		publicURL  string
		secure     bool
		remote     string
		host       string
		headers    []string
		tls        bool
		wantBase   string
		wantStatus int
	}{
		{name: "plain", remote: "192.0.2.1:4000", host: "qa.example.com", wantBase: "http://qa.example.com"},
		{name: "host with port, upper case", remote: "192.0.2.1:4000", host: "QA.Example.com:8443", wantBase: "http://qa.example.com:8443"},
		{name: "IPv6", remote: "192.0.2.1:4000", host: "[2001:db8::1]:8080", wantBase: "http://[2001:db8::1]:8080"},
		{name: "TLS", remote: "192.0.2.1:4000", host: "qa.example.com", tls: true, wantBase: "https://qa.example.com"},
		{name: "secure cookies", secure: true, remote: "192.0.2.1:4000", host: "qa.example.com", wantBase: "https://qa.example.com"},
		{name: "untrusted X-Forwarded-Proto", remote: "192.0.2.1:4000", host: "qa.example.com",
			headers: []string{"X-Forwarded-Proto", "https"}, wantBase: "http://qa.example.com"},
		{name: "trusted proxy's X-Forwarded-Proto", remote: "127.0.0.1:4000", host: "qa.example.com",
			headers: []string{"X-Forwarded-Proto", "https"}, wantBase: "https://qa.example.com"},
		{name: "trusted proxy, odd scheme", remote: "127.0.0.1:4000", host: "qa.example.com",
			headers: []string{"X-Forwarded-Proto", "gopher"}, wantBase: "http://qa.example.com"},
		{name: "public URL wins", publicURL: "https://ask.example.org/", remote: "127.0.0.1:4000", host: "internal:8080",
			headers: []string{"X-Forwarded-Proto", "http"}, wantBase: "https://ask.example.org"},
		{name: "bad Host", remote: "192.0.2.1:4000", host: "evil.example/<script>", wantStatus: 400},
	}
	e := newEnv(t, "sqlite")
	ctx := context.Background()
	host := e.register("host")
	starts := time.Now().Add(time.Hour)
	s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "링크", StartsAt: &starts}))(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := httpapi.New(httpapi.Config{PublicURL: c.publicURL, CookieSecure: c.secure,
				TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, e.svc, e.svc.Log)
			serve := func(method, path, token string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, nil)
				req.RemoteAddr, req.Host = c.remote, c.host
				if c.tls {
					req.TLS = &tls.ConnectionState{}
				}
				for i := 0; i+1 < len(c.headers); i += 2 {
					req.Header.Set(c.headers[i], c.headers[i+1])
				}
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				rec := httptest.NewRecorder()
				api.ServeHTTP(rec, req)
				return rec
			}
			rec := serve("GET", "/api/v1/sessions/"+s.ID+"/calendar.ics", "")
			feed := serve("POST", "/api/v1/me/calendar-feed", host.Token)
			if c.wantStatus != 0 {
				for _, got := range []*httptest.ResponseRecorder{rec, feed} {
					if got.Code != c.wantStatus || got.Header().Get("Content-Type") != "application/problem+json" {
						t.Fatalf("status %d %q, want %d problem: %s", got.Code, got.Header().Get("Content-Type"), c.wantStatus, got.Body)
					}
				}
				return
			}
			if rec.Code != 200 {
				t.Fatalf("GET: %d %s", rec.Code, rec.Body)
			}
			if ev := oneEvent(t, rec.Body.Bytes()); ev.url != c.wantBase+"/sessions/"+s.ID {
				t.Fatalf("URL %q, want %q", ev.url, c.wantBase+"/sessions/"+s.ID)
			}
			var f feedResponse
			if feed.Code != 201 || json.Unmarshal(feed.Body.Bytes(), &f) != nil || !strings.HasPrefix(f.URL, c.wantBase+"/api/v1/calendar/") {
				t.Fatalf("feed: %d %s", feed.Code, feed.Body)
			}
		})
	}
}
