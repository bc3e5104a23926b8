// Package httpapi is the REST API of ask2live (/api/v1), its OpenAPI
// document, the media files, health and metrics, and the one route list that
// also mounts the live rooms, the event stream and the web app.
package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/ratelimit"
)

// Config holds the limits and the handlers the app mounts.
type Config struct {
	MaxBodyBytes int64 // JSON bodies (default 64 KiB)
	CookieSecure bool  // Secure cookies (HTTPS)
	// TrustedProxies are the reverse proxies whose X-Forwarded-For entries
	// are believed (see clientIP); empty: the peer address is the client.
	TrustedProxies []netip.Prefix
	AllowedOrigins []string // extra origins allowed for cookie writes
	LoginRate      int      // register and log-in attempts per minute per client address (default 10)
	LoginUserRate  int      // log-in attempts per hour on one account from new addresses, and from each known one (default 30)
	QuestionRate   int      // questions per minute per user (default 10)
	// WriteRate bounds every other change a user makes over REST (votes,
	// wishes, edits, session actions, profile) per minute (default 120).
	WriteRate int
	// CalendarFeedRate bounds how often one calendar feed is fetched, per
	// hour (default 60): calendar apps poll, a runaway one must not
	// hammer the database.
	CalendarFeedRate int
	// PublicURL is the address people reach the server by
	// (scheme://host[:port]), for links that leave the browser: calendar
	// files and feeds. Empty: taken from each request (see publicBase).
	PublicURL string
	// BodyReadTimeout bounds the time a request body may take to arrive
	// (default 30 s); UploadReadTimeout is the same for uploads (default
	// 2 min). Requests without a body, such as WebSocket upgrades, have
	// none.
	BodyReadTimeout   time.Duration
	UploadReadTimeout time.Duration
	// Limits keeps the budgets above: per node by default, in Redis to
	// hold across a cluster.
	Limits ratelimit.Backend

	Live          http.Handler // GET /api/v1/sessions/{id}/live (WebSocket)
	Events        http.Handler // GET /api/v1/events (per-user event stream)
	SessionEvents http.Handler // GET /api/v1/sessions/{id}/events (one session's event stream)
	UI            http.Handler // everything outside /api, /media and the probes

	// Ready adds checks to /readyz beyond the database (e.g. Redis).
	Ready func(ctx context.Context) error
	// Registry receives the HTTP metrics and serves /metrics; nil: a new one.
	Registry *prometheus.Registry
	// MetricsElsewhere answers /metrics with 404: the app serves
	// MetricsHandler on an address of its own.
	MetricsElsewhere bool
}

// Server is the HTTP surface. It implements http.Handler.
type Server struct {
	cfg       Config
	svc       *ask2live.Service
	log       *slog.Logger
	mux       *http.ServeMux
	routes    []route
	uploads   map[string]bool // mux patterns of the upload routes
	openapi   []byte
	logins    *loginGuard
	questions ratelimit.Limiter
	writes    ratelimit.Limiter
	feeds     ratelimit.Limiter

	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec

	// contractViolations counts responses whose Go type differs from the
	// one the route declares (and so from the OpenAPI document).
	contractViolations atomic.Int64
}

// route is one entry of the route list: the mux pattern, the handler, and
// what the OpenAPI document says about it.
type route struct {
	method, path string
	summary      string
	tag          string
	auth         bool // needs a signed-in user
	in           any  // request body type; nil for none
	out          any  // response body type; nil for none
	status       int  // success status
	errors       []int
	handle       func(w http.ResponseWriter, r *http.Request) (any, error)
	raw          http.Handler // served as is (WebSocket, SSE, docs); not wrapped in JSON handling
	produces     string       // the media type a raw route answers with, for the document
	query        []param
	multipart    bool
	noAuth       bool // static or operational: skip credential look-up entirely
	anonymous    bool // acts for nobody (register, log in): credentials are ignored, origin still checked
	unlimited    bool // a change that spends nothing from the user's write budget (log-out)
}

type param struct{ name, desc string }

// New builds the server.
func New(cfg Config, svc *ask2live.Service, log *slog.Logger) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 64 << 10
	}
	if cfg.LoginRate <= 0 {
		cfg.LoginRate = 10
	}
	if cfg.LoginUserRate <= 0 {
		cfg.LoginUserRate = 30
	}
	if cfg.WriteRate <= 0 {
		cfg.WriteRate = 120
	}
	if cfg.QuestionRate <= 0 {
		cfg.QuestionRate = 10
	}
	if cfg.CalendarFeedRate <= 0 {
		cfg.CalendarFeedRate = 60
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.BodyReadTimeout <= 0 {
		cfg.BodyReadTimeout = 30 * time.Second
	}
	if cfg.UploadReadTimeout <= 0 {
		cfg.UploadReadTimeout = 2 * time.Minute
	}
	if cfg.Limits == nil {
		cfg.Limits = ratelimit.Local()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
		cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s := &Server{
		cfg:       cfg,
		svc:       svc,
		log:       log,
		mux:       http.NewServeMux(),
		logins:    newLoginGuard(cfg.Limits, cfg.LoginRate, cfg.LoginUserRate),
		questions: cfg.Limits.Limiter("question", ratelimit.Rate{Events: cfg.QuestionRate, Period: time.Minute}),
		writes:    cfg.Limits.Limiter("write", ratelimit.Rate{Events: cfg.WriteRate, Period: time.Minute}),
		feeds:     cfg.Limits.Limiter("calendar", ratelimit.Rate{Events: cfg.CalendarFeedRate, Period: time.Hour}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ask2live_http_requests_total", Help: "HTTP requests by route and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ask2live_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
	}
	cfg.Registry.MustRegister(s.requests, s.duration)
	s.routes = s.routeList()
	s.uploads = map[string]bool{}
	for i, rt := range s.routes {
		if rt.auth && rt.method != "GET" && !rt.unlimited && !slices.Contains(rt.errors, http.StatusTooManyRequests) {
			s.routes[i].errors = append(slices.Clone(rt.errors), http.StatusTooManyRequests) // the write budget
			rt = s.routes[i]
		}
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
		s.uploads[rt.method+" "+rt.path] = rt.multipart
	}
	s.openapi = s.openAPIDocument()
	return s
}

// Routes lists "METHOD /path" for every route, for tests and docs.
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.method + " " + rt.path
	}
	return out
}

// ContractViolations returns how many responses did not match their route's
// declared type.
func (s *Server) ContractViolations() int64 { return s.contractViolations.Load() }

type ctxKey int

const requestIDKey ctxKey = iota

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and Hijack (SSE, WebSocket).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ServeHTTP runs the middleware shared by every request — request id,
// recovery, security headers, access log and metrics — and then the mux.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.Header.Get("X-Request-Id")
	if !requestIDPattern.MatchString(id) {
		id = ask2live.NewToken()[:20]
	}
	r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
	sw := &statusWriter{ResponseWriter: w}
	h := sw.Header()
	h.Set("X-Request-Id", id)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")

	// The mux fills in path values only when it serves the request itself,
	// so it is asked first just whether anything matches: 404 and 405 are
	// answered as problems too.
	var handler http.Handler = s.mux
	_, pattern := s.mux.Handler(r)
	if pattern == "" {
		handler = http.HandlerFunc(s.noRoute)
		pattern = "unmatched"
	}
	r = s.limitBodyTime(sw, r, s.uploads[pattern])
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic", slog.String("request_id", id), slog.Any("panic", v))
			if sw.status == 0 {
				s.writeProblem(sw, r, ask2live.Errorf(ask2live.EInternal, "internal error"))
			}
		}
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		d := time.Since(start)
		s.requests.WithLabelValues(pattern, strconv.Itoa(status)).Inc()
		s.duration.WithLabelValues(pattern).Observe(d.Seconds())
		level := slog.LevelDebug
		if status >= 500 && r.Context().Err() == nil { // not abandoned (see writeProblem)
			level = slog.LevelError
		}
		s.log.Log(r.Context(), level, "http", slog.String("request_id", id), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", status), slog.Duration("duration", d))
	}()
	handler.ServeHTTP(sw, r)
}

// noRoute answers a request no pattern matched, telling 404 from 405 the way
// the mux would.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := r.Clone(r.Context())
		probe.Method = m
		// The catch-alls (web app, unknown API paths) say nothing about
		// which methods a real endpoint takes.
		if _, p := s.mux.Handler(probe); p != "" && p != "GET /" && p != "GET /api/" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		allow := ""
		for i, m := range allowed {
			if i > 0 {
				allow += ", "
			}
			allow += m
		}
		s.writeProblem(w, r, &httpError{status: http.StatusMethodNotAllowed, allow: allow,
			err: ask2live.Errorf(ask2live.EInvalid, "%s is not allowed here; use %s", r.Method, allow)})
		return
	}
	s.writeProblem(w, r, ask2live.Errorf(ask2live.ENotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
}

// wrap turns a route into a handler: authentication, origin and CSRF checks,
// body limit, the call, and the response or problem.
func (s *Server) wrap(rt route) http.Handler {
	params := pathParams(rt.path)
	if rt.noAuth {
		if len(params) == 0 {
			return rt.raw
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := checkURL(r, params); err != nil {
				s.writeProblem(w, r, err)
				return
			}
			rt.raw.ServeHTTP(w, r)
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var cred credentials
		var err error
		if !rt.anonymous {
			cred, err = s.authenticate(r)
		}
		if err == nil {
			err = s.checkOrigin(r)
		}
		if err == nil {
			err = checkCSRF(r, cred)
		}
		if err == nil && rt.auth && cred.user == nil {
			err = ask2live.Errorf(ask2live.EUnauthenticated, "log in first")
		}
		if err == nil {
			err = checkURL(r, params)
		}
		if err == nil && rt.auth && rt.method != "GET" && !rt.unlimited {
			// Every change spends from the user's budget, so one account
			// cannot turn the database into its own write benchmark.
			if ok, wait := s.writes.Allow(r.Context(), cred.user.ID); !ok {
				err = rateLimited(wait)
			}
		}
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		ctx := ask2live.NewContextWithUser(r.Context(), cred.user)
		ctx = context.WithValue(ctx, credKey, cred)
		r = r.WithContext(ctx)
		if rt.raw != nil {
			rt.raw.ServeHTTP(w, r)
			return
		}
		limit := s.cfg.MaxBodyBytes
		if rt.multipart {
			limit = ask2live.AvatarMaxBytes + 64<<10
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		out, err := rt.handle(w, r)
		if err != nil {
			s.writeProblem(w, r, err)
			return
		}
		if rt.out == nil {
			w.WriteHeader(rt.status)
			return
		}
		if reflect.TypeOf(out) != reflect.TypeOf(rt.out) {
			s.contractViolations.Add(1)
			s.log.ErrorContext(r.Context(), "response type differs from the route's declared type",
				slog.String("route", rt.method+" "+rt.path), slog.String("got", fmt.Sprintf("%T", out)),
				slog.String("want", fmt.Sprintf("%T", rt.out)))
		}
		writeJSON(w, rt.status, out)
	})
}

const credKey ctxKey = 1

func credFrom(r *http.Request) credentials {
	c, _ := r.Context().Value(credKey).(credentials)
	return c
}

// MetricsHandler serves the Prometheus metrics.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{})
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok"}
	ready := true
	if err := s.svc.Store.Ping(ctx); err != nil {
		checks["database"], ready = err.Error(), false
	}
	if s.cfg.Ready != nil {
		checks["bus"] = "ok"
		if err := s.cfg.Ready(ctx); err != nil {
			checks["bus"], ready = err.Error(), false
		}
	}
	status := http.StatusOK
	if !ready {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]any{"ready": ready, "checks": checks})
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.openapi)
}

// unavailable answers for a handler the app did not mount.
func (s *Server) unavailable(what string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.writeProblem(w, r, ask2live.Errorf(ask2live.EUnavailable, "%s is not available on this server", what))
	})
}

// OpenAPI returns the generated OpenAPI 3 document.
func (s *Server) OpenAPI() json.RawMessage { return s.openapi }
