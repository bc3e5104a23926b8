package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/netip"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/ask2live/ask2live"
)

// calendarFeedResponse is a freshly made feed: its address is shown this
// once (the server keeps only a hash of the secret in it).
type calendarFeedResponse struct {
	// URL is the feed's https:// (or http://) address; WebcalURL the same
	// with the webcal:// scheme, which opens the subscription in the
	// reader's calendar app.
	URL       string    `json:"url"`
	WebcalURL string    `json:"webcal_url"`
	CreatedAt time.Time `json:"created_at"`
}

// calendarRefresh is how often feed subscribers are asked to fetch again.
const calendarRefresh = time.Hour

// sessionCalendar serves one session as an .ics file to download.
func (s *Server) sessionCalendar(w http.ResponseWriter, r *http.Request) {
	sess, err := s.svc.SessionCalendar(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	base, err := s.publicBase(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", attachmentName(sess.Title, "ask2live-"+sess.ID+".ics"))
	w.Header().Set("Cache-Control", "no-cache")
	serveICS(w, r, writeICS(icsCalendar{}, base, []*ask2live.Session{sess}))
}

// calendarFeed serves a user's feed of wished sessions to calendar apps,
// which send no cookies: the secret in the path is the credential.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("feed"), ".ics")
	if !ok {
		s.writeProblem(w, r, ask2live.Errorf(ask2live.ENotFound, "no such calendar feed"))
		return
	}
	owner, err := s.svc.CalendarFeedOwner(r.Context(), token)
	if err == nil {
		if ok, wait := s.feeds.Allow(r.Context(), owner.ID); !ok {
			err = rateLimitedWhy(wait, "this calendar feed is fetched too often; try again in %d seconds", retrySeconds(wait))
		}
	}
	var list []*ask2live.Session
	if err == nil {
		list, err = s.svc.CalendarFeedSessions(r.Context(), owner)
	}
	var base string
	if err == nil {
		base, err = s.publicBase(r)
	}
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	h := w.Header()
	// The address is a secret: not to be kept by shared caches, indexed,
	// or passed on as a referrer.
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex")
	h.Set("Content-Disposition", `inline; filename="ask2live.ics"`)
	serveICS(w, r, writeICS(icsCalendar{Name: "ask2live", Refresh: calendarRefresh}, base, list))
}

// serveICS writes an iCalendar body with an ETag, answering a matching
// If-None-Match with 304, so an app that fetches an unchanged feed gets no
// body.
func serveICS(w http.ResponseWriter, r *http.Request, body []byte) {
	sum := sha256.Sum256(body)
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:16])+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

func (s *Server) calendarFeedState(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.svc.CalendarFeed(r.Context(), user(r))
}

func (s *Server) createCalendarFeed(_ http.ResponseWriter, r *http.Request) (any, error) {
	base, err := s.publicBase(r)
	if err != nil {
		return nil, err
	}
	feed, err := s.svc.CreateCalendarFeed(r.Context(), user(r))
	if err != nil {
		return nil, err
	}
	u := base + "/api/v1/calendar/" + feed.Token + ".ics"
	_, rest, _ := strings.Cut(u, "://")
	return calendarFeedResponse{URL: u, WebcalURL: "webcal://" + rest, CreatedAt: feed.CreatedAt}, nil
}

func (s *Server) revokeCalendarFeed(_ http.ResponseWriter, r *http.Request) (any, error) {
	return nil, s.svc.RevokeCalendarFeed(r.Context(), user(r))
}

// hostPattern is what a Host header may hold for the server to put it in
// links: a DNS name or IPv4 address, or a bracketed IPv6 address, with an
// optional port.
var hostPattern = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\])(:[0-9]{1,5})?$`)

// publicBase is the address people reach the server by, for links that
// leave the browser (calendar files and feeds): -public-url when it is
// set. Otherwise the request's Host, with https when the request came over
// TLS, when cookies are marked Secure (the operator serves HTTPS), or when
// a trusted proxy says so in X-Forwarded-Proto.
func (s *Server) publicBase(r *http.Request) (string, error) {
	if s.cfg.PublicURL != "" {
		return s.cfg.PublicURL, nil
	}
	if !hostPattern.MatchString(r.Host) {
		return "", badRequest("the Host header is not a host name, so no link to this server can be made (the operator can set -public-url)")
	}
	scheme := "http"
	switch {
	case r.TLS != nil || s.cfg.CookieSecure:
		scheme = "https"
	case s.fromTrustedProxy(r):
		first, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
		if p := strings.ToLower(strings.TrimSpace(first)); p == "https" || p == "http" {
			scheme = p
		}
	}
	return scheme + "://" + strings.ToLower(r.Host), nil
}

// fromTrustedProxy reports whether the request's peer is a trusted proxy.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && s.trustedProxy(ap.Addr().Unmap())
}

// attachmentName is a Content-Disposition that saves the file under the
// session's title (RFC 6266, with the UTF-8 form of RFC 8187), or under
// fallback for clients that read only the plain form.
func attachmentName(title, fallback string) string {
	v := `attachment; filename="` + fallback + `"`
	name := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || strings.ContainsRune(`\/:*?"<>|`, r) {
			return '-'
		}
		return r
	}, title)
	name = strings.Trim(name, " .")
	if runes := []rune(name); len(runes) > 80 {
		name = strings.TrimRight(string(runes[:80]), " .")
	}
	if name == "" {
		return v
	}
	return v + "; filename*=UTF-8''" + percentEncode(name+".ics")
}

// percentEncode writes s as an RFC 8187 value: attr-char bytes as they
// are, every other byte as %XX.
func percentEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
