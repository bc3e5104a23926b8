package httpapi

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"

	"github.com/ask2live/ask2live"
)

// Cookie names. The session cookie is HttpOnly; the CSRF cookie is readable
// by the page, which echoes it in the X-CSRF-Token header (double submit).
const (
	SessionCookie = "ask2live_session"
	CSRFCookie    = "ask2live_csrf"
	CSRFHeader    = "X-CSRF-Token"
)

// credentials says how a request authenticated.
type credentials struct {
	user   *ask2live.User
	token  string
	cookie bool // authenticated by the session cookie (needs CSRF on writes)
}

// authenticate resolves the caller. A bad bearer token is an error (the
// client said who it is and is wrong); a stale cookie just means logged out.
func (s *Server) authenticate(r *http.Request) (credentials, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			return credentials{}, ask2live.Errorf(ask2live.EUnauthenticated, "use Authorization: Bearer <token>")
		}
		u, err := s.svc.Authenticate(r.Context(), token)
		if err != nil {
			return credentials{}, err
		}
		return credentials{user: u, token: token}, nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return credentials{}, nil
	}
	u, err := s.svc.Authenticate(r.Context(), c.Value)
	if ask2live.ErrorCode(err) == ask2live.EUnauthenticated {
		return credentials{}, nil
	}
	if err != nil {
		return credentials{}, err
	}
	return credentials{user: u, token: c.Value, cookie: true}, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// checkOrigin refuses state-changing browser requests from other sites. A
// request without Origin (API clients, old browsers on same-origin GET) passes
// here; cookie requests still need the CSRF token.
func (s *Server) checkOrigin(r *http.Request) error {
	if safeMethod(r.Method) {
		return nil
	}
	origin := r.Header.Get("Origin")
	if origin == "" || s.originAllowed(r, origin) {
		return nil
	}
	return ask2live.Errorf(ask2live.EForbidden, "requests from %s are not allowed", origin)
}

// originAllowed reports whether origin is this server or a configured origin.
func (s *Server) originAllowed(r *http.Request, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range s.cfg.AllowedOrigins {
		if strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

// checkCSRF applies the double-submit check to cookie-authenticated writes.
func checkCSRF(r *http.Request, cred credentials) error {
	if !cred.cookie || safeMethod(r.Method) {
		return nil
	}
	c, err := r.Cookie(CSRFCookie)
	h := r.Header.Get(CSRFHeader)
	if err != nil || c.Value == "" || h == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(h)) != 1 {
		return ask2live.Errorf(ask2live.EForbidden, "missing or wrong CSRF token: send the %s cookie's value in the %s header", CSRFCookie, CSRFHeader)
	}
	return nil
}

// setSessionCookies gives the browser its session and a fresh CSRF token.
func (s *Server) setSessionCookies(w http.ResponseWriter, cred *ask2live.Credential) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: cred.Token, Path: "/", Expires: cred.ExpiresAt,
		HttpOnly: true, Secure: s.cfg.CookieSecure, SameSite: http.SameSiteLaxMode,
	})
	http.SetCookie(w, &http.Cookie{
		Name: CSRFCookie, Value: ask2live.NewToken(), Path: "/", Expires: cred.ExpiresAt,
		Secure: s.cfg.CookieSecure, SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) clearSessionCookies(w http.ResponseWriter) {
	for _, name := range []string{SessionCookie, CSRFCookie} {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: name == SessionCookie, Secure: s.cfg.CookieSecure, SameSite: http.SameSiteLaxMode})
	}
}
