package ask2live

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
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
		{chatRule, "\u3164", "", false},
		{questionRule, "\u200b\u200b", "", false},
		{questionRule, "👍", "👍", true},
		{descriptionRule, "\u200b", "\u200b", true}, // optional text may be anything printable
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

// FuzzTextRule: whatever a rule accepts is valid UTF-8, trimmed, within its
// length, and free of control characters (but newlines and tabs where
// multi-line text is allowed).
func FuzzTextRule(f *testing.F) {
	for _, s := range []string{"", " a ", "a\x00b", "\xff", "a\r\nb", "a\rb", "\u200b", "\u3164", "ab\u202ec", "줄\n\t둘", "\u0085", strings.Repeat("가", 101)} {
		f.Add(s)
	}
	rules := []TextRule{titleRule, displayNameRule, companyRule, bioRule, descriptionRule, questionRule, chatRule, searchRule}
	f.Fuzz(func(t *testing.T, in string) {
		for _, r := range rules {
			out, fe := r.Check(in)
			if fe != nil {
				if fe.Field != r.Field || fe.Message == "" {
					t.Fatalf("%s: field error %+v", r.Field, fe)
				}
				continue
			}
			if !utf8.ValidString(out) || out != strings.TrimSpace(out) || (r.Max > 0 && utf8.RuneCountInString(out) > r.Max) ||
				(r.Required && out == "") {
				t.Fatalf("%s accepted %q as %q", r.Field, in, out)
			}
			for _, c := range out {
				if unicode.IsControl(c) && !(r.MultiLine && (c == '\n' || c == '\t')) {
					t.Fatalf("%s accepted %q with control character %U", r.Field, in, c)
				}
			}
			if (r.Required && !hasVisible(out)) || (r.Name && strings.ContainsFunc(out, isBidiControl)) {
				t.Fatalf("%s accepted %q", r.Field, in)
			}
		}
	})
}
