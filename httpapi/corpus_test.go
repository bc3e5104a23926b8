package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"mime/multipart"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/store/storetest"
)

// badText is text no field takes: invalid UTF-8 aside (it cannot be sent
// inside JSON, see badUTF8), every kind of control character.
var badText = map[string]string{
	"NUL": "a\x00b", "only NUL": "\x00", "leading NUL": "\x00abc", "trailing NUL": "abc\x00", "ESC": "a\x1b[31mb",
	"BEL": "a\x07b", "backspace": "ab\bc", "form feed": "a\fb", "vertical tab": "a\vb", "lone CR": "a\rb",
	"DEL": "a\x7fb", "C1 NEL": "a\u0085b", "C1 CSI": "a\u009b2J",
}

// badName is text names and titles refuse on top of badText.
var badName = map[string]string{
	"zero-width only": "\u200b\u200c\u200d", "word joiner and BOM": "\u2060\ufeff", "hangul fillers": "\u3164\u115f\u1160",
	"braille blank": "\u2800", "lone combining mark": "\u0301", "RLO override": "abc\u202edef", "LRE embedding": "\u202aabc",
	"RLI isolate": "\u2067abc\u2069", "newline": "a\nb", "tab": "a\tb",
}

// badUTF8 are byte sequences that are not UTF-8, sent raw in a JSON body.
var badUTF8 = map[string]string{"0xff": "a\xffb", "truncated": "a\xc3", "surrogate": "\xed\xa0\x80", "overlong slash": "\xc0\xaf"}

// badQuery are query values no parameter takes.
var badQuery = map[string]string{
	"NUL": "%00", "inner NUL": "a%00b", "0xff": "%ff", "bad UTF-8": "%c3%28", "ESC": "%1b", "DEL": "%7f",
	"C1": "%c2%85", "newline": "a%0ab",
}

// badIDs cannot name a session or a question.
var badIDs = map[string]string{
	"NUL": "a%00b", "only NUL": "%00", "0xff": "%ff", "short": "nope", "long": strings.Repeat("0", 27),
	"upper case": strings.Repeat("A", 26), "not in alphabet": strings.Repeat("i", 26), "Hangul": url.PathEscape("세션"),
	"RLO": "%e2%80%ae" + strings.Repeat("0", 25),
}

type corpusCase struct {
	kind, name   string
	method, path string
	token        string
	body         any
	headers      []string
	want         int // the status; 0: any typed 4xx
}

// TestBadInputCorpus sends several hundred bad requests, frames and uploads
// on every database and requires each to get a typed 4xx (a problem with a
// code, or an error frame or close code on the socket), never a 5xx or a
// success, and the database to hold afterwards exactly what it held before.
func TestBadInputCorpus(t *testing.T) {
	storetest.Run(t, func(t *testing.T, backend string) {
		e := newLiveEnv(t, backend, live.Config{QuestionRate: 1 << 20, ChatRate: 1 << 20, MaxFrameBytes: 8 << 10})
		ctx := context.Background()
		host, guest := e.register("host"), e.register("guest")
		s := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "live", OpenNow: true}))(t)
		later := time.Now().Add(time.Hour)
		sched := must(host.CreateSession(ctx, ask2live.SessionInput{Title: "later", StartsAt: &later, TargetGuests: 3}))(t)
		q := must(guest.Ask(ctx, s.ID, ask2live.QuestionInput{Text: "q"}))(t)
		sock := e.dialCorpus(t, guest.Token, s.ID)
		before := e.rows(t)

		admin := e.register("admin")
		if _, err := e.svc.SetAdmin(ctx, nil, "admin", true); err != nil {
			t.Fatal(err)
		}
		before = e.rows(t)
		cases := append(restCorpus(host.Token, guest.Token, s.ID, sched.ID, q.ID), adminCorpus(admin.Token)...)
		counts, fivexx := map[string]int{}, 0
		for _, c := range cases {
			r := e.do(c.method, c.path, c.token, c.body, c.headers...)
			counts[c.kind]++
			if r.status >= 500 {
				fivexx++
			}
			if err := typedRefusal(r, c.want); err != "" {
				t.Errorf("%s %s (%s %s): %s", c.kind, c.name, c.method, shortPath(c.path), err)
			}
		}
		for _, u := range uploadCorpus() {
			r := e.do("PUT", "/api/v1/me/avatar", guest.Token, u.body, "Content-Type", u.contentType)
			counts["upload"]++
			if r.status >= 500 {
				fivexx++
			}
			if err := typedRefusal(r, u.want); err != "" {
				t.Errorf("upload %s: %s", u.name, err)
			}
		}
		for _, f := range frameCorpus(q.ID) {
			counts["frame"]++
			if err := sock.refused(t, f); err != "" {
				t.Errorf("frame %s: %s", f.name, err)
			}
		}
		for name, frame := range helloCorpus() {
			counts["hello"]++
			if code := e.badHello(t, guest.Token, s.ID, frame); code != live.CloseBadFrame {
				t.Errorf("hello %s: close code %d, want %d", name, code, live.CloseBadFrame)
			}
		}
		if after := e.rows(t); after != before {
			t.Errorf("refused input changed the database:\nbefore %s\nafter  %s", before, after)
		}
		total, kinds := 0, []string{}
		for k, n := range counts {
			total += n
			kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
		}
		sort.Strings(kinds)
		t.Logf("%s: %d bad inputs (%s), %d answered 5xx", backend, total, strings.Join(kinds, ", "), fivexx)
		if total < 400 || fivexx > 0 {
			t.Errorf("%d cases, %d 5xx; want at least 400 and none", total, fivexx)
		}
	})
}

// typedRefusal says what is wrong with an answer to bad input, or "".
func typedRefusal(r response, want int) string {
	switch {
	case want != 0 && r.status != want:
		return fmt.Sprintf("status %d, want %d: %.200s", r.status, want, r.body)
	case r.status < 400 || r.status >= 500:
		return fmt.Sprintf("status %d, want a 4xx: %.200s", r.status, r.body)
	case r.header.Get("Content-Type") != "application/problem+json":
		return fmt.Sprintf("%d with content type %q, want a problem", r.status, r.header.Get("Content-Type"))
	}
	var p ask2live.Problem
	if err := json.Unmarshal(r.body, &p); err != nil || p.Code == "" || p.Status != r.status || p.Detail == "" {
		return fmt.Sprintf("%d: not a typed problem: %.200s", r.status, r.body)
	}
	return ""
}

func shortPath(p string) string {
	if len(p) > 80 {
		return p[:80] + "…"
	}
	return p
}

// restCorpus is bad bodies, queries, path ids and cursors.
func restCorpus(ht, gt, live, sched, q string) []corpusCase {
	var out []corpusCase
	type field struct {
		method, path, token, name string
		base                      map[string]any // the rest of a valid body
		max                       int            // characters; 0: no limit to pass
		visible                   bool
	}
	fields := []field{
		{"POST", "/api/v1/auth/register", "", "username", map[string]any{"password": "password1"}, 32, false},
		{"POST", "/api/v1/auth/register", "", "display_name", map[string]any{"username": "newbie", "password": "password1"}, 40, true},
		{"POST", "/api/v1/auth/login", "", "username", map[string]any{"password": "password1"}, 0, false},
		{"PATCH", "/api/v1/me", gt, "display_name", nil, 40, true},
		{"PATCH", "/api/v1/me", gt, "company", nil, 100, false},
		{"PATCH", "/api/v1/me", gt, "work_field", nil, 100, false},
		{"PATCH", "/api/v1/me", gt, "bio", nil, 1000, false},
		{"POST", "/api/v1/sessions", ht, "title", map[string]any{"open_now": true}, 100, true},
		{"POST", "/api/v1/sessions", ht, "description", map[string]any{"title": "t", "open_now": true}, 2000, false},
		{"PATCH", "/api/v1/sessions/" + sched, ht, "title", nil, 100, true},
		{"PATCH", "/api/v1/sessions/" + sched, ht, "description", nil, 2000, false},
		{"POST", "/api/v1/sessions/" + live + "/questions", gt, "text", nil, 500, false},
		{"PATCH", "/api/v1/questions/" + q, gt, "text", nil, 500, false},
	}
	body := func(f field, v any) map[string]any {
		b := map[string]any{f.name: v}
		for k, x := range f.base {
			b[k] = x
		}
		return b
	}
	for _, f := range fields {
		for name, v := range badText {
			out = append(out, corpusCase{"body", f.name + " " + name, f.method, f.path, f.token, body(f, v), nil, 0})
		}
		if f.visible {
			for name, v := range badName {
				out = append(out, corpusCase{"body", f.name + " " + name, f.method, f.path, f.token, body(f, v), nil, 422})
			}
		}
		if f.max > 0 {
			out = append(out, corpusCase{"body", f.name + " too long", f.method, f.path, f.token, body(f, strings.Repeat("가", f.max+1)), nil, 422})
		}
		for name, v := range badUTF8 {
			raw, _ := json.Marshal(body(f, "PLACEHOLDER"))
			b := strings.Replace(string(raw), "PLACEHOLDER", v, 1)
			out = append(out, corpusCase{"body", f.name + " invalid UTF-8 " + name, f.method, f.path, f.token, b, nil, 400})
		}
		for name, v := range map[string]any{"number": 5, "array": []string{"x"}, "object": map[string]string{"x": "y"}, "bool": true} {
			out = append(out, corpusCase{"body", f.name + " as " + name, f.method, f.path, f.token, body(f, v), nil, 400})
		}
	}
	// Bodies that are not one JSON object of known fields.
	endpoints := []struct{ method, path, token string }{
		{"POST", "/api/v1/auth/register", ""}, {"POST", "/api/v1/auth/login", ""}, {"PATCH", "/api/v1/me", gt},
		{"POST", "/api/v1/sessions", ht}, {"PATCH", "/api/v1/sessions/" + sched, ht},
		{"POST", "/api/v1/sessions/" + live + "/questions", gt}, {"PATCH", "/api/v1/questions/" + q, gt},
	}
	malformed := []string{"", "{", "[]", "null", `"x"`, "1", `{"a":1}`, `{} {}`, `{"text":"x"}x`, "\x00", "\xef\xbb\xbf{}", `{"text":"\ud800"` + "\x00}"}
	for _, ep := range endpoints {
		for i, b := range malformed {
			out = append(out, corpusCase{"body", fmt.Sprintf("malformed %d", i), ep.method, ep.path, ep.token, b, nil, 0})
		}
		out = append(out,
			corpusCase{"body", "form encoded", ep.method, ep.path, ep.token, "a=b", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415},
			corpusCase{"body", "no content type", ep.method, ep.path, ep.token, "{}", []string{"Content-Type", ""}, 415},
			corpusCase{"body", "over the body limit", ep.method, ep.path, ep.token, `{"bio":"` + strings.Repeat("a", 70<<10) + `"}`, nil, 413})
	}
	// Other fields out of range.
	for name, b := range map[string]map[string]any{
		"target guests negative": {"title": "t", "open_now": true, "target_guests": -1},
		"target guests huge":     {"title": "t", "open_now": true, "target_guests": 1 << 40},
		"starts_at in the past":  {"title": "t", "starts_at": "2001-01-01T00:00:00Z"},
		"starts_at not a time":   {"title": "t", "starts_at": "tomorrow\x00"},
	} {
		out = append(out, corpusCase{"body", name, "POST", "/api/v1/sessions", ht, b, nil, 0})
	}
	out = append(out,
		corpusCase{"body", "kind unknown", "POST", "/api/v1/sessions/" + live + "/questions", gt, map[string]any{"text": "x", "kind": "video\x00"}, nil, 422},
		corpusCase{"body", "state unknown", "PATCH", "/api/v1/questions/" + q, ht, map[string]any{"state": "done\x00"}, nil, 422},
		corpusCase{"body", "password too long", "POST", "/api/v1/auth/register", "", map[string]any{"username": "newbie", "password": strings.Repeat("p", 129)}, nil, 422})

	// Query parameters: malformed bytes in each, and values out of range.
	for _, p := range []struct{ path, name string }{
		{"/api/v1/sessions", "q"}, {"/api/v1/sessions", "host"}, {"/api/v1/sessions", "state"}, {"/api/v1/sessions", "cursor"},
		{"/api/v1/sessions", "limit"}, {"/api/v1/sessions", "other"}, {"/api/v1/sessions/" + live + "/questions", "cursor"},
		{"/api/v1/sessions/" + live + "/questions", "limit"}, {"/api/v1/sessions/" + live, "x"}, {"/api/v1/feed", "x"},
	} {
		for name, v := range badQuery {
			out = append(out, corpusCase{"query", p.name + " " + name, "GET", p.path + "?" + p.name + "=" + v, "", nil, nil, 400})
		}
	}
	for name, qs := range map[string]string{
		"unknown state": "state=open", "limit 0": "limit=0", "limit 101": "limit=101", "limit negative": "limit=-1",
		"limit float": "limit=1e3", "q too long": "q=" + strings.Repeat("a", 201), "parameter name NUL": "a%00=1",
	} {
		out = append(out, corpusCase{"query", name, "GET", "/api/v1/sessions?" + qs, "", nil, nil, 400})
	}
	out = append(out, corpusCase{"query", "questions limit 501", "GET", "/api/v1/sessions/" + live + "/questions?limit=501", "", nil, nil, 400},
		corpusCase{"query", "questions limit 0", "GET", "/api/v1/sessions/" + live + "/questions?limit=0", "", nil, nil, 400})

	// Cursors: well-formed base64 holding what no cursor holds.
	b64 := func(s string) string { return url.QueryEscape(base64.RawURLEncoding.EncodeToString([]byte(s))) }
	id := strings.Repeat("0", 26)
	for name, c := range map[string]string{
		"NUL id": b64("0000000000000000|a\x00b"), "bad UTF-8 id": b64("0000000000000000|\xff"), "NUL key": b64("00000000000000\x00\x00|" + id),
		"letters key": b64("abcdefghijklmnop|" + id), "long id": b64("0000000000000000|" + strings.Repeat("a", 64)), "no separator": b64("0000000000000000"),
		"padded": base64.URLEncoding.EncodeToString([]byte("0000000000000000|" + id + "x")), "huge": strings.Repeat("A", 4000), "standard alphabet": "ab+/cd",
		"question cursor": b64("pre|0|0|" + id),
	} {
		out = append(out, corpusCase{"cursor", "sessions " + name, "GET", "/api/v1/sessions?cursor=" + c, "", nil, nil, 400})
	}
	for name, c := range map[string]string{
		"NUL id": b64("pre|0|0|a\x00b"), "unknown phase": b64("now|0|0|" + id), "negative votes": b64("pre|-1|0|" + id),
		"time overflow": b64("pre|0|99999999999999999999|" + id), "extra part": b64("pre|0|0|" + id + "|x"), "bad UTF-8": b64("pre|\xff|0|" + id),
		"session cursor": b64("0000000000000000|" + id), "huge": strings.Repeat("A", 4000), "not base64": "%21%21",
	} {
		out = append(out, corpusCase{"cursor", "questions " + name, "GET", "/api/v1/sessions/" + live + "/questions?cursor=" + c, "", nil, nil, 400})
	}

	// Path ids that cannot exist, on every route that takes one.
	for name, bad := range badIDs {
		for _, r := range []struct {
			method, path, token string
			body                any
		}{
			{"GET", "/api/v1/sessions/%s", "", nil}, {"PATCH", "/api/v1/sessions/%s", ht, map[string]any{"title": "x"}},
			{"DELETE", "/api/v1/sessions/%s", ht, nil}, {"PUT", "/api/v1/sessions/%s/wish", gt, nil},
			{"DELETE", "/api/v1/sessions/%s/wish", gt, nil}, {"POST", "/api/v1/sessions/%s/confirm", ht, nil},
			{"POST", "/api/v1/sessions/%s/start", ht, nil}, {"POST", "/api/v1/sessions/%s/end", ht, nil},
			{"GET", "/api/v1/sessions/%s/questions", "", nil}, {"POST", "/api/v1/sessions/%s/questions", gt, map[string]any{"text": "x"}},
			{"GET", "/api/v1/sessions/%s/live", gt, nil}, {"PATCH", "/api/v1/questions/%s", gt, map[string]any{"text": "x"}},
			{"DELETE", "/api/v1/questions/%s", gt, nil}, {"PUT", "/api/v1/questions/%s/vote", ht, nil},
			{"DELETE", "/api/v1/questions/%s/vote", ht, nil},
		} {
			out = append(out, corpusCase{"path", name, r.method, fmt.Sprintf(r.path, bad), r.token, r.body, nil, 404})
		}
	}
	for name, bad := range map[string]string{
		"NUL": "a%00b", "0xff": "%ff", "space": "a%20b", "Hangul": url.PathEscape("김철수"), "too long": strings.Repeat("a", 33),
		"too short": "ab", "RLO": "%e2%80%aeabc",
	} {
		out = append(out, corpusCase{"path", "user " + name, "GET", "/api/v1/users/" + bad, "", nil, nil, 404})
	}
	for name, bad := range map[string]string{"NUL": "a%00b", "0xff": "avatars/%ff.jpg", "ESC": "avatars/%1b.jpg", "unknown": "avatars/nope.jpg"} {
		out = append(out, corpusCase{"path", "media " + name, "GET", "/media/" + bad, "", nil, nil, 404})
	}
	return out
}

// adminCorpus is bad queries, cursors and path names on the site
// administration's routes, sent by an admin.
func adminCorpus(at string) []corpusCase {
	var out []corpusCase
	for _, p := range []struct{ path, name string }{
		{"/api/v1/admin/users", "q"}, {"/api/v1/admin/users", "cursor"}, {"/api/v1/admin/users", "limit"},
		{"/api/v1/admin/audit", "cursor"}, {"/api/v1/admin/audit", "limit"}, {"/api/v1/admin/audit", "other"},
	} {
		for name, v := range badQuery {
			out = append(out, corpusCase{"query", "admin " + p.name + " " + name, "GET", p.path + "?" + p.name + "=" + v, at, nil, nil, 400})
		}
	}
	b64 := func(s string) string { return url.QueryEscape(base64.RawURLEncoding.EncodeToString([]byte(s))) }
	id := strings.Repeat("0", 26)
	for name, qs := range map[string]string{
		"users limit 0": "users?limit=0", "users limit 101": "users?limit=101", "users q too long": "users?q=" + strings.Repeat("a", 201),
		"users cursor not a username": "users?cursor=" + url.QueryEscape("김 철수"), "users cursor too short": "users?cursor=ab",
		"audit limit 0": "audit?limit=0", "audit limit float": "audit?limit=1e3", "audit cursor junk": "audit?cursor=nope",
		"audit cursor negative time": "audit?cursor=" + b64("-1|"+id), "audit cursor bad id": "audit?cursor=" + b64("1|a\x00b"),
		"audit cursor huge": "audit?cursor=" + strings.Repeat("A", 4000), "audit session cursor": "audit?cursor=" + b64("0000000000000000|"+id),
		"audit cursor time overflow": "audit?cursor=" + b64("99999999999999999999|"+id),
	} {
		out = append(out, corpusCase{"cursor", name, "GET", "/api/v1/admin/" + qs, at, nil, nil, 400})
	}
	for name, bad := range badIDs {
		for _, p := range []string{"/api/v1/admin/sessions/%s/end", "/api/v1/admin/sessions/%s/remove"} {
			out = append(out, corpusCase{"path", "admin " + name, "POST", fmt.Sprintf(p, bad), at, nil, nil, 404})
		}
	}
	for name, bad := range map[string]string{
		"NUL": "a%00b", "0xff": "%ff", "space": "a%20b", "Hangul": url.PathEscape("김철수"), "too long": strings.Repeat("a", 33),
		"too short": "ab", "RLO": "%e2%80%aeabc", "unknown": "nobody",
	} {
		for _, r := range []struct{ method, path string }{
			{"POST", "/api/v1/admin/users/%s/suspend"}, {"POST", "/api/v1/admin/users/%s/unsuspend"}, {"DELETE", "/api/v1/admin/users/%s"},
		} {
			out = append(out, corpusCase{"path", "admin user " + name, r.method, fmt.Sprintf(r.path, bad), at, nil, nil, 404})
		}
	}
	return out
}

type corpusUpload struct {
	name, contentType string
	body              []byte
	want              int
}

// uploadCorpus is avatar uploads that are bombs, broken or not images, and
// multipart bodies that are not uploads.
func uploadCorpus() []corpusUpload {
	form := func(field string, data []byte) ([]byte, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile(field, "a.png")
		_, _ = fw.Write(data)
		_ = mw.Close()
		return buf.Bytes(), mw.FormDataContentType()
	}
	var out []corpusUpload
	add := func(name string, data []byte, want int) {
		b, ct := form("file", data)
		out = append(out, corpusUpload{name, ct, b, want})
	}
	for name, b := range avatarBombs() {
		add("bomb "+name, b, 413)
	}
	png := pngImage(64, 64)
	var jb, gb bytes.Buffer
	_ = jpeg.Encode(&jb, image.NewRGBA(image.Rect(0, 0, 64, 64)), nil)
	_ = gif.Encode(&gb, image.NewPaletted(image.Rect(0, 0, 64, 64), []color.Color{color.Black, color.White}), nil)
	for name, b := range map[string][]byte{
		"truncated PNG": png[:len(png)/2], "PNG signature only": png[:8], "truncated JPEG": jb.Bytes()[:jb.Len()/2],
		"truncated GIF": gb.Bytes()[:gb.Len()/2], "truncated WebP": webpLossless(64, 64)[:20], "PNG of 0x0": pngZeroSize(),
	} {
		add(name, b, 0)
	}
	for name, b := range map[string]string{
		"text": "hello", "SVG": `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`, "HTML": "<html><script>alert(1)</script>",
		"PDF": "%PDF-1.4\n", "ZIP": "PK\x03\x04", "BMP": "BM\x36\x00\x00\x00", "TIFF": "II*\x00\x08\x00\x00\x00", "empty": "",
		"NUL bytes": "\x00\x00\x00\x00", "ICO": "\x00\x00\x01\x00\x01\x00",
	} {
		add(name, []byte(b), 415)
	}
	add("over 5 MB", bytes.Repeat([]byte{0}, ask2live.AvatarMaxBytes+10), 413)
	b, ct := form("picture", png)
	out = append(out, corpusUpload{"no file field", ct, b, 422},
		corpusUpload{"not multipart", "application/json", []byte(`{"file":"x"}`), 415},
		corpusUpload{"boundary missing", "multipart/form-data", b, 400},
		corpusUpload{"wrong boundary", "multipart/form-data; boundary=nothere", b, 0})
	return out
}

// pngZeroSize is a PNG header that claims no pixels.
func pngZeroSize() []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	pngChunk(&out, "IHDR", []byte{0, 0, 0, 0, 0, 0, 0, 0, 8, 6, 0, 0, 0})
	pngChunk(&out, "IEND", nil)
	return out.Bytes()
}

type corpusFrame struct {
	name  string
	frame string
	close int // the close code the frame gets instead of an error; 0: an error
}

// frameCorpus is frames a joined client may send that must be refused.
func frameCorpus(questionID string) []corpusFrame {
	var out []corpusFrame
	n := 0
	cmd := func(fields map[string]any) string {
		if fields["cid"] == "c" {
			n++
			fields["cid"] = fmt.Sprintf("c%d", n) // every command its own id
		}
		b, _ := json.Marshal(fields)
		return string(b)
	}
	for i, f := range []string{"hello", "{", "[]", "null", "1", `"chat"`, "", "\xff", "\x00", `{"type":"\xff","cid":"c"}`,
		`{"type":"chat","cid":"c","text":"` + "\xff" + `"}`, `{"type":1}`, `{"type":"chat","cid":5,"text":"x"}`,
		`{"type":"chat","cid":"c","text":5}`, `{"type":"vote","cid":"c","question_id":[]}`, `{"type":"mute","cid":"c","muted":"yes"}`,
		`{"type":"chat","cid":"c","text":"x","admin":true}`, `{"type":"chat","cid":"c","text":"x"} {}`, `{}`, `{"type":"explode","cid":"c"}`,
		`{"type":"hello","v":1}`, `{"type":"chat","text":"no cid"}`, `{"type":"vote","cid":"c"}`, `{"type":"set_question_state","cid":"c","question_id":"` + questionID + `","state":"done"}`,
		`{"type":"grant_mic","cid":"c"}`, `{"type":"mute","cid":"c"}`, `{"type":"rtc"}`, `{"type":"delete_chat","cid":"c"}`,
	} {
		out = append(out, corpusFrame{fmt.Sprintf("malformed %d", i), f, 0})
	}
	for name, v := range badText {
		out = append(out, corpusFrame{"chat " + name, cmd(map[string]any{"type": "chat", "cid": "c", "text": v}), 0},
			corpusFrame{"ask " + name, cmd(map[string]any{"type": "ask", "cid": "c", "text": v}), 0},
			corpusFrame{"edit " + name, cmd(map[string]any{"type": "edit_question", "cid": "c", "question_id": questionID, "text": v}), 0},
			corpusFrame{"cid " + name, cmd(map[string]any{"type": "chat", "cid": v, "text": "x"}), 0})
	}
	for name, bad := range map[string]string{"NUL": "a\x00b", "short": "nope", "upper case": strings.Repeat("A", 26), "long": strings.Repeat("0", 64), "ESC": "\x1b[2J"} {
		for _, typ := range []string{"vote", "unvote", "delete_question", "edit_question"} {
			out = append(out, corpusFrame{typ + " id " + name, cmd(map[string]any{"type": typ, "cid": "c", "question_id": bad, "text": "x"}), 0})
		}
		out = append(out, corpusFrame{"set state id " + name, cmd(map[string]any{"type": "set_question_state", "cid": "c", "question_id": bad, "state": "answered"}), 0},
			corpusFrame{"delete chat id " + name, cmd(map[string]any{"type": "delete_chat", "cid": "c", "message_id": bad}), 0},
			corpusFrame{"grant mic to " + name, cmd(map[string]any{"type": "grant_mic", "cid": "c", "username": bad}), 0},
			corpusFrame{"remove " + name, cmd(map[string]any{"type": "remove", "cid": "c", "username": bad}), 0})
	}
	out = append(out, corpusFrame{"cid too long", cmd(map[string]any{"type": "chat", "cid": strings.Repeat("c", 65), "text": "x"}), 0},
		corpusFrame{"chat too long", cmd(map[string]any{"type": "chat", "cid": "c", "text": strings.Repeat("가", 501)}), 0},
		corpusFrame{"empty chat", cmd(map[string]any{"type": "chat", "cid": "c", "text": " \n "}), 0},
		corpusFrame{"host-only end", cmd(map[string]any{"type": "end", "cid": "c"}), 0},
		corpusFrame{"over the frame limit", cmd(map[string]any{"type": "chat", "cid": "c", "text": strings.Repeat("a", 9<<10)}), live.CloseTooBig})
	return out
}

// helloCorpus is first frames that are not a valid hello.
func helloCorpus() map[string]string {
	return map[string]string{
		"not JSON": "x", "a command": `{"type":"chat","cid":"c","text":"x"}`, "version 2": `{"type":"hello","v":2}`,
		"NUL epoch": `{"type":"hello","v":1,"last_seq":1,"epoch":"\u0000"}`, "negative seq": `{"type":"hello","v":1,"last_seq":-1}`,
		"invalid UTF-8": "{\"type\":\"hello\",\"v\":1,\"epoch\":\"\xff\"}", "empty": "",
	}
}

// corpusSocket is a joined live client that redials when the server
// closes it.
type corpusSocket struct {
	e             *env
	token, sessID string
	c             *liveclient.Client
}

func (e *env) dialCorpus(t *testing.T, token, sessionID string) *corpusSocket {
	s := &corpusSocket{e: e, token: token, sessID: sessionID}
	s.dial(t)
	return s
}

func (s *corpusSocket) dial(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := liveclient.Dial(ctx, s.e.srv.URL, s.sessID, s.token, liveclient.Options{})
	if err != nil {
		t.Fatalf("dial the live room: %v", err)
	}
	t.Cleanup(c.Drop)
	s.c = c
}

// refused sends a frame and says what is wrong with the answer, or "": an
// error frame with a code, or the expected close code.
func (s *corpusSocket) refused(t *testing.T, f corpusFrame) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.c.SendRaw(ctx, []byte(f.frame)); err != nil {
		return "send: " + err.Error()
	}
	for {
		m, err := s.c.Next(ctx)
		if err != nil {
			code := liveclient.CloseCode(err)
			s.dial(t)
			if f.close != 0 && code == f.close {
				return ""
			}
			return fmt.Sprintf("the socket ended (close code %d): %v", code, err)
		}
		switch m.Type {
		case live.MsgAck:
			return "accepted: " + string(m.Raw)
		case live.MsgError:
			var em live.ErrorMsg
			if err := m.Decode(&em); err != nil || em.Code == "" || em.Message == "" || em.Code == ask2live.EInternal {
				return "not a typed error: " + string(m.Raw)
			}
			if f.close != 0 {
				return fmt.Sprintf("an error frame, want close %d: %s", f.close, m.Raw)
			}
			return ""
		}
	}
}

// badHello opens a socket, sends frame first, and returns the close code.
func (e *env) badHello(t *testing.T, token, sessionID, frame string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := strings.Replace(e.srv.URL, "http", "ws", 1) + "/api/v1/sessions/" + sessionID + "/live"
	ws, _, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: map[string][]string{"Authorization": {"Bearer " + token}}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.CloseNow()
	if err := ws.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		return -1
	}
	_, _, err = ws.Read(ctx)
	return int(websocket.CloseStatus(err))
}
