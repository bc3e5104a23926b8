package ask2live

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"
)

var cheapArgon = Argon2Params{Memory: 1024, Time: 1, Threads: 1}

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse", cheapArgon)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := VerifyPassword("correct horse", h); err != nil || !ok {
		t.Fatalf("verify right password = %v, %v", ok, err)
	}
	if ok, _ := VerifyPassword("correct horsf", h); ok {
		t.Fatal("wrong password verified")
	}
	h2, _ := HashPassword("correct horse", cheapArgon)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if _, err := VerifyPassword("x", bad); err == nil {
			t.Errorf("VerifyPassword(%q) gave no error", bad)
		}
	}
}

func TestRecruitState(t *testing.T) {
	cases := []struct {
		cur            SessionState
		wishes, target int
		want           SessionState
	}{
		{StateRecruiting, 0, 2, StateRecruiting},
		{StateRecruiting, 2, 2, StateReady},
		{StateRecruiting, 3, 2, StateReady},
		{StateReady, 1, 2, StateRecruiting},
		{StateScheduled, 0, 2, StateScheduled}, // confirmed sessions never go back
		{StateLive, 0, 2, StateLive},
		{StateRecruiting, 0, 0, StateReady},
	}
	for _, c := range cases {
		if got := RecruitState(c.cur, c.wishes, c.target); got != c.want {
			t.Errorf("RecruitState(%s, %d, %d) = %s, want %s", c.cur, c.wishes, c.target, got, c.want)
		}
	}
}

func TestSessionInputValidate(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	future, past := now.Add(time.Hour), now.Add(-time.Hour)
	cases := []struct {
		name   string
		in     SessionInput
		fields []string
		state  SessionState
	}{
		{"ok recruiting", SessionInput{Title: " 첫 세션 ", StartsAt: &future, TargetGuests: 3}, nil, StateRecruiting},
		{"ok no target", SessionInput{Title: "t", StartsAt: &future}, nil, StateScheduled},
		{"open now", SessionInput{Title: "t", OpenNow: true}, nil, StateLive},
		{"empty title", SessionInput{Title: "  ", StartsAt: &future}, []string{"title"}, ""},
		{"long title", SessionInput{Title: strings.Repeat("가", 101), StartsAt: &future}, []string{"title"}, ""},
		{"past", SessionInput{Title: "t", StartsAt: &past}, []string{"starts_at"}, ""},
		{"missing time", SessionInput{Title: "t"}, []string{"starts_at"}, ""},
		{"negative target", SessionInput{Title: "t", StartsAt: &future, TargetGuests: -1}, []string{"target_guests"}, ""},
		{"long description", SessionInput{Title: "t", StartsAt: &future, Description: strings.Repeat("a", 2001)}, []string{"description"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.in.Validate(now)
			var got []string
			for _, f := range ErrorFields(err) {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(c.fields, ",") {
				t.Fatalf("fields = %v, want %v (err %v)", got, c.fields, err)
			}
			if err == nil && c.in.InitialState() != c.state {
				t.Fatalf("initial state = %s, want %s", c.in.InitialState(), c.state)
			}
			if err != nil && ErrorCode(err) != EInvalid {
				t.Fatalf("code = %s", ErrorCode(err))
			}
		})
	}
}

func TestQuestionOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	qs := []*Question{
		{ID: "live-popular", Phase: PhaseLive, Votes: 9, CreatedAt: t0},
		{ID: "pre-late", Phase: PhasePre, Votes: 1, CreatedAt: t0.Add(2 * time.Second)},
		{ID: "pre-early", Phase: PhasePre, Votes: 1, CreatedAt: t0.Add(time.Second)},
		{ID: "pre-top", Phase: PhasePre, Votes: 5, CreatedAt: t0.Add(3 * time.Second)},
		{ID: "live-new", Phase: PhaseLive, Votes: 0, CreatedAt: t0.Add(time.Minute)},
	}
	SortQuestions(qs)
	var got []string
	for _, q := range qs {
		got = append(got, q.ID)
	}
	want := "pre-top,pre-early,pre-late,live-popular,live-new"
	if strings.Join(got, ",") != want {
		t.Fatalf("order = %v, want %s", got, want)
	}
}

func TestQuestionInputValidate(t *testing.T) {
	for _, c := range []struct {
		in QuestionInput
		ok bool
	}{
		{QuestionInput{Text: "왜?"}, true},
		{QuestionInput{Text: "", Kind: KindVoice}, true},
		{QuestionInput{Text: "  "}, false},
		{QuestionInput{Text: strings.Repeat("a", 501)}, false},
		{QuestionInput{Text: "x", Kind: "video"}, false},
		{QuestionInput{Text: "\xff"}, false},
	} {
		err := c.in.Validate()
		if (err == nil) != c.ok {
			t.Errorf("Validate(%+v) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	t0 := time.Now()
	a, b := NewID(t0), NewID(t0.Add(time.Millisecond))
	if len(a) != 26 || !(a < b) {
		t.Fatalf("ids %q, %q: want 26 chars in time order", a, b)
	}
	if NewID(t0) == NewID(t0) {
		t.Fatal("ids in the same millisecond collide")
	}
}

func TestUsernameRules(t *testing.T) {
	for name, ok := range map[string]bool{
		"kim": true, "kim_01.a-b": true, "ab": false, strings.Repeat("a", 33): false, "김철수": false, "a b": false,
	} {
		if got := ValidateUsername(NormalizeUsername(name)) == nil; got != ok {
			t.Errorf("ValidateUsername(%q) ok = %v, want %v", name, got, ok)
		}
	}
	if NormalizeUsername("  Kim ") != "kim" {
		t.Fatal("usernames are not folded to lower case")
	}
}

func TestNormalizeAvatar(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 1024, 256))
	for x := 0; x < 1024; x++ {
		src.Set(x, 10, color.NRGBA{255, 0, 0, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	d := newAvatarDecoder(AvatarLimits{})
	ctx := context.Background()
	out, err := d.normalize(ctx, buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("output is not JPEG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 512 || b.Dy() != 128 {
		t.Fatalf("scaled to %v, want 512x128", b)
	}
	if _, err := d.normalize(ctx, []byte("<svg onload=alert(1)>")); ErrorCode(err) != EUnsupported {
		t.Fatalf("non-image: %v, want unsupported", err)
	}
	// A PNG header claiming a huge canvas is refused before decoding.
	huge := image.NewGray(image.Rect(0, 0, 1, 1))
	buf.Reset()
	_ = png.Encode(&buf, huge)
	b := buf.Bytes()
	b[16], b[17], b[18], b[19] = 0, 0x01, 0, 0 // width 65536
	b[20], b[21], b[22], b[23] = 0, 0x01, 0, 0 // height 65536
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	if _, err := d.normalize(ctx, b); ErrorCode(err) != ETooLarge {
		t.Fatalf("a 65536x65536 image: %v, want too_large", err)
	}
	if n := d.decodes.Load(); n != 1 {
		t.Fatalf("%d decodes, want 1: refused images are not decoded", n)
	}
}

func TestProfileUpdateValidate(t *testing.T) {
	dn, bio := "  홍길동 ", strings.Repeat("b", 1001)
	p := ProfileUpdate{DisplayName: &dn}
	if err := p.Validate(); err != nil || *p.DisplayName != "홍길동" {
		t.Fatalf("Hangul display name: %v %q", err, *p.DisplayName)
	}
	p = ProfileUpdate{Bio: &bio}
	if ErrorCode(p.Validate()) != EInvalid {
		t.Fatal("long bio accepted")
	}
	empty := ""
	p = ProfileUpdate{DisplayName: &empty}
	if ErrorCode(p.Validate()) != EInvalid {
		t.Fatal("empty display name accepted")
	}
}
