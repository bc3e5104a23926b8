// Package app wires the adapters around the domain into one program: it reads
// the configuration, opens the store, picks the event bus, builds the HTTP
// surface, the live rooms and the media server, and runs and stops them in
// order.
package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ask2live/ask2live"
)

// Config is everything the operator can set. Every field has a flag and an
// ASK2LIVE_* environment variable named after it (flag "database-url" ↔
// ASK2LIVE_DATABASE_URL); the command line wins over the environment.
type Config struct {
	Addr            string
	DatabaseURL     string
	RedisURL        string
	RedisPrefix     string
	DataDir         string
	LogLevel        slog.Level
	LogFormat       string
	ShutdownTimeout time.Duration
	PprofAddr       string
	MetricsAddr     string // serve /metrics here instead of on Addr
	// SQLiteCheckpoint is how often the SQLite write-ahead log is
	// checkpointed in the background.
	SQLiteCheckpoint time.Duration

	// HTTP
	AllowedOrigins []string
	CookieSecure   bool
	PublicURL      string   // scheme://host[:port] people reach the server by, for calendar links; empty: from each request
	TrustProxy     bool     // deprecated: TrustedProxies = loopback
	TrustedProxies []string // CIDRs or addresses of reverse proxies whose X-Forwarded-For is believed
	TokenTTL       time.Duration
	MaxBodyBytes   int64
	LoginRate      int // register and log-in attempts per minute per client address
	LoginUserRate  int // log-in attempts per hour on one account: from new addresses together, and from each address it has logged in from
	HashWorkers    int // password hashes computed at once; 0: one per core
	// CalendarFeedRate bounds fetches of one calendar feed per hour.
	CalendarFeedRate int

	// Slow clients: how long a request body may take to arrive, for JSON
	// and for uploads, and how many connections one address may hold.
	BodyReadTimeout    time.Duration
	UploadReadTimeout  time.Duration
	MaxConnsPerAddress int

	// Avatar uploads (see ask2live.AvatarLimits)
	AvatarMaxPixels     int64
	AvatarDecodeMemory  int64
	AvatarDecodeTimeout time.Duration

	// Read cache (see ask2live.ReadCache)
	CacheEntries int           // session details and question lists kept, each; 0 turns them off
	CacheTokens  int           // credentials kept; 0 turns credential caching off
	CacheViewers int           // per-viewer sets (wishes; votes in a session) kept; 0 reads them per request
	CacheBytes   int64         // memory bound of the cached pages and sets
	CacheMaxAge  time.Duration // longest an entry is served; 0 turns the cache off

	// Live rooms
	MaxOnAir          int
	MaxMicTime        time.Duration
	HostGoneTimeout   time.Duration
	MaxLiveDuration   time.Duration
	CommandWindow     time.Duration // how long a live command's cid is remembered
	ChatHistory       int
	QuestionRate      int // questions per minute per user
	WriteRate         int // other REST changes per minute per user
	ChatRate          int // chat messages per 10 seconds per user
	CommandRate       int // live-room commands per minute per user and room
	SignalRate        int // rtc messages per 10 seconds per live socket
	MaxSocketsPerUser int // live sockets per user and room on one node; 0: no cap
	VoteInterval      time.Duration
	MaxFrameBytes     int64
	SendQueue         int
	PingInterval      time.Duration
	PresenceInterval  time.Duration
	RTCUDPPort        int
	RTCTCPPort        int
	RTCListenIP       string
	RTCPublicIPs      []string
	RTCICEServers     []string
	TURNPort          int    // embedded TURN server (UDP and TCP); 0 disables it
	TURNHost          string // host name clients reach it by
	TURNSecret        string
	TURNRelayPorts    string // "min-max"
	TURNCredentialTTL time.Duration
	// TURN allocations held at once per credential and per participant,
	// and whether relays may reach loopback (tests on one machine).
	TURNAllocationsPerCredential int
	TURNAllocationsPerUser       int
	TURNAllowLoopback            bool
}

// DefaultConfig returns the embedded defaults: SQLite under ./data, in-memory
// bus, everything on one port.
func DefaultConfig() Config {
	return Config{
		Addr:              ":8080",
		DataDir:           "data",
		RedisPrefix:       "ask2live:",
		LogLevel:          slog.LevelInfo,
		LogFormat:         "text",
		ShutdownTimeout:   15 * time.Second,
		SQLiteCheckpoint:  time.Second,
		TokenTTL:          30 * 24 * time.Hour,
		MaxBodyBytes:      64 << 10,
		LoginRate:         10,
		LoginUserRate:     30,
		CacheEntries:      10000,
		CacheTokens:       10000,
		CacheViewers:      10000,
		CacheBytes:        64 << 20,
		CacheMaxAge:       5 * time.Second,
		MaxOnAir:          3,
		MaxMicTime:        30 * time.Minute,
		HostGoneTimeout:   10 * time.Minute,
		MaxLiveDuration:   12 * time.Hour,
		CommandWindow:     24 * time.Hour,
		ChatHistory:       50,
		QuestionRate:      5,
		WriteRate:         120,
		CalendarFeedRate:  60,
		ChatRate:          20,
		CommandRate:       120,
		SignalRate:        100,
		MaxSocketsPerUser: 8,
		VoteInterval:      250 * time.Millisecond,
		MaxFrameBytes:     16 << 10,
		SendQueue:         256,
		PingInterval:      20 * time.Second,
		PresenceInterval:  250 * time.Millisecond,
		RTCUDPPort:        50000,
		RTCTCPPort:        50000,
		RTCListenIP:       "0.0.0.0",
		TURNRelayPorts:    "49160-49999",
		TURNCredentialTTL: 12 * time.Hour,

		// Slow clients and TURN allocations.
		BodyReadTimeout:              30 * time.Second,
		UploadReadTimeout:            2 * time.Minute,
		MaxConnsPerAddress:           100,
		TURNAllocationsPerCredential: 5,
		TURNAllocationsPerUser:       10,
		AvatarMaxPixels:              ask2live.DefaultAvatarLimits.MaxPixels,
		AvatarDecodeMemory:           ask2live.DefaultAvatarLimits.DecodeMemory,
		AvatarDecodeTimeout:          ask2live.DefaultAvatarLimits.Timeout,
	}
}

// EnvPrefix starts every environment variable the program reads.
const EnvPrefix = "ASK2LIVE_"

// EnvName returns the environment variable for a flag name.
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// ParseConfig reads the configuration from the environment (through getenv)
// and then the command line. It returns flag.ErrHelp after printing the usage
// to out for -h/--help.
func ParseConfig(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	c := DefaultConfig()
	fs := flag.NewFlagSet("ask2live", flag.ContinueOnError)
	fs.SetOutput(out)

	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP listen address (web app, API, live rooms, media signalling)")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "database: sqlite:PATH, postgres://… or mysql://user:pass@host:port/db (default sqlite:DATA_DIR/ask2live.db)")
	fs.StringVar(&c.RedisURL, "redis-url", "", "redis://… to share live rooms between nodes; empty runs one node with an in-memory bus")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", c.RedisPrefix, "prefix of every Redis key and channel, to share one Redis between clusters")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory for the SQLite file and other local state")
	fs.TextVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long a graceful shutdown waits for in-flight work")
	fs.DurationVar(&c.SQLiteCheckpoint, "sqlite-checkpoint-interval", c.SQLiteCheckpoint, "how often SQLite's write-ahead log is copied into the database file, in the background (writes never wait for it)")
	fs.StringVar(&c.PprofAddr, "pprof-addr", "", "serve Go profiles (net/http/pprof) on this address, e.g. 127.0.0.1:6060; off when empty")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "serve Prometheus /metrics on this address only, e.g. 127.0.0.1:9100, so it need not be public; empty serves it on -addr")

	listVar(fs, &c.AllowedOrigins, "allowed-origins", "extra origins (scheme://host[:port]) allowed for cookie requests and WebSocket upgrades, comma-separated; the server's own host is always allowed")
	fs.BoolVar(&c.CookieSecure, "cookie-secure", c.CookieSecure, "mark cookies Secure (set when served over HTTPS)")
	fs.StringVar(&c.PublicURL, "public-url", "", "the address people reach the server by, scheme://host[:port] (e.g. https://qa.example.com), for links that leave the browser: calendar files and feeds; empty: each request's Host, with https when the request came over TLS, -cookie-secure is set, or a -trusted-proxies proxy sent X-Forwarded-Proto: https")
	listVar(fs, &c.TrustedProxies, "trusted-proxies", "reverse proxies (CIDRs or addresses, comma-separated) whose X-Forwarded-For is believed: the client is the right-most address in it that is not one of these; empty: the peer address is the client")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", c.TrustProxy, "deprecated: the same as -trusted-proxies 127.0.0.0/8,::1 (a proxy on this machine)")
	fs.DurationVar(&c.TokenTTL, "token-ttl", c.TokenTTL, "lifetime of log-in tokens and session cookies")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest JSON request body")
	fs.DurationVar(&c.BodyReadTimeout, "body-read-timeout", c.BodyReadTimeout, "longest a request body may take to arrive (requests without one, such as WebSocket upgrades, have no such bound)")
	fs.DurationVar(&c.UploadReadTimeout, "upload-read-timeout", c.UploadReadTimeout, "longest an upload's body (an avatar) may take to arrive")
	fs.IntVar(&c.MaxConnsPerAddress, "max-conns-per-address", c.MaxConnsPerAddress, "connections one client address (IPv6: one /64) may hold open; more are closed at once; -trusted-proxies are not counted (cap clients at the proxy); 0 turns the cap off")
	fs.IntVar(&c.LoginRate, "login-rate", c.LoginRate, "register and log-in attempts allowed per minute per client address (IPv6: per /64)")
	fs.IntVar(&c.HashWorkers, "password-hash-workers", c.HashWorkers, "password hashes (argon2id, 19 MiB and about 30 ms of one core each) computed at once; more log-ins wait their turn, so a flood of them cannot take more memory or cores than this; 0: one per core")
	fs.IntVar(&c.LoginUserRate, "login-user-rate", c.LoginUserRate, "log-in attempts allowed per hour on one account from addresses it has not logged in from, all together; each address it has logged in from (in the last 30 days) has a budget of its own of this size, so guessers cannot lock the owner out")
	fs.Int64Var(&c.AvatarMaxPixels, "avatar-max-pixels", c.AvatarMaxPixels, "largest avatar upload in pixels (width × height), read from the image header before decoding")
	fs.Int64Var(&c.AvatarDecodeMemory, "avatar-decode-memory", c.AvatarDecodeMemory, "bytes all avatar decodes in flight may take together (estimated from each header); a larger image is refused, one that does not fit beside others waits up to 5 s, then gets 503")
	fs.DurationVar(&c.AvatarDecodeTimeout, "avatar-decode-timeout", c.AvatarDecodeTimeout, "longest one avatar decode may take")
	fs.IntVar(&c.CacheEntries, "cache-entries", c.CacheEntries, "session details and question lists kept in the read cache (each; plus the main page); 0 turns them off")
	fs.IntVar(&c.CacheTokens, "cache-tokens", c.CacheTokens, "credentials kept in the read cache; 0 checks every request's credential in the database")
	fs.IntVar(&c.CacheViewers, "cache-viewer-sets", c.CacheViewers, "per-viewer sets kept in the read cache (a user's wished sessions; a user's votes in one session); 0 reads them on every request")
	fs.Int64Var(&c.CacheBytes, "cache-max-bytes", c.CacheBytes, "memory bound, in bytes, of the read cache's pages, question lists and viewer sets together (about; credentials are bounded by -cache-tokens)")
	fs.DurationVar(&c.CacheMaxAge, "cache-max-age", c.CacheMaxAge, "longest a read-cache entry is served; writes invalidate at once (on other nodes through Redis), this bounds staleness if an invalidation is lost; 0 turns the cache off")

	fs.IntVar(&c.MaxOnAir, "max-on-air", c.MaxOnAir, "most guests on air at once in a live room (the host is always on air)")
	fs.DurationVar(&c.MaxMicTime, "max-mic-time", c.MaxMicTime, "longest time limit the host may put on a guest's mic, extensions included")
	fs.DurationVar(&c.HostGoneTimeout, "host-gone-timeout", c.HostGoneTimeout, "end a live session whose host has been disconnected this long")
	fs.DurationVar(&c.MaxLiveDuration, "max-live-duration", c.MaxLiveDuration, "end a live session that has been live this long")
	fs.DurationVar(&c.CommandWindow, "command-window", c.CommandWindow, "how long a live-room command's cid is remembered: a retry within it, on any node, gets the first answer instead of running again")
	fs.IntVar(&c.ChatHistory, "chat-history", c.ChatHistory, "chat messages a newcomer receives")
	fs.IntVar(&c.QuestionRate, "question-rate", c.QuestionRate, "questions a user may ask per minute in a live room")
	fs.IntVar(&c.WriteRate, "write-rate", c.WriteRate, "changes a user may make over the REST API per minute (votes, wishes, edits, session actions, profile; log-out is free); all may come at once, then they come back evenly over the minute")
	fs.IntVar(&c.CalendarFeedRate, "calendar-feed-rate", c.CalendarFeedRate, "fetches of one calendar feed allowed per hour (calendar apps poll it; all may come at once, then they come back evenly over the hour)")
	fs.IntVar(&c.ChatRate, "chat-rate", c.ChatRate, "chat messages a user may send per 10 seconds")
	fs.IntVar(&c.CommandRate, "command-rate", c.CommandRate, "live-room commands of every kind (votes, questions, chat, host actions; not WebRTC signalling) a user may send per minute in one room, from all their sockets; all may come at once, then they come back evenly over the minute")
	fs.IntVar(&c.SignalRate, "signal-rate", c.SignalRate, "WebRTC signalling messages (offers, answers, ICE candidates) one live socket may send per 10 seconds")
	fs.IntVar(&c.MaxSocketsPerUser, "max-sockets-per-user", c.MaxSocketsPerUser, "live-room sockets (tabs) one user may hold in one room on one node; more are closed with 4429 after their hello; 0 turns the cap off")
	fs.DurationVar(&c.VoteInterval, "vote-interval", c.VoteInterval, "how often a room's vote changes go out from a node as question events: a storm of votes becomes one event per question per interval, with the latest count")
	fs.Int64Var(&c.MaxFrameBytes, "max-frame-bytes", c.MaxFrameBytes, "largest WebSocket frame a client may send")
	fs.IntVar(&c.SendQueue, "send-queue", c.SendQueue, "events queued per live connection before a slow client is dropped")
	fs.DurationVar(&c.PingInterval, "ping-interval", c.PingInterval, "WebSocket heartbeat interval; a peer silent for 3 intervals is dropped")
	fs.DurationVar(&c.PresenceInterval, "presence-interval", c.PresenceInterval, "how often presence changes are batched into one event")

	fs.IntVar(&c.RTCUDPPort, "rtc-udp-port", c.RTCUDPPort, "UDP port for all WebRTC media (ICE UDP mux); 0 picks a free port")
	fs.IntVar(&c.RTCTCPPort, "rtc-tcp-port", c.RTCTCPPort, "TCP port for ICE-TCP fallback; 0 disables it")
	fs.StringVar(&c.RTCListenIP, "rtc-listen-ip", c.RTCListenIP, "address the media ports bind to")
	listVar(fs, &c.RTCPublicIPs, "rtc-public-ips", "public IPs announced to clients when behind 1:1 NAT, comma-separated")
	listVar(fs, &c.RTCICEServers, "rtc-ice-servers", "STUN/TURN URLs handed to clients, comma-separated (turn:user:pass@host:port for static credentials)")

	fs.IntVar(&c.TURNPort, "turn-port", 0, "run the embedded TURN server on this UDP and TCP port (e.g. 3478), for clients that cannot reach the media port directly; 0 disables it")
	fs.StringVar(&c.TURNHost, "turn-host", "", "host name or IP clients reach the TURN server by (default the first public IP, else the media listen IP)")
	fs.StringVar(&c.TURNSecret, "turn-secret", "", "secret the time-limited TURN credentials are made with; random per start when empty (set it to keep credentials valid across restarts)")
	fs.StringVar(&c.TURNRelayPorts, "turn-relay-ports", c.TURNRelayPorts, "UDP ports the TURN server relays from, min-max")
	fs.DurationVar(&c.TURNCredentialTTL, "turn-credential-ttl", c.TURNCredentialTTL, "how long TURN credentials handed to a participant stay valid")
	fs.IntVar(&c.TURNAllocationsPerCredential, "turn-allocations-per-credential", c.TURNAllocationsPerCredential, "TURN allocations one credential (one peer connection) may hold at once")
	fs.IntVar(&c.TURNAllocationsPerUser, "turn-allocations-per-user", c.TURNAllocationsPerUser, "TURN allocations one participant may hold at once, over all their credentials")
	fs.BoolVar(&c.TURNAllowLoopback, "turn-allow-loopback", c.TURNAllowLoopback, "let TURN relays reach the media port on loopback and link-local addresses (only for tests with everything on one machine)")

	fs.Usage = func() { usage(fs, out) }

	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if v := getenv(EnvName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", EnvName(f.Name), err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite:" + filepath.Join(c.DataDir, "ask2live.db")
	}
	return c, c.Validate()
}

// Validate checks values that flags alone cannot.
func (c *Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s (%s): %s", "-"+name, EnvName(name), fmt.Sprintf(format, args...)))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", "want host:port, got %q", c.Addr)
	}
	if _, _, err := net.SplitHostPort(c.MetricsAddr); c.MetricsAddr != "" && err != nil {
		bad("metrics-addr", "want host:port, got %q", c.MetricsAddr)
	}
	switch {
	case strings.HasPrefix(c.DatabaseURL, "sqlite:"), strings.HasPrefix(c.DatabaseURL, "postgres://"),
		strings.HasPrefix(c.DatabaseURL, "postgresql://"), strings.HasPrefix(c.DatabaseURL, "mysql://"):
	default:
		bad("database-url", "want sqlite:PATH, postgres://… or mysql://…")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		bad("redis-url", "want redis://… or rediss://…")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("log-format", "want text or json")
	}
	positive := map[string]int64{
		"max-body-bytes": c.MaxBodyBytes, "body-read-timeout": int64(c.BodyReadTimeout), "upload-read-timeout": int64(c.UploadReadTimeout), "login-rate": int64(c.LoginRate), "login-user-rate": int64(c.LoginUserRate), "chat-history": int64(c.ChatHistory),
		"question-rate": int64(c.QuestionRate), "write-rate": int64(c.WriteRate), "calendar-feed-rate": int64(c.CalendarFeedRate), "chat-rate": int64(c.ChatRate), "max-frame-bytes": c.MaxFrameBytes,
		"command-rate": int64(c.CommandRate), "signal-rate": int64(c.SignalRate), "vote-interval": int64(c.VoteInterval),
		"send-queue": int64(c.SendQueue), "token-ttl": int64(c.TokenTTL), "shutdown-timeout": int64(c.ShutdownTimeout),
		"host-gone-timeout": int64(c.HostGoneTimeout), "max-mic-time": int64(c.MaxMicTime), "max-live-duration": int64(c.MaxLiveDuration),
		"command-window": int64(c.CommandWindow),
		"ping-interval":  int64(c.PingInterval), "cache-max-bytes": c.CacheBytes, "sqlite-checkpoint-interval": int64(c.SQLiteCheckpoint), "presence-interval": int64(c.PresenceInterval),
		"turn-credential-ttl": int64(c.TURNCredentialTTL), "turn-allocations-per-credential": int64(c.TURNAllocationsPerCredential),
		"turn-allocations-per-user": int64(c.TURNAllocationsPerUser),
		"avatar-max-pixels":         c.AvatarMaxPixels, "avatar-decode-memory": c.AvatarDecodeMemory, "avatar-decode-timeout": int64(c.AvatarDecodeTimeout),
	}
	names := make([]string, 0, len(positive))
	for n := range positive {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if positive[n] <= 0 {
			bad(n, "must be positive")
		}
	}
	for name, v := range map[string]int64{"max-on-air": int64(c.MaxOnAir), "max-conns-per-address": int64(c.MaxConnsPerAddress), "max-sockets-per-user": int64(c.MaxSocketsPerUser), "cache-entries": int64(c.CacheEntries),
		"cache-tokens": int64(c.CacheTokens), "cache-viewer-sets": int64(c.CacheViewers), "cache-max-age": int64(c.CacheMaxAge)} {
		if v < 0 {
			bad(name, "must not be negative")
		}
	}
	if err := checkPublicURL(c.PublicURL); err != nil {
		bad("public-url", "%v", err)
	}
	if _, err := c.Proxies(); err != nil {
		bad("trusted-proxies", "%v", err)
	}
	if _, _, err := parsePortRange(c.TURNRelayPorts); err != nil {
		bad("turn-relay-ports", "%v", err)
	}
	if c.TURNPort != 0 && c.TURNHost == "" && len(c.RTCPublicIPs) == 0 {
		if ip := net.ParseIP(c.RTCListenIP); ip == nil || ip.IsUnspecified() {
			bad("turn-port", "the TURN server needs an address to give clients: set -turn-host, -rtc-public-ips or a specific -rtc-listen-ip")
		}
	}
	for name, p := range map[string]int{"rtc-udp-port": c.RTCUDPPort, "rtc-tcp-port": c.RTCTCPPort, "turn-port": c.TURNPort} {
		if p < 0 || p > 65535 {
			bad(name, "must be a port number")
		}
	}
	if _, err := parseICEServers(c.RTCICEServers); err != nil {
		bad("rtc-ice-servers", "%v", err)
	}
	for _, ip := range c.RTCPublicIPs {
		if net.ParseIP(ip) == nil {
			bad("rtc-public-ips", "%q is not an IP address", ip)
		}
	}
	return errors.Join(errs...)
}

// Proxies returns the trusted proxies: -trusted-proxies, or loopback for
// the deprecated -trust-proxy.
func (c *Config) Proxies() ([]netip.Prefix, error) {
	list := c.TrustedProxies
	if len(list) == 0 && c.TrustProxy {
		list = []string{"127.0.0.0/8", "::1/128"}
	}
	var out []netip.Prefix
	for _, s := range list {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, errA := netip.ParseAddr(s)
			if errA != nil {
				return nil, fmt.Errorf("%q is neither a CIDR nor an address", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parsePortRange reads "min-max".
func parsePortRange(s string) (uint16, uint16, error) {
	lo, hi, ok := strings.Cut(s, "-")
	a, errA := strconv.ParseUint(strings.TrimSpace(lo), 10, 16)
	b, errB := strconv.ParseUint(strings.TrimSpace(hi), 10, 16)
	if !ok || errA != nil || errB != nil || a == 0 || b < a {
		return 0, 0, fmt.Errorf("want min-max ports, got %q", s)
	}
	return uint16(a), uint16(b), nil
}

// listVar defines a comma-separated list flag.
func listVar(fs *flag.FlagSet, p *[]string, name, usage string) {
	fs.Func(name, usage, func(s string) error {
		*p = nil
		for _, v := range strings.Split(s, ",") {
			if v = strings.TrimSpace(v); v != "" {
				*p = append(*p, v)
			}
		}
		return nil
	})
}

func usage(fs *flag.FlagSet, out io.Writer) {
	fmt.Fprintf(out, `ask2live — live Q&A sessions with a shared question queue and voice.

Usage: ask2live [flags]

With no flags it serves the web app, the API, live rooms and voice on :8080,
keeping data in an SQLite file under ./data. Every flag can also be set by an
environment variable; the command line wins.

Flags:
`)
	fs.VisitAll(func(f *flag.Flag) {
		def := ""
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && f.DefValue != "0s" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(out, "  -%s  [%s]\n      %s%s\n", f.Name, EnvName(f.Name), f.Usage, def)
	})
}

// checkPublicURL checks -public-url: empty, or an http(s) address of a
// host with no path beyond "/", query or fragment (the web app is served
// from the root).
func checkPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("want scheme://host[:port] with http or https, got %q", s)
	case u.User != nil || strings.TrimRight(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return fmt.Errorf("want only scheme://host[:port], got %q: the server is reached at the root of its address", s)
	}
	return nil
}
