package ask2live

import (
	"strings"
	"testing"
	"time"
)

func TestCalendarStatusAndRevisions(t *testing.T) {
	for st, want := range map[SessionState]string{StateRecruiting: "TENTATIVE", StateReady: "TENTATIVE", StateScheduled: "CONFIRMED",
		StateLive: "CONFIRMED", StateEnded: "CONFIRMED", StateCancelled: "CANCELLED"} {
		if got := CalendarStatus(st); got != want {
			t.Errorf("CalendarStatus(%s) = %s, want %s", st, got, want)
		}
	}
	t1 := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	same := t1.In(time.FixedZone("KST", 9*3600))
	t2 := t1.Add(time.Minute)
	s := func(st SessionState, at *time.Time) *Session { return &Session{State: st, StartsAt: at} }
	for _, c := range []struct {
		name          string
		before, after *Session
		want          bool
	}{
		{"nothing", s(StateScheduled, &t1), s(StateScheduled, &t1), false},
		{"same instant, other zone", s(StateScheduled, &t1), s(StateScheduled, &same), false},
		{"moved", s(StateScheduled, &t1), s(StateScheduled, &t2), true},
		{"time set", s(StateScheduled, nil), s(StateScheduled, &t1), true},
		{"time removed", s(StateScheduled, &t1), s(StateScheduled, nil), true},
		{"no time either side", s(StateScheduled, nil), s(StateScheduled, nil), false},
		{"recruiting to ready", s(StateRecruiting, &t1), s(StateReady, &t1), false},
		{"confirmed", s(StateReady, &t1), s(StateScheduled, &t1), true},
		{"live", s(StateScheduled, &t1), s(StateLive, &t1), false},
		{"cancelled", s(StateScheduled, &t1), s(StateCancelled, &t1), true},
	} {
		if got := CalendarRevised(c.before, c.after); got != c.want {
			t.Errorf("%s: CalendarRevised = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestValidCalendarToken(t *testing.T) {
	tok := NewToken()
	if !validCalendarToken(tok) {
		t.Fatalf("a new token %q is not valid", tok)
	}
	for _, bad := range []string{"", tok[1:], tok + "a", strings.ToUpper(tok), tok[:51] + "-", tok[:51] + "\x00", tok[:50] + "가"} {
		if validCalendarToken(bad) {
			t.Errorf("%q is valid", bad)
		}
	}
}
