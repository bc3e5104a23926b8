package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ask2live/ask2live"
)

// Problem is the error document every failed request gets.
type Problem = ask2live.Problem

// statusOf maps each code to its HTTP status; it is the only place that does.
var statusOf = map[ask2live.Code]int{
	ask2live.EInvalid:         http.StatusUnprocessableEntity,
	ask2live.EUnauthenticated: http.StatusUnauthorized,
	ask2live.EForbidden:       http.StatusForbidden,
	ask2live.ENotFound:        http.StatusNotFound,
	ask2live.EConflict:        http.StatusConflict,
	ask2live.EWrongState:      http.StatusConflict,
	ask2live.ETooLarge:        http.StatusRequestEntityTooLarge,
	ask2live.EUnsupported:     http.StatusUnsupportedMediaType,
	ask2live.ERateLimited:     http.StatusTooManyRequests,
	ask2live.EUnavailable:     http.StatusServiceUnavailable,
	ask2live.EInternal:        http.StatusInternalServerError,
}

// httpError overrides the status a code would get: malformed requests are
// 400 while well-formed but invalid input is 422, and 405 carries Allow.
type httpError struct {
	status     int
	err        *ask2live.Error
	allow      string
	retryAfter time.Duration
}

func (e *httpError) Error() string { return e.err.Error() }
func (e *httpError) Unwrap() error { return e.err }

// badRequest is a 400 for a request the server cannot even parse.
func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, err: ask2live.Errorf(ask2live.EInvalid, format, args...)}
}

// retryLater is a 503 for a busy server, with the time to wait.
func retryLater(err error, retry time.Duration) error {
	var e *ask2live.Error
	if !errors.As(err, &e) {
		return err
	}
	return &httpError{status: http.StatusServiceUnavailable, err: e, retryAfter: max(retry, time.Second)}
}

func rateLimited(retry time.Duration) error {
	return rateLimitedWhy(retry, "too many attempts; try again in %d seconds", retrySeconds(retry))
}

// rateLimitedWhy is a 429 with Retry-After and a message of its own.
func rateLimitedWhy(retry time.Duration, format string, args ...any) error {
	return &httpError{status: http.StatusTooManyRequests, retryAfter: retry, err: ask2live.Errorf(ask2live.ERateLimited, format, args...)}
}

// retrySeconds rounds a wait up to whole seconds.
func retrySeconds(d time.Duration) int { return int(d.Seconds() + 0.999) }

// writeProblem writes err as application/problem+json. Internal errors are
// logged with their cause and shown to the client only as "internal error".
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	err = bodyTimedOut(r, err)
	status := 0
	var he *httpError
	if errors.As(err, &he) {
		status = he.status
		if he.allow != "" {
			w.Header().Set("Allow", he.allow)
		}
		if he.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(he.retryAfter)))
		}
	}
	code := ask2live.ErrorCode(err)
	if status == 0 {
		status = statusOf[code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
	}
	switch {
	case status >= 500 && r.Context().Err() != nil:
		// The client went away (a closed tab) or the server is stopping:
		// the request was abandoned, the server did not fail it.
		s.log.DebugContext(r.Context(), "request abandoned", slog.String("request_id", requestID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	case status >= 500:
		s.log.ErrorContext(r.Context(), "request failed", slog.String("request_id", requestID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	p := Problem{
		Type:   "urn:ask2live:problem:" + string(code),
		Title:  http.StatusText(status),
		Status: status,
		Detail: ask2live.ErrorMessage(err),
		Code:   code,
		Errors: ask2live.ErrorFields(err),
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON writes v with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBody {
			buf.Reset()
			bodyBuffers.Put(buf)
		}
	}()
	// Types that encode themselves (the cached reads) append their
	// ready-made JSON; the rest go through encoding/json. Either way the
	// body goes out in one write with its length.
	if a, ok := v.(jsonAppender); ok {
		buf.Write(a.AppendJSON(buf.AvailableBuffer()))
		buf.WriteByte('\n')
	} else if err := json.NewEncoder(buf).Encode(v); err != nil {
		writeJSONError(w)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// jsonAppender is a response that appends its own JSON, exactly as
// encoding/json would encode it (plus nothing: writeJSON adds the newline
// the encoder would).
type jsonAppender interface{ AppendJSON([]byte) []byte }

// bodyBuffers holds response buffers; one larger than maxPooledBody is left
// to the garbage collector rather than kept.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledBody = 256 << 10

// writeJSONError answers when a response cannot be encoded (a bug: every
// response type encodes).
func writeJSONError(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`{"type":"urn:ask2live:problem:internal","title":"Internal Server Error","status":500,` +
		`"detail":"the response could not be encoded","code":"internal"}` + "\n"))
}
