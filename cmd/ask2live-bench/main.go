// Command ask2live-bench measures a running ask2live server: the original
// product's flow, REST read and write mixes, and a crowded live room. Every
// run is bounded in time, talks only to the URLs given, prints latency
// percentiles, and exits non-zero if any request failed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/bench"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

const usage = `Usage: ask2live-bench SCENARIO [flags]

Scenarios:
  flow   virtual users running the original product's Locust flow
  login  log-ins at a fixed rate; latency and the server's CPU per log-in
  rest   a read mix (feed, session, questions) or a write mix (ask, vote, wish)
  room   sockets in one live room; broadcasts at a set rate; delivery latency
  audio  speakers → listeners through the audio server on loopback; loss and latency

Run "ask2live-bench SCENARIO -h" for its flags. See docs/PERFORMANCE.md.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	// The load generator shares the machine with the server it measures:
	// it collects garbage less often (a quarter as often as Go's default)
	// so that its collector takes less of the CPU. GOGC, when set, wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch os.Args[1] {
	case "flow":
		err = flow(ctx, os.Args[2:])
	case "login":
		err = login(ctx, os.Args[2:])
	case "rest":
		err = rest(ctx, os.Args[2:])
	case "room":
		err = room(ctx, os.Args[2:])
	case "audio":
		fs := flag.NewFlagSet("audio", flag.ExitOnError)
		url := fs.String("url", "", "a running server (its -max-on-air must allow speakers-1 guests); empty runs the audio server in this process")
		speakers := fs.Int("speakers", 1, "speakers on air")
		listeners := fs.Int("listeners", 50, "listeners")
		dur := fs.Duration("duration", 10*time.Second, "how long to measure")
		fs.Parse(os.Args[2:])
		err = bench.RunAudio(ctx, bench.AudioConfig{URL: *url, Speakers: *speakers, Listeners: *listeners, Duration: *dur}, os.Stdout)
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "unknown scenario %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAILED:", err)
		os.Exit(1)
	}
}

func flow(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("flow", flag.ExitOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "server")
	users := fs.Int("users", 100, "virtual users")
	dur := fs.Duration("duration", 60*time.Second, "how long")
	think := fs.Duration("think", time.Second, "mean pause between steps")
	spawn := fs.Float64("spawn-rate", 10, "virtual users started per second (0: all at once)")
	fs.Parse(args)
	return bench.RunFlow(ctx, bench.FlowConfig{BaseURL: *url, Users: *users, Duration: *dur, Think: *think, SpawnRate: *spawn,
		JoinLeave: func(ctx context.Context, c *apiclient.Client, sessionID string) error {
			lc, err := liveclient.Dial(ctx, *url, sessionID, c.Token, liveclient.Options{})
			if err != nil {
				return err
			}
			if lc.First.Type != live.MsgSnapshot {
				lc.Drop()
				return fmt.Errorf("joined with %s, want a snapshot", lc.First.Type)
			}
			return lc.Close()
		}}, os.Stdout)
}

func rest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rest", flag.ExitOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "server")
	mix := fs.String("mix", "read", "read or write")
	rate := fs.Float64("rate", 1000, "requests per second (open model)")
	dur := fs.Duration("duration", 30*time.Second, "how long")
	inflight := fs.Int("max-in-flight", 256, "concurrent requests before arrivals count as dropped")
	users := fs.Int("users", 50, "accounts used")
	sessions := fs.Int("sessions", 20, "sessions used")
	questions := fs.Int("questions", 20, "pre-questions per session")
	decode := fs.Bool("decode", true, "read mix: parse every response body (false: check the status and read the body only)")
	fs.Parse(args)
	return bench.RunREST(ctx, bench.RESTConfig{BaseURL: *url, Mix: *mix, Rate: *rate, Duration: *dur, MaxInFlight: *inflight,
		Users: *users, Sessions: *sessions, Questions: *questions, Decode: *decode}, os.Stdout)
}

func login(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("login", flag.ExitOnError)
	url := fs.String("url", "http://127.0.0.1:8080", "server (run it with -login-rate and -login-user-rate above the rate)")
	rate := fs.Float64("rate", 40, "log-ins per second (open model)")
	dur := fs.Duration("duration", 30*time.Second, "how long")
	inflight := fs.Int("max-in-flight", 256, "concurrent log-ins before arrivals count as dropped")
	users := fs.Int("users", 50, "accounts created and logged in to in turn")
	fs.Parse(args)
	return bench.RunLogin(ctx, bench.LoginConfig{BaseURL: *url, Rate: *rate, Duration: *dur, MaxInFlight: *inflight, Users: *users}, os.Stdout)
}

func room(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("room", flag.ExitOnError)
	urls := fs.String("url", "http://127.0.0.1:8080", "server(s), comma-separated: participants are spread over them")
	n := fs.Int("participants", 1000, "sockets in the room")
	accounts := fs.Int("accounts", 200, "distinct users behind the sockets")
	join := fs.Float64("join-rate", 500, "joins per second")
	rate := fs.Float64("rate", 10, "broadcasts per second")
	dur := fs.Duration("duration", 30*time.Second, "how long to broadcast")
	senders := fs.Int("senders", 10, "accounts that send the broadcasts")
	fs.Parse(args)
	return bench.RunRoom(ctx, bench.RoomConfig{URLs: strings.Split(*urls, ","), Participants: *n, Accounts: *accounts,
		JoinRate: *join, Rate: *rate, Duration: *dur, Senders: *senders}, os.Stdout)
}
