package httpapi

import (
	"bytes"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ask2live/ask2live"
)

// iCalendar (RFC 5545) files: one session for "Add to calendar", and a
// user's feed of wished sessions that calendar apps subscribe to. Times are
// in UTC (the "Z" form), which every calendar app shows in the reader's own
// time zone, so no VTIMEZONE is needed.

// icsProductID names the program that made a file (PRODID).
const icsProductID = "-//ask2live//ask2live calendar//EN"

// icsUIDDomain ends every event's UID: "<session id>@ask2live". Session ids
// are unique and never reused, and the UID does not depend on the address
// the server was reached by, so a calendar holding a session from a
// download and from a feed knows it as one event.
const icsUIDDomain = "@ask2live"

// icsWriter writes content lines: each ended by CRLF and folded so that no
// line is longer than 75 octets, never inside a UTF-8 sequence (RFC 5545
// section 3.1).
type icsWriter struct {
	b bytes.Buffer
}

const icsLineMax = 75

// line writes one content line; value is already in its property's form
// (escaped, for text).
func (w *icsWriter) line(name, value string) {
	l := name + ":" + value
	max := icsLineMax
	for {
		if len(l) <= max {
			w.b.WriteString(l)
			w.b.WriteString("\r\n")
			return
		}
		n := max
		for n > 0 && !utf8.RuneStart(l[n]) {
			n--
		}
		w.b.WriteString(l[:n])
		// A continuation line starts with a space, which counts.
		w.b.WriteString("\r\n ")
		l = l[n:]
		max = icsLineMax - 1
	}
}

// text writes a TEXT property.
func (w *icsWriter) text(name, value string) { w.line(name, icsText(value)) }

// time writes a DATE-TIME property in UTC.
func (w *icsWriter) time(name string, t time.Time) {
	w.line(name, t.UTC().Format("20060102T150405Z"))
}

// icsText escapes a TEXT value: backslash, semicolon, comma and line
// breaks (RFC 5545 section 3.3.11).
var icsText = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace

// icsCalendar is what a file holds besides its events.
type icsCalendar struct {
	// Name, for a feed: the calendar's name in the app (RFC 7986 NAME
	// and the older X-WR-CALNAME); empty for a single event.
	Name string
	// Refresh, for a feed: how often apps should fetch it again.
	Refresh time.Duration
}

// writeICS returns the iCalendar file of sessions; base is the server's
// public address, for each session's page.
func writeICS(cal icsCalendar, base string, sessions []*ask2live.Session) []byte {
	var w icsWriter
	w.line("BEGIN", "VCALENDAR")
	w.line("VERSION", "2.0")
	w.line("PRODID", icsProductID)
	w.line("CALSCALE", "GREGORIAN")
	if cal.Name != "" {
		w.text("NAME", cal.Name)
		w.text("X-WR-CALNAME", cal.Name)
	}
	if cal.Refresh > 0 {
		d := icsDuration(cal.Refresh)
		w.line("REFRESH-INTERVAL;VALUE=DURATION", d)
		w.line("X-PUBLISHED-TTL", d)
	}
	n := 0
	for _, s := range sessions {
		if s.StartsAt != nil {
			writeEvent(&w, base, s)
			n++
		}
	}
	if n == 0 {
		// An iCalendar object holds at least one component; a feed with
		// nothing in it yet holds the (unused) definition of UTC.
		w.line("BEGIN", "VTIMEZONE")
		w.line("TZID", "UTC")
		w.line("BEGIN", "STANDARD")
		w.line("DTSTART", "19700101T000000")
		w.line("TZOFFSETFROM", "+0000")
		w.line("TZOFFSETTO", "+0000")
		w.line("TZNAME", "UTC")
		w.line("END", "STANDARD")
		w.line("END", "VTIMEZONE")
	}
	w.line("END", "VCALENDAR")
	return w.b.Bytes()
}

// writeEvent writes one session as a VEVENT. DTSTAMP is when the session
// last changed: a file without METHOD says when its information was last
// revised, and an unchanged session gives the same bytes (and ETag).
func writeEvent(w *icsWriter, base string, s *ask2live.Session) {
	page := base + "/sessions/" + s.ID
	w.line("BEGIN", "VEVENT")
	w.line("UID", s.ID+icsUIDDomain)
	w.time("DTSTAMP", s.UpdatedAt)
	w.time("CREATED", s.CreatedAt)
	w.time("LAST-MODIFIED", s.UpdatedAt)
	w.line("SEQUENCE", strconv.Itoa(s.CalendarSequence))
	w.time("DTSTART", *s.StartsAt)
	w.time("DTEND", s.StartsAt.Add(ask2live.CalendarDuration))
	w.text("SUMMARY", s.Title)
	var desc strings.Builder
	if s.Description != "" {
		desc.WriteString(s.Description)
		desc.WriteString("\n\n")
	}
	if s.Host != nil {
		desc.WriteString(s.Host.DisplayName + " (@" + s.Host.Username + ")\n")
	}
	desc.WriteString(page)
	w.text("DESCRIPTION", desc.String())
	w.line("URL", page)
	status := ask2live.CalendarStatus(s.State)
	w.line("STATUS", status)
	if status == "CANCELLED" {
		w.line("TRANSP", "TRANSPARENT")
	}
	w.line("END", "VEVENT")
}

// icsDuration writes a whole number of minutes as a DURATION value.
func icsDuration(d time.Duration) string {
	m := int(d / time.Minute)
	if m%60 == 0 {
		return "PT" + strconv.Itoa(m/60) + "H"
	}
	return "PT" + strconv.Itoa(m) + "M"
}
