package ask2live

import (
	"strings"
	"testing"
	"time"
)

func TestTextRules(t *testing.T) {
	cases := []struct {
		rule TextRule
		in   string
		want string // "" with ok false: refused
		ok   bool
	}{
		{titleRule, "  세션 제목 ", "세션 제목", true},
		{titleRule, "a\x00b", "", false},
		{titleRule, "a\nb", "", false},
		{titleRule, "a\tb", "", false},
		{titleRule, "\xff", "", false},
		{titleRule, "\u200b\u200c\u200d\u2060\ufeff", "", false},
		{titleRule, "\u3164\u3164", "", false},
		{titleRule, "\u0301", "", false}, // a lone combining mark
		{titleRule, "abc\u202Edef", "", false},
		{titleRule, "\u2067abc", "", false},
		{titleRule, "zw\u200dj", "zw\u200dj", true}, // a joiner inside visible text
		{titleRule, strings.Repeat("가", 100), strings.Repeat("가", 100), true},
		{titleRule, strings.Repeat("가", 101), "", false},
		{displayNameRule, "홍길동 👩‍💻", "홍길동 👩‍💻", true},
		{displayNameRule, "\u115f\u1160", "", false},
		{companyRule, "", "", true},
		{companyRule, "a\u0085b", "", false}, // C1 control
		{bioRule, "one\ntwo\tthree", "one\ntwo\tthree", true},
		{bioRule, "one\r\ntwo", "one\ntwo", true},
		{bioRule, "one\rtwo", "", false},
		{bioRule, "\x7f", "", false},
		{bioRule, "abc\u202Edef", "abc\u202Edef", true}, // only names and titles refuse overrides
		{questionRule, "   ", "", false},
		{chatRule, "ok\n", "ok", true},
	}
	for _, c := range cases {
		got, fe := c.rule.Check(c.in)
		if (fe == nil) != c.ok || got != c.want {
			t.Errorf("%s.Check(%q) = %q, %v; want %q, ok %v", c.rule.Field, c.in, got, fe, c.want, c.ok)
		}
		if fe != nil && (fe.Field != c.rule.Field || fe.Message == "") {
			t.Errorf("%s.Check(%q): field error %+v", c.rule.Field, c.in, fe)
		}
	}
}

func TestValidID(t *testing.T) {
	if id := NewID(time.Now()); !ValidID(id) {
		t.Fatalf("NewID gave %q, which ValidID refuses", id)
	}
	for _, bad := range []string{"", "nope", "a\x00b", strings.Repeat("0", 25), strings.Repeat("0", 27), strings.Repeat("i", 26), strings.Repeat("A", 26)} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q) = true", bad)
		}
	}
}
