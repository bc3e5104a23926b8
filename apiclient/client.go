// Package apiclient is a Go client for the ask2live REST API (/api/v1). The
// benchmarks and integration tests use it; it is also a small, complete
// example of the contract.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ask2live/ask2live"
)

// Problem is an error response (application/problem+json).
type Problem = ask2live.Problem

// Client calls one server as one user (or anonymously when Token is empty).
// It is safe for concurrent use.
type Client struct {
	BaseURL string // e.g. http://127.0.0.1:8080
	Token   string // bearer token; empty = anonymous
	HTTP    *http.Client
}

// New returns an anonymous client for baseURL sharing hc (nil: a default
// client).
func New(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: hc}
}

// As returns a copy of c that authenticates with token.
func (c *Client) As(token string) *Client {
	cp := *c
	cp.Token = token
	return &cp
}

// Do sends one request with an optional JSON body and decodes a JSON
// response into out (nil: discard). Error responses become *Problem.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req, out)
}

func (c *Client) send(req *http.Request, out any) error {
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		p := &Problem{Status: resp.StatusCode}
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if err := json.Unmarshal(b, p); err != nil || p.Code == "" {
			p.Detail = strings.TrimSpace(string(b))
		}
		return p
	}
	if out == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decoding response: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// Auth is the answer to register and log-in.
type Auth struct {
	User  *ask2live.User `json:"user"`
	Token string         `json:"token"`
}

// Register creates an account and returns a client acting as it.
func (c *Client) Register(ctx context.Context, username, password, displayName string) (*Client, *Auth, error) {
	var a Auth
	err := c.Do(ctx, "POST", "/api/v1/auth/register",
		map[string]string{"username": username, "password": password, "display_name": displayName}, &a)
	if err != nil {
		return nil, nil, err
	}
	return c.As(a.Token), &a, nil
}

// Login logs in and returns a client acting as the user.
func (c *Client) Login(ctx context.Context, username, password string) (*Client, *Auth, error) {
	var a Auth
	err := c.Do(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, &a)
	if err != nil {
		return nil, nil, err
	}
	return c.As(a.Token), &a, nil
}

// Logout revokes the client's token.
func (c *Client) Logout(ctx context.Context) error {
	return c.Do(ctx, "POST", "/api/v1/auth/logout", nil, nil)
}

// Me returns the caller's profile.
func (c *Client) Me(ctx context.Context) (*ask2live.User, error) {
	var u ask2live.User
	return &u, c.Do(ctx, "GET", "/api/v1/me", nil, &u)
}

// UpdateMe changes the caller's profile.
func (c *Client) UpdateMe(ctx context.Context, upd ask2live.ProfileUpdate) (*ask2live.User, error) {
	var u ask2live.User
	return &u, c.Do(ctx, "PATCH", "/api/v1/me", upd, &u)
}

// UploadAvatar sends an image as the caller's avatar and returns its URL.
func (c *Client) UploadAvatar(ctx context.Context, filename string, data []byte) (string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		return "", err
	}
	if _, err := fw.Write(data); err != nil {
		return "", err
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, "PUT", c.BaseURL+"/api/v1/me/avatar", &buf)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var out struct {
		AvatarURL string `json:"avatar_url"`
	}
	return out.AvatarURL, c.send(req, &out)
}

// Profile returns a public profile.
func (c *Client) Profile(ctx context.Context, username string) (*ask2live.Profile, error) {
	var p ask2live.Profile
	return &p, c.Do(ctx, "GET", "/api/v1/users/"+url.PathEscape(username), nil, &p)
}

// Feed returns the main page.
func (c *Client) Feed(ctx context.Context) (*ask2live.Feed, error) {
	var f ask2live.Feed
	return &f, c.Do(ctx, "GET", "/api/v1/feed", nil, &f)
}

// MySessions returns My page.
func (c *Client) MySessions(ctx context.Context) (*ask2live.MySessions, error) {
	var m ask2live.MySessions
	return &m, c.Do(ctx, "GET", "/api/v1/me/sessions", nil, &m)
}

// ListOptions filter GET /api/v1/sessions.
type ListOptions struct {
	States []ask2live.SessionState
	Host   string
	Query  string
	Cursor string
	Limit  int
}

// Sessions lists one page of sessions.
func (c *Client) Sessions(ctx context.Context, o ListOptions) (*ask2live.SessionPage, error) {
	q := url.Values{}
	for _, s := range o.States {
		q.Add("state", string(s))
	}
	if o.Host != "" {
		q.Set("host", o.Host)
	}
	if o.Query != "" {
		q.Set("q", o.Query)
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	path := "/api/v1/sessions"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var p ask2live.SessionPage
	return &p, c.Do(ctx, "GET", path, nil, &p)
}

// CreateSession opens a session.
func (c *Client) CreateSession(ctx context.Context, in ask2live.SessionInput) (*ask2live.Session, error) {
	var s ask2live.Session
	return &s, c.Do(ctx, "POST", "/api/v1/sessions", in, &s)
}

// Session reads one session.
func (c *Client) Session(ctx context.Context, id string) (*ask2live.Session, error) {
	var s ask2live.Session
	return &s, c.Do(ctx, "GET", "/api/v1/sessions/"+url.PathEscape(id), nil, &s)
}

// UpdateSession edits a session.
func (c *Client) UpdateSession(ctx context.Context, id string, upd ask2live.SessionUpdate) (*ask2live.Session, error) {
	var s ask2live.Session
	return &s, c.Do(ctx, "PATCH", "/api/v1/sessions/"+url.PathEscape(id), upd, &s)
}

// CancelSession deletes (cancels) a session that has not gone live.
func (c *Client) CancelSession(ctx context.Context, id string) (*ask2live.Session, error) {
	var s ask2live.Session
	return &s, c.Do(ctx, "DELETE", "/api/v1/sessions/"+url.PathEscape(id), nil, &s)
}

// Wish bookmarks a session; Unwish withdraws.
func (c *Client) Wish(ctx context.Context, id string) (*ask2live.Session, error) {
	var s ask2live.Session
	return &s, c.Do(ctx, "PUT", "/api/v1/sessions/"+url.PathEscape(id)+"/wish", nil, &s)
}

// Unwish withdraws a wish.
func (c *Client) Unwish(ctx context.Context, id string) (*ask2live.Session, error) {
	var s ask2live.Session
	return &s, c.Do(ctx, "DELETE", "/api/v1/sessions/"+url.PathEscape(id)+"/wish", nil, &s)
}

// SessionAction is a host action: "confirm", "start" or "end".
func (c *Client) SessionAction(ctx context.Context, id, action string) (*ask2live.Session, error) {
	var s ask2live.Session
	return &s, c.Do(ctx, "POST", "/api/v1/sessions/"+url.PathEscape(id)+"/"+action, nil, &s)
}

// Team returns a session's team.
func (c *Client) Team(ctx context.Context, id string) ([]ask2live.TeamMember, error) {
	var out struct{ Team []ask2live.TeamMember }
	err := c.Do(ctx, "GET", "/api/v1/sessions/"+url.PathEscape(id)+"/team", nil, &out)
	return out.Team, err
}

// SetTeamRole appoints someone to a session's team with a role, or (role
// "") takes them off it; it returns the team after the change.
func (c *Client) SetTeamRole(ctx context.Context, id, username string, role ask2live.TeamRole) ([]ask2live.TeamMember, error) {
	var out struct{ Team []ask2live.TeamMember }
	path := "/api/v1/sessions/" + url.PathEscape(id) + "/team/" + url.PathEscape(username)
	var err error
	if role == "" {
		err = c.Do(ctx, "DELETE", path, nil, &out)
	} else {
		err = c.Do(ctx, "PUT", path, map[string]ask2live.TeamRole{"role": role}, &out)
	}
	return out.Team, err
}

// Questions lists a session's whole queue, following its pages.
func (c *Client) Questions(ctx context.Context, sessionID string) ([]*ask2live.Question, error) {
	all := []*ask2live.Question{}
	cursor := ""
	for {
		p, err := c.QuestionPage(ctx, sessionID, cursor, ask2live.QuestionPageMax)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Items...)
		if p.NextCursor == "" {
			return all, nil
		}
		cursor = p.NextCursor
	}
}

// QuestionPage lists one page of a session's queue: limit questions (0: the
// server's default) after cursor ("" from the top).
func (c *Client) QuestionPage(ctx context.Context, sessionID, cursor string, limit int) (*ask2live.QuestionPage, error) {
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/api/v1/sessions/" + url.PathEscape(sessionID) + "/questions"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var p ask2live.QuestionPage
	return &p, c.Do(ctx, "GET", path, nil, &p)
}

// Ask adds a question.
func (c *Client) Ask(ctx context.Context, sessionID string, in ask2live.QuestionInput) (*ask2live.Question, error) {
	var q ask2live.Question
	return &q, c.Do(ctx, "POST", "/api/v1/sessions/"+url.PathEscape(sessionID)+"/questions", in, &q)
}

// EditQuestion changes the text of the caller's question.
func (c *Client) EditQuestion(ctx context.Context, id, text string) (*ask2live.Question, error) {
	var q ask2live.Question
	return &q, c.Do(ctx, "PATCH", "/api/v1/questions/"+url.PathEscape(id), map[string]string{"text": text}, &q)
}

// SetQuestionState moves a question through the queue (host).
func (c *Client) SetQuestionState(ctx context.Context, id string, st ask2live.QuestionState) (*ask2live.Question, error) {
	var q ask2live.Question
	return &q, c.Do(ctx, "PATCH", "/api/v1/questions/"+url.PathEscape(id), map[string]string{"state": string(st)}, &q)
}

// DeleteQuestion removes a question.
func (c *Client) DeleteQuestion(ctx context.Context, id string) error {
	return c.Do(ctx, "DELETE", "/api/v1/questions/"+url.PathEscape(id), nil, nil)
}

// Vote upvotes a question; Unvote takes it back.
func (c *Client) Vote(ctx context.Context, id string) (*ask2live.Question, error) {
	var q ask2live.Question
	return &q, c.Do(ctx, "PUT", "/api/v1/questions/"+url.PathEscape(id)+"/vote", nil, &q)
}

// Unvote removes the caller's vote.
func (c *Client) Unvote(ctx context.Context, id string) (*ask2live.Question, error) {
	var q ask2live.Question
	return &q, c.Do(ctx, "DELETE", "/api/v1/questions/"+url.PathEscape(id)+"/vote", nil, &q)
}
