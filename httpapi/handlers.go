package httpapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ask2live/ask2live"
)

func user(r *http.Request) *ask2live.User { return ask2live.UserFromContext(r.Context()) }

func (s *Server) register(w http.ResponseWriter, r *http.Request) (any, error) {
	var in ask2live.RegisterInput
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	addr := s.clientKey(r)
	if err := s.logins.admit(r.Context(), "", addr); err != nil {
		return nil, err
	}
	u, cred, err := s.svc.Register(r.Context(), in, ask2live.TokenBearer)
	if err != nil {
		return nil, err
	}
	s.logins.succeeded(r.Context(), u.Username, addr)
	return s.withCookie(w, r, u, cred)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) (any, error) {
	var in loginInput
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	account, addr := ask2live.NormalizeUsername(in.Username), s.clientKey(r)
	if err := s.logins.admit(r.Context(), account, addr); err != nil {
		return nil, err
	}
	u, cred, err := s.svc.Login(r.Context(), in.Username, in.Password, ask2live.TokenBearer)
	if err != nil {
		return nil, err
	}
	s.logins.succeeded(r.Context(), account, addr)
	return s.withCookie(w, r, u, cred)
}

// withCookie completes register and log-in: the bearer token goes in the
// body for API clients, and browsers get a separate cookie credential, so
// revoking one does not revoke the other.
func (s *Server) withCookie(w http.ResponseWriter, r *http.Request, u *ask2live.User, bearer *ask2live.Credential) (any, error) {
	cookie, err := s.svc.IssueCredential(r.Context(), u.ID, ask2live.TokenCookie)
	if err != nil {
		return nil, err
	}
	s.setSessionCookies(w, cookie)
	return authResponse{User: u, Token: bearer.Token}, nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) (any, error) {
	cred := credFrom(r)
	if err := s.svc.Logout(r.Context(), cred.token); err != nil {
		return nil, err
	}
	if cred.cookie {
		s.clearSessionCookies(w)
	}
	return nil, nil
}

func (s *Server) me(_ http.ResponseWriter, r *http.Request) (any, error) {
	u := user(r)
	return meResponse{User: u, Admin: u.IsAdmin()}, nil
}

func (s *Server) updateMe(_ http.ResponseWriter, r *http.Request) (any, error) {
	var upd ask2live.ProfileUpdate
	if err := decodeJSON(r, &upd); err != nil {
		return nil, err
	}
	u, err := s.svc.UpdateProfile(r.Context(), user(r), upd)
	if err != nil {
		return nil, err
	}
	return meResponse{User: u, Admin: u.IsAdmin()}, nil
}

func (s *Server) putAvatar(_ http.ResponseWriter, r *http.Request) (any, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, ask2live.Errorf(ask2live.EUnsupported, "send the image as multipart/form-data with the field \"file\"")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("malformed multipart body")
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, ask2live.Invalid(ask2live.FieldError{Field: "file", Message: "is required"})
		}
		if err != nil {
			return nil, multipartError(err)
		}
		if part.FormName() != "file" {
			continue
		}
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, io.LimitReader(part, ask2live.AvatarMaxBytes+1)); err != nil {
			return nil, multipartError(err)
		}
		u, err := s.svc.SetAvatar(r.Context(), user(r), buf.Bytes())
		if ask2live.ErrorCode(err) == ask2live.EUnavailable {
			// Busy decoding other images: say when to come back.
			return nil, retryLater(err, s.svc.AvatarLimits.Wait)
		}
		if err != nil {
			return nil, err
		}
		return avatarResponse{AvatarURL: u.AvatarURL}, nil
	}
}

func multipartError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return ask2live.Errorf(ask2live.ETooLarge, "the image must be at most 5 MB")
	}
	return badRequest("malformed multipart body")
}

func (s *Server) profile(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.svc.PublicProfile(r.Context(), r.PathValue("username"), user(r))
}

func (s *Server) mySessions(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.svc.MySessions(r.Context(), user(r))
}

func (s *Server) feed(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.svc.Feed(r.Context(), user(r))
}

func (s *Server) listSessions(_ http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	f := ask2live.SessionFilter{HostUsername: q.Get("host"), Text: q.Get("q"), Cursor: q.Get("cursor")}
	for _, v := range q["state"] {
		for _, st := range strings.Split(v, ",") {
			if st = strings.TrimSpace(st); st != "" {
				f.States = append(f.States, ask2live.SessionState(st))
			}
		}
	}
	var err error
	if f.Limit, err = pageLimit(q, 20, 100); err != nil {
		return nil, err
	}
	page, err := s.svc.ListSessions(r.Context(), f, user(r))
	return page, queryError(err)
}

// pageLimit reads the limit parameter of a listing.
func pageLimit(q url.Values, def, max int) (int, error) {
	l := q.Get("limit")
	if l == "" {
		return def, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 || n > max {
		return 0, badRequest("limit must be a whole number from 1 to %d", max)
	}
	return n, nil
}

func (s *Server) createSession(_ http.ResponseWriter, r *http.Request) (any, error) {
	var in ask2live.SessionInput
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	return s.svc.CreateSession(r.Context(), user(r), in)
}

func (s *Server) getSession(_ http.ResponseWriter, r *http.Request) (any, error) {
	return s.svc.Session(r.Context(), r.PathValue("id"), user(r))
}

func (s *Server) updateSession(_ http.ResponseWriter, r *http.Request) (any, error) {
	var upd ask2live.SessionUpdate
	if err := decodeJSON(r, &upd); err != nil {
		return nil, err
	}
	return s.svc.UpdateSession(r.Context(), user(r), r.PathValue("id"), upd)
}

func (s *Server) team(_ http.ResponseWriter, r *http.Request) (any, error) {
	team, err := s.svc.Team(r.Context(), r.PathValue("id"))
	return teamResponse{team}, err
}

func (s *Server) setSlowMode(_ http.ResponseWriter, r *http.Request) (any, error) {
	var in slowModeInput
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	return s.svc.SetChatSlowMode(r.Context(), user(r), r.PathValue("id"), in.Seconds)
}

// setTeamRole appoints (PUT, with a role) or takes off the team (DELETE).
func (s *Server) setTeamRole(_ http.ResponseWriter, r *http.Request) (any, error) {
	var in teamInput
	if r.Method == http.MethodPut {
		if err := decodeJSON(r, &in); err != nil {
			return nil, err
		}
		if !in.Role.Valid() {
			return nil, ask2live.Invalid(ask2live.FieldError{Field: "role", Message: "must be moderator or cohost"})
		}
	}
	name := ask2live.NormalizeUsername(r.PathValue("username"))
	if ask2live.ValidateUsername(name) != nil {
		return nil, ask2live.Errorf(ask2live.ENotFound, "no such user")
	}
	team, err := s.svc.SetTeamRole(r.Context(), user(r), r.PathValue("id"), name, in.Role)
	return teamResponse{team}, err
}

// sessionAction adapts a Service method on a session id to a handler.
func (s *Server) sessionAction(fn func(*ask2live.Service, context.Context, *ask2live.User, string) (*ask2live.Session, error)) func(http.ResponseWriter, *http.Request) (any, error) {
	return func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return fn(s.svc, r.Context(), user(r), r.PathValue("id"))
	}
}

// questionAction adapts a Service method on a question id to a handler.
func (s *Server) questionAction(fn func(*ask2live.Service, context.Context, *ask2live.User, string) (*ask2live.Question, error)) func(http.ResponseWriter, *http.Request) (any, error) {
	return func(_ http.ResponseWriter, r *http.Request) (any, error) {
		return fn(s.svc, r.Context(), user(r), r.PathValue("id"))
	}
}

// pinQuestion is Service.PinQuestion as a question action.
func pinQuestion(pin bool) func(*ask2live.Service, context.Context, *ask2live.User, string) (*ask2live.Question, error) {
	return func(svc *ask2live.Service, ctx context.Context, u *ask2live.User, id string) (*ask2live.Question, error) {
		return svc.PinQuestion(ctx, u, id, pin)
	}
}

func (s *Server) listQuestions(_ http.ResponseWriter, r *http.Request) (any, error) {
	q := r.URL.Query()
	limit, err := pageLimit(q, ask2live.QuestionPageDefault, ask2live.QuestionPageMax)
	if err != nil {
		return nil, err
	}
	page, err := s.svc.QuestionPage(r.Context(), r.PathValue("id"), user(r), q.Get("cursor"), limit)
	return page, queryError(err)
}

func (s *Server) ask(_ http.ResponseWriter, r *http.Request) (any, error) {
	var in ask2live.QuestionInput
	if err := decodeJSON(r, &in); err != nil {
		return nil, err
	}
	if ok, wait := s.questions.Allow(r.Context(), user(r).ID); !ok {
		return nil, rateLimited(wait)
	}
	return s.svc.Ask(r.Context(), user(r), r.PathValue("id"), in)
}

func (s *Server) patchQuestion(_ http.ResponseWriter, r *http.Request) (any, error) {
	var p questionPatch
	if err := decodeJSON(r, &p); err != nil {
		return nil, err
	}
	switch {
	case p.Text != nil && p.State != nil:
		return nil, ask2live.Invalid(ask2live.FieldError{Field: "state", Message: "cannot be changed together with text"})
	case p.Text != nil:
		return s.svc.EditQuestion(r.Context(), user(r), r.PathValue("id"), *p.Text)
	case p.State != nil:
		return s.svc.SetQuestionState(r.Context(), user(r), r.PathValue("id"), *p.State)
	}
	return nil, ask2live.Invalid(ask2live.FieldError{Field: "text", Message: "send text or state"})
}

func (s *Server) deleteQuestion(_ http.ResponseWriter, r *http.Request) (any, error) {
	return nil, s.svc.DeleteQuestion(r.Context(), user(r), r.PathValue("id"))
}

// media serves stored media. Keys are chosen by the server and never reused,
// so responses can be cached for good.
func (s *Server) media(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if len(key) > 200 {
		s.writeProblem(w, r, ask2live.Errorf(ask2live.ENotFound, "no such file"))
		return
	}
	ct, data, mod, err := s.svc.Store.Media(r.Context(), key)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	http.ServeContent(w, r, "", mod.Truncate(time.Second), bytes.NewReader(data))
}
