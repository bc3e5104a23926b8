package httpapi

import (
	"net/http"

	"github.com/ask2live/ask2live"
)

// Response bodies that are not domain types.
type (
	authResponse struct {
		User  *ask2live.User `json:"user"`
		Token string         `json:"token"`
	}
	avatarResponse struct {
		AvatarURL string `json:"avatar_url"`
	}
	loginInput struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	// meResponse is the signed-in user's own profile, and whether they
	// may use the site administration (said nowhere else).
	meResponse struct {
		*ask2live.User
		Admin bool `json:"admin"`
	}
	teamResponse struct {
		Team []ask2live.TeamMember `json:"team"`
	}
	slowModeInput struct {
		Seconds int `json:"seconds"`
	}
	teamInput struct {
		Role ask2live.TeamRole `json:"role"`
	}
	questionPatch struct {
		Text  *string                 `json:"text"`
		State *ask2live.QuestionState `json:"state"`
	}
)

// routeList is the whole HTTP surface, readable in one place. The mux and the
// OpenAPI document are both built from it, so they cannot disagree.
func (s *Server) routeList() []route {
	const (
		tAuth = "accounts"
		tSess = "sessions"
		tQ    = "questions"
		tLive = "live"
		tOps  = "operations"
		tAdm  = "administration"
		tCal  = "calendars"
	)
	orUnavailable := func(h http.Handler, what string) http.Handler {
		if h == nil {
			return s.unavailable(what)
		}
		return h
	}
	ui := s.cfg.UI
	if ui == nil {
		ui = http.HandlerFunc(s.noRoute)
	}
	metrics := s.MetricsHandler()
	if s.cfg.MetricsElsewhere {
		// Served on an address of its own; here as if there were none.
		metrics = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.writeProblem(w, r, ask2live.Errorf(ask2live.ENotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
		})
	}
	return []route{
		{method: "POST", path: "/api/v1/auth/register", tag: tAuth, summary: "Create an account; logs in (bearer token in the body, session cookie for browsers)",
			in: ask2live.RegisterInput{}, out: authResponse{}, status: 201, errors: []int{400, 403, 409, 415, 422, 429}, handle: s.register, anonymous: true},
		{method: "POST", path: "/api/v1/auth/login", tag: tAuth, summary: "Log in (bearer token in the body, session cookie for browsers)",
			in: loginInput{}, out: authResponse{}, status: 200, errors: []int{400, 401, 403, 415, 429}, handle: s.login, anonymous: true},
		{method: "POST", path: "/api/v1/auth/logout", tag: tAuth, summary: "Revoke the credential used and clear cookies",
			auth: true, status: 204, errors: []int{401, 403}, handle: s.logout, unlimited: true},
		{method: "GET", path: "/api/v1/me", tag: tAuth, summary: "Own profile, and whether one is a site admin", auth: true, out: meResponse{}, status: 200, errors: []int{401}, handle: s.me},
		{method: "PATCH", path: "/api/v1/me", tag: tAuth, summary: "Edit own profile", auth: true,
			in: ask2live.ProfileUpdate{}, out: meResponse{}, status: 200, errors: []int{400, 401, 403, 415, 422}, handle: s.updateMe},
		{method: "PUT", path: "/api/v1/me/avatar", tag: tAuth, summary: "Upload an avatar (multipart field \"file\"; JPEG, PNG, GIF or WebP up to 5 MB)",
			auth: true, multipart: true, out: avatarResponse{}, status: 200, errors: []int{400, 401, 403, 413, 415, 422}, handle: s.putAvatar},
		{method: "GET", path: "/api/v1/users/{username}", tag: tAuth, summary: "Public profile with upcoming and past sessions",
			out: &ask2live.Profile{}, status: 200, errors: []int{404}, handle: s.profile},
		{method: "GET", path: "/api/v1/me/calendar-feed", tag: tCal, summary: "Whether I have a calendar feed, and since when (its address is shown only when made)",
			auth: true, out: &ask2live.CalendarFeedState{}, status: 200, errors: []int{401}, handle: s.calendarFeedState},
		{method: "POST", path: "/api/v1/me/calendar-feed", tag: tCal, summary: "Make my calendar feed's secret address (the sessions I wished), replacing any earlier one",
			auth: true, out: calendarFeedResponse{}, status: 201, errors: []int{400, 401, 403}, handle: s.createCalendarFeed},
		{method: "DELETE", path: "/api/v1/me/calendar-feed", tag: tCal, summary: "Turn my calendar feed off: its address stops working",
			auth: true, status: 204, errors: []int{401, 403}, handle: s.revokeCalendarFeed},
		{method: "GET", path: "/api/v1/calendar/{feed}", tag: tCal, summary: "A calendar feed (RFC 5545) of the sessions its owner wished; {feed} is the secret from POST /api/v1/me/calendar-feed followed by .ics. No cookies: the address is the credential",
			status: 200, errors: []int{400, 404, 429}, produces: "text/calendar", noAuth: true, raw: http.HandlerFunc(s.calendarFeed)},
		{method: "GET", path: "/api/v1/me/sessions", tag: tSess, summary: "My page: sessions I host, wished, and the ended ones I took part in (hosted, wished, asked in or joined)",
			auth: true, out: &ask2live.MySessions{}, status: 200, errors: []int{401}, handle: s.mySessions},
		{method: "GET", path: "/api/v1/feed", tag: tSess, summary: "Main page: wished-and-live, live, upcoming, recruiting",
			out: &ask2live.Feed{}, status: 200, handle: s.feed},
		{method: "GET", path: "/api/v1/sessions", tag: tSess, summary: "List sessions (filters, cursor pagination)",
			out: &ask2live.SessionPage{}, status: 200, errors: []int{400}, handle: s.listSessions, query: []param{
				{"state", "session state; repeat or comma-separate for several"}, {"host", "host username"},
				{"q", "text in title or description"}, {"cursor", "next_cursor of the previous page"}, {"limit", "1 to 100 (default 20)"}}},
		{method: "POST", path: "/api/v1/sessions", tag: tSess, summary: "Open a session (open_now starts it live at once)",
			auth: true, in: ask2live.SessionInput{}, out: &ask2live.Session{}, status: 201, errors: []int{400, 401, 403, 415, 422}, handle: s.createSession},
		{method: "GET", path: "/api/v1/sessions/{id}", tag: tSess, summary: "Session detail",
			out: &ask2live.Session{}, status: 200, errors: []int{404}, handle: s.getSession},
		{method: "GET", path: "/api/v1/sessions/{id}/calendar.ics", tag: tCal, summary: "The session as an iCalendar file (RFC 5545) to add to a calendar; 409 when it is over or has no time",
			status: 200, errors: []int{400, 404, 409}, produces: "text/calendar", noAuth: true, raw: http.HandlerFunc(s.sessionCalendar)},
		{method: "PATCH", path: "/api/v1/sessions/{id}", tag: tSess, summary: "Edit a session before it goes live (host)",
			auth: true, in: ask2live.SessionUpdate{}, out: &ask2live.Session{}, status: 200, errors: []int{400, 401, 403, 404, 409, 415, 422}, handle: s.updateSession},
		{method: "DELETE", path: "/api/v1/sessions/{id}", tag: tSess, summary: "Cancel a session that has not gone live (host)",
			auth: true, out: &ask2live.Session{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.sessionAction((*ask2live.Service).Cancel)},
		{method: "PUT", path: "/api/v1/sessions/{id}/wish", tag: tSess, summary: "Wish (bookmark) a session; repeating is harmless",
			auth: true, out: &ask2live.Session{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.sessionAction((*ask2live.Service).Wish)},
		{method: "DELETE", path: "/api/v1/sessions/{id}/wish", tag: tSess, summary: "Withdraw a wish",
			auth: true, out: &ask2live.Session{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.sessionAction((*ask2live.Service).Unwish)},
		{method: "POST", path: "/api/v1/sessions/{id}/confirm", tag: tSess, summary: "Confirm a ready session (host): ready → scheduled",
			auth: true, out: &ask2live.Session{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.sessionAction((*ask2live.Service).Confirm)},
		{method: "POST", path: "/api/v1/sessions/{id}/start", tag: tSess, summary: "Go live (host): scheduled → live",
			auth: true, out: &ask2live.Session{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.sessionAction((*ask2live.Service).Start)},
		{method: "GET", path: "/api/v1/sessions/{id}/team", tag: tSess, summary: "The session's team: moderators (queue and chat) and co-hosts (also the microphone and the end)",
			out: teamResponse{}, status: 200, errors: []int{404}, handle: s.team},
		{method: "PUT", path: "/api/v1/sessions/{id}/team/{username}", tag: tSess, summary: "Appoint someone to the team, or change their role (host); repeating is harmless",
			auth: true, in: teamInput{}, out: teamResponse{}, status: 200, errors: []int{400, 401, 403, 404, 409, 415, 422}, handle: s.setTeamRole},
		{method: "DELETE", path: "/api/v1/sessions/{id}/team/{username}", tag: tSess, summary: "Take someone off the team (host)",
			auth: true, out: teamResponse{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.setTeamRole},
		{method: "PUT", path: "/api/v1/sessions/{id}/chat-slow-mode", tag: tSess, summary: "Slow mode for the live room's chat: seconds (0 to 600; 0 turns it off) each guest waits between two messages (host and team)",
			auth: true, in: slowModeInput{}, out: &ask2live.Session{}, status: 200, errors: []int{400, 401, 403, 404, 409, 415, 422}, handle: s.setSlowMode},
		{method: "POST", path: "/api/v1/sessions/{id}/end", tag: tSess, summary: "End a live session (host and co-hosts): live → ended",
			auth: true, out: &ask2live.Session{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.sessionAction((*ask2live.Service).End)},
		{method: "GET", path: "/api/v1/sessions/{id}/questions", tag: tQ, summary: "The question queue, in order (pre before live, votes, time), a page at a time",
			out: &ask2live.QuestionPage{}, status: 200, errors: []int{400, 404}, handle: s.listQuestions, query: []param{
				{"cursor", "next_cursor of the previous page"}, {"limit", "1 to 500 (default 100)"}}},
		{method: "POST", path: "/api/v1/sessions/{id}/questions", tag: tQ, summary: "Ask a question",
			auth: true, in: ask2live.QuestionInput{}, out: &ask2live.Question{}, status: 201, errors: []int{400, 401, 403, 404, 409, 415, 422, 429}, handle: s.ask},
		{method: "PATCH", path: "/api/v1/questions/{id}", tag: tQ, summary: "Edit own question's text, or (host and moderators) set its state",
			auth: true, in: questionPatch{}, out: &ask2live.Question{}, status: 200, errors: []int{400, 401, 403, 404, 409, 415, 422}, handle: s.patchQuestion},
		{method: "DELETE", path: "/api/v1/questions/{id}", tag: tQ, summary: "Delete own open question, or any question (host and moderators)",
			auth: true, status: 204, errors: []int{401, 403, 404, 409}, handle: s.deleteQuestion},
		{method: "PUT", path: "/api/v1/questions/{id}/vote", tag: tQ, summary: "Upvote a question; repeating is harmless",
			auth: true, out: &ask2live.Question{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.questionAction((*ask2live.Service).Vote)},
		{method: "DELETE", path: "/api/v1/questions/{id}/vote", tag: tQ, summary: "Remove own vote",
			auth: true, out: &ask2live.Question{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.questionAction((*ask2live.Service).Unvote)},
		{method: "PUT", path: "/api/v1/questions/{id}/pin", tag: tQ, summary: "Pin a question to the top of the queue (host and moderators); repeating is harmless",
			auth: true, out: &ask2live.Question{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.questionAction(pinQuestion(true))},
		{method: "DELETE", path: "/api/v1/questions/{id}/pin", tag: tQ, summary: "Unpin a question (host and moderators)",
			auth: true, out: &ask2live.Question{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.questionAction(pinQuestion(false))},

		{method: "GET", path: "/api/v1/sessions/{id}/live", tag: tLive, summary: "The live room: WebSocket upgrade (see docs/PROTOCOL.md)",
			auth: true, status: 101, errors: []int{401, 404, 409}, raw: orUnavailable(s.cfg.Live, "the live room")},
		{method: "GET", path: "/api/v1/events", tag: tLive, summary: "Server-sent events: sessions going live, ending or changing",
			status: 200, raw: orUnavailable(s.cfg.Events, "the event stream")},
		{method: "GET", path: "/api/v1/sessions/{id}/events", tag: tLive, summary: "Server-sent events of one session: its questions and its changes (see docs/PROTOCOL.md)",
			status: 200, errors: []int{404}, raw: orUnavailable(s.cfg.SessionEvents, "the session's event stream")},

		{method: "GET", path: "/api/v1/admin/users", tag: tAdm, summary: "Accounts with their role and standing, by username (site admins)",
			auth: true, out: &ask2live.AdminUserPage{}, status: 200, errors: []int{400, 401, 403}, handle: s.adminUsers, query: []param{
				{"q", "text in the username or display name"}, {"cursor", "next_cursor of the previous page"}, {"limit", "1 to 100 (default 20)"}}},
		{method: "POST", path: "/api/v1/admin/users/{username}/suspend", tag: tAdm, summary: "Suspend an account: its credentials and live sockets end, it cannot log in (site admins)",
			auth: true, out: &ask2live.AdminUser{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.adminUserAction((*ask2live.Service).SuspendUser)},
		{method: "POST", path: "/api/v1/admin/users/{username}/unsuspend", tag: tAdm, summary: "Lift a suspension (site admins)",
			auth: true, out: &ask2live.AdminUser{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.adminUserAction((*ask2live.Service).UnsuspendUser)},
		{method: "DELETE", path: "/api/v1/admin/users/{username}", tag: tAdm, summary: "Delete an account: personal data scrubbed, username kept taken, questions kept (site admins)",
			auth: true, out: &ask2live.AdminUser{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.adminUserAction((*ask2live.Service).DeleteUser)},
		{method: "POST", path: "/api/v1/admin/sessions/{id}/end", tag: tAdm, summary: "End a live session, or cancel one not yet live (site admins)",
			auth: true, out: &ask2live.Session{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.sessionAction((*ask2live.Service).AdminEndSession)},
		{method: "POST", path: "/api/v1/admin/sessions/{id}/remove", tag: tAdm, summary: "Remove a session in any state: it is cancelled and leaves the main page and profiles (site admins)",
			auth: true, out: &ask2live.Session{}, status: 200, errors: []int{401, 403, 404, 409}, handle: s.sessionAction((*ask2live.Service).AdminRemoveSession)},
		{method: "GET", path: "/api/v1/admin/audit", tag: tAdm, summary: "The audit log of administrative actions, newest first (site admins)",
			auth: true, out: &ask2live.AuditPage{}, status: 200, errors: []int{400, 401, 403}, handle: s.auditLog, query: []param{
				{"cursor", "next_cursor of the previous page"}, {"limit", "1 to 100 (default 20)"}}},

		{method: "GET", path: "/media/{key...}", tag: tOps, summary: "Uploaded media (avatars)", status: 200, errors: []int{404},
			noAuth: true, raw: http.HandlerFunc(s.media)},
		{method: "GET", path: "/healthz", tag: tOps, summary: "The process is up", status: 200, noAuth: true, raw: http.HandlerFunc(s.healthz)},
		{method: "GET", path: "/readyz", tag: tOps, summary: "The database (and Redis) answer", status: 200, errors: []int{503},
			noAuth: true, raw: http.HandlerFunc(s.readyz)},
		{method: "GET", path: "/metrics", tag: tOps, summary: "Prometheus metrics (404 when -metrics-addr serves them elsewhere)", status: 200, errors: []int{404},
			noAuth: true, raw: metrics},
		{method: "GET", path: "/api/openapi.json", tag: tOps, summary: "This document", status: 200, noAuth: true, raw: http.HandlerFunc(s.serveOpenAPI)},
		{method: "GET", path: "/api/docs/", tag: tOps, summary: "Swagger UI", status: 200, noAuth: true,
			raw: docsHandler()},
		{method: "GET", path: "/api/docs", tag: tOps, summary: "Swagger UI", status: 301, noAuth: true,
			raw: http.RedirectHandler("/api/docs/", http.StatusMovedPermanently)},
		{method: "GET", path: "/api/", tag: tOps, summary: "Unknown API paths answer 404 problems", status: 404, noAuth: true,
			raw: http.HandlerFunc(s.noRoute)},
		{method: "GET", path: "/", tag: tOps, summary: "The web app", status: 200, noAuth: true, raw: ui},
	}
}
