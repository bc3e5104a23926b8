package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	goredis "github.com/redis/go-redis/v9"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/httpapi"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/mediaroute"
	"github.com/ask2live/ask2live/ratelimit"
	"github.com/ask2live/ask2live/sfu"
	"github.com/ask2live/ask2live/store"
	"github.com/ask2live/ask2live/web"
)

// App is the whole program as a value: tests boot it on 127.0.0.1:0.
type App struct {
	cfg   Config
	log   *slog.Logger
	store *store.DB
	svc   *ask2live.Service
	api   *httpapi.Server
	bus   live.Bus
	hub   *live.Hub
	sfu   *sfu.Server
	route *mediaroute.Router // with Redis: which node hosts each room's audio
	srv   *http.Server
	ln    net.Listener
	// metrics serves /metrics on -metrics-addr, when set.
	metrics   *http.Server
	metricsLn net.Listener

	// limits keeps the rate-limit budgets; limitsRDB is its Redis client
	// when the cluster shares them.
	limits    ratelimit.Backend
	limitsRDB *goredis.Client

	stopCacheSync func()
	// stopAccounts ends the subscription that closes suspended accounts'
	// sockets on this node when another node suspends them.
	stopAccounts func()

	closeOnce sync.Once
	closeErr  error
}

// New opens the store and builds every component; nothing listens yet.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	unlock := func() {}
	if path := store.SQLitePath(cfg.DatabaseURL); path != "" {
		// Servers share the file's lock; a restore needs it alone, so it
		// cannot replace the file under a running server. Released when
		// the app closes.
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("creating the data directory: %w", err)
		}
		var err error
		if unlock, err = store.LockSQLite(path, false); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{CheckpointInterval: cfg.SQLiteCheckpoint})
	if err != nil {
		unlock()
		return nil, err
	}
	db.OnClose(unlock)
	svc := ask2live.NewService(db, log)
	svc.SetHashWorkers(cfg.HashWorkers)
	svc.TokenTTL = cfg.TokenTTL
	svc.AvatarLimits = ask2live.AvatarLimits{MaxPixels: cfg.AvatarMaxPixels, DecodeMemory: cfg.AvatarDecodeMemory,
		Wait: ask2live.DefaultAvatarLimits.Wait, Timeout: cfg.AvatarDecodeTimeout}
	svc.Cache = ask2live.NewReadCache(ask2live.ReadCacheConfig{Entries: cfg.CacheEntries, Tokens: cfg.CacheTokens,
		ViewerSets: cfg.CacheViewers, MaxBytes: cfg.CacheBytes, MaxAge: cfg.CacheMaxAge})
	a := &App{cfg: cfg, log: log, store: db, svc: svc}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.bus, err = newBus(ctx, cfg, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	reg.MustRegister(
		healthGauge("ask2live_database_up", "1 while the database answers a ping within a second.", db.Ping),
		healthGauge("ask2live_bus_up", "1 while the event bus (Redis, with several nodes) answers a ping within a second.", a.bus.Ping))
	for role, pool := range db.Pools() {
		reg.MustRegister(collectors.NewDBStatsCollector(pool, role))
	}
	a.limits, a.limitsRDB, err = newLimits(cfg, log)
	if err != nil {
		a.bus.Close()
		db.Close()
		return nil, err
	}
	ice, err := parseICEServers(cfg.RTCICEServers)
	if err != nil {
		a.closeLimits()
		a.bus.Close()
		db.Close()
		return nil, err
	}
	relayMin, relayMax, _ := parsePortRange(cfg.TURNRelayPorts)
	var hub *live.Hub
	speaking := func(room, peer string, on bool) { hub.Speaking(room, peer, on) }
	a.sfu, err = sfu.New(sfu.Config{ListenIP: cfg.RTCListenIP, UDPPort: cfg.RTCUDPPort, TCPPort: cfg.RTCTCPPort,
		PublicIPs: cfg.RTCPublicIPs, ICEServers: ice,
		TURN: sfu.TURNConfig{Enable: cfg.TURNPort != 0, Port: cfg.TURNPort, Host: cfg.TURNHost, Secret: cfg.TURNSecret,
			RelayMinPort: relayMin, RelayMaxPort: relayMax, CredentialTTL: cfg.TURNCredentialTTL,
			MaxAllocationsPerCredential: cfg.TURNAllocationsPerCredential, MaxAllocationsPerUser: cfg.TURNAllocationsPerUser,
			AllowLoopback: cfg.TURNAllowLoopback},
	}, log, func(room, peer string, on bool) { speaking(room, peer, on) })
	if err != nil {
		a.closeLimits()
		a.bus.Close()
		db.Close()
		return nil, err
	}
	reg.MustRegister(a.sfu.Collectors()...)
	audio := mediaroute.Local(a.sfu)
	if cfg.RedisURL != "" {
		a.route, err = newRouter(ctx, cfg, audio, func(room, peer string, on bool) { hub.Speaking(room, peer, on) }, log)
		if err != nil {
			_ = errors.Join(a.sfu.Close(), a.closeLimits(), a.bus.Close(), db.Close())
			return nil, err
		}
		audio, speaking = a.route, a.route.Speaking
	}
	hub = live.NewHub(live.Config{
		MaxOnAir:         cfg.MaxOnAir,
		MaxMicTime:       cfg.MaxMicTime,
		ChatHistory:      cfg.ChatHistory,
		SendQueue:        cfg.SendQueue,
		MaxFrameBytes:    cfg.MaxFrameBytes,
		QuestionRate:     cfg.QuestionRate,
		ChatRate:         cfg.ChatRate,
		PingInterval:     cfg.PingInterval,
		PresenceInterval: cfg.PresenceInterval,
		HostGoneTimeout:  cfg.HostGoneTimeout,
		MaxLiveDuration:  cfg.MaxLiveDuration,
		CommandWindow:    cfg.CommandWindow,
		AllowedOrigins:   cfg.AllowedOrigins,
		Limits:           a.limits,

		CommandRate:       cfg.CommandRate,
		SignalRate:        cfg.SignalRate,
		MaxSocketsPerUser: socketCap(cfg.MaxSocketsPerUser),
		VoteInterval:      cfg.VoteInterval,
	}, svc, a.bus, audio, log, reg)
	a.hub = hub
	a.stopCacheSync = live.SyncCache(a.bus, svc.Cache, log)
	svc.Notifier = a.hub
	svc.Presence = a.hub
	svc.Accounts, a.stopAccounts = live.AccountsOverBus(a.bus, a.hub, log)
	proxies, _ := cfg.Proxies() // checked by Validate
	a.api = httpapi.New(httpapi.Config{
		MaxBodyBytes:   cfg.MaxBodyBytes,
		CookieSecure:   cfg.CookieSecure,
		TrustedProxies: proxies,
		AllowedOrigins: cfg.AllowedOrigins,
		LoginRate:      cfg.LoginRate,
		LoginUserRate:  cfg.LoginUserRate,
		QuestionRate:   cfg.QuestionRate,
		WriteRate:      cfg.WriteRate,
		PublicURL:      cfg.PublicURL,
		Limits:         a.limits,
		UI:             web.Handler(),
		Live:           a.hub,
		Events:         a.hub.Events(),
		SessionEvents:  a.hub.SessionEvents(),
		Ready:          a.bus.Ping,
		Registry:       reg,

		CalendarFeedRate:  cfg.CalendarFeedRate,
		BodyReadTimeout:   cfg.BodyReadTimeout,
		UploadReadTimeout: cfg.UploadReadTimeout,
		MetricsElsewhere:  cfg.MetricsAddr != "",
	}, svc, log)
	a.srv = &http.Server{
		Handler:           a.api,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	if cfg.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", a.api.MetricsHandler())
		a.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	}
	return a, nil
}

// Service returns the domain service (for tests and tools).
func (a *App) Service() *ask2live.Service { return a.svc }

// Listen binds the HTTP address (and the metrics address, when set); Addr
// and MetricsAddr are valid afterwards.
func (a *App) Listen() error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
	}
	if a.metrics != nil {
		if a.metricsLn, err = net.Listen("tcp", a.cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (-metrics-addr): %w", a.cfg.MetricsAddr, err)
		}
	}
	proxies, _ := a.cfg.Proxies() // checked by Validate
	a.ln = httpapi.LimitConnections(ln, a.cfg.MaxConnsPerAddress, proxies)
	return nil
}

// MetricsAddr returns the bound metrics address ("" without -metrics-addr).
func (a *App) MetricsAddr() string {
	if a.metricsLn == nil {
		return ""
	}
	return a.metricsLn.Addr().String()
}

// Addr returns the bound address.
func (a *App) Addr() string {
	if a.ln == nil {
		return ""
	}
	return a.ln.Addr().String()
}

// OpenURL is the address to open in a browser for a listening address: a
// server listening on every interface (":8080", "0.0.0.0:8080", "[::]:8080")
// is reached at localhost.
func OpenURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// Run listens (if Listen was not called), serves until ctx is done, and then
// shuts down in order: stop accepting, finish in-flight requests within the
// shutdown timeout, close the store.
func (a *App) Run(ctx context.Context) error {
	if a.ln == nil {
		if err := a.Listen(); err != nil {
			return err
		}
	}
	a.log.Info("listening", slog.String("url", OpenURL(a.Addr())), slog.String("addr", a.Addr()), slog.String("database", a.store.Dialect()),
		slog.String("media_udp", a.sfu.UDPAddr().String()),
		slog.Bool("web_app", web.Built()))
	if a.cfg.PprofAddr != "" {
		go a.servePprof(ctx)
	}
	if a.metricsLn != nil {
		a.log.Info("metrics", slog.String("addr", a.MetricsAddr()))
		go func() {
			if err := a.metrics.Serve(a.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				a.log.Error("metrics server", slog.Any("err", err))
			}
		}()
	}
	// Expired credentials go every hour; live sessions nobody has been in
	// for the host-gone timeout end (rooms end their own; this catches
	// sessions without one).
	go a.every(ctx, time.Hour, "sweeping expired credentials", func(ctx context.Context) error {
		_, err := a.store.DeleteExpiredTokens(ctx, time.Now())
		return err
	})
	go a.every(ctx, time.Minute, "sweeping abandoned sessions", a.hub.SweepAbandoned)
	go a.every(ctx, time.Hour, "forgetting old live commands", a.hub.ForgetCommands)
	errc := make(chan error, 1)
	go func() { errc <- a.srv.Serve(a.ln) }()
	select {
	case err := <-errc:
		a.Close()
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	// Tell live clients to reconnect (they get the answer to the command in
	// hand first) and end the event streams; then stop accepting and let
	// in-flight requests finish.
	err := a.hub.Close(sctx)
	err = errors.Join(err, a.srv.Shutdown(sctx))
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("in-flight requests did not finish within %s", a.cfg.ShutdownTimeout)
	}
	return errors.Join(err, a.Close())
}

// servePprof serves profiles on their own address, never on the public one.
// With it on, blocking and lock contention are sampled too (block and
// mutex profiles), at a rate cheap enough to leave on.
func (a *App) servePprof(ctx context.Context) {
	runtime.SetBlockProfileRate(int(100 * time.Microsecond))
	runtime.SetMutexProfileFraction(100)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: a.cfg.PprofAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	a.log.Info("profiles", slog.String("addr", a.cfg.PprofAddr))
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.log.Error("profiles server", slog.Any("err", err))
	}
}

// every runs fn each interval until ctx ends, logging its errors.
func (a *App) every(ctx context.Context, interval time.Duration, what string, fn func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := fn(ctx); err != nil {
				a.log.Warn(what, slog.Any("err", err))
			}
		}
	}
}

// Close releases everything; it is safe to call twice.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		if a.ln != nil {
			_ = a.srv.Close()
		}
		if a.metricsLn != nil {
			_ = a.metrics.Close()
		}
		a.stopCacheSync()
		a.stopAccounts()
		var err error
		if a.route != nil {
			err = a.route.Close()
		}
		a.closeErr = errors.Join(err, a.sfu.Close(), a.closeLimits(), a.bus.Close(), a.store.Close())
	})
	return a.closeErr
}

// newBus picks the event bus: Redis when a URL is set, else in memory.
func newBus(ctx context.Context, cfg Config, log *slog.Logger) (live.Bus, error) {
	if cfg.RedisURL == "" {
		return live.NewMemoryBus(), nil
	}
	return live.NewRedisBus(ctx, cfg.RedisURL, cfg.RedisPrefix, log)
}

// newLimits picks where rate-limit budgets are kept: in Redis when a URL is
// set, so that every node spends from one budget, else in this process.
func newLimits(cfg Config, log *slog.Logger) (ratelimit.Backend, *goredis.Client, error) {
	if cfg.RedisURL == "" {
		return ratelimit.Local(), nil, nil
	}
	opts, err := goredis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, nil, err
	}
	rdb := goredis.NewClient(opts)
	return ratelimit.Redis(rdb, cfg.RedisPrefix, log), rdb, nil
}

func (a *App) closeLimits() error {
	if a.limitsRDB == nil {
		return nil
	}
	return a.limitsRDB.Close()
}

// newRouter shares rooms' audio between the nodes of a cluster.
func newRouter(ctx context.Context, cfg Config, local live.Media, deliver func(room, peer string, on bool), log *slog.Logger) (*mediaroute.Router, error) {
	opts, err := goredis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	node := host + "-" + ask2live.NewToken()[:8]
	r, err := mediaroute.New(ctx, mediaroute.Config{Prefix: cfg.RedisPrefix}, node, local, goredis.NewClient(opts), deliver, log)
	if err != nil {
		return nil, err
	}
	log.Info("media routing", slog.String("node", node))
	return r, nil
}

// socketCap maps the flag's "0: no cap" to the live rooms' "negative: no
// cap" (their zero takes the default).
func socketCap(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
