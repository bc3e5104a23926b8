package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/live/livetest"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/sfu/sfutest"
	"github.com/ask2live/ask2live/store"
	"github.com/ask2live/ask2live/store/storetest"
)

// nodeArgsEnv, when set, makes the test binary run one node of a cluster
// with these flags (JSON) instead of the tests: fault tests start nodes as
// processes of their own, so that they can kill one with SIGKILL.
const nodeArgsEnv = "ASK2LIVE_TEST_NODE_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(nodeArgsEnv); args != "" {
		os.Exit(runNode(args))
	}
	os.Exit(m.Run())
}

// runNode is a node's main: it prints "listening <addr>" once it accepts
// connections and runs until SIGTERM or SIGKILL.
func runNode(args string) int {
	var flags []string
	if err := json.Unmarshal([]byte(args), &flags); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	cfg, err := ParseConfig(flags, func(string) string { return "" }, io.Discard)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	a, err := New(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	a.Service().Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	if err := a.Listen(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("listening %s\n", a.Addr())
	if err := a.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// nodeProcess is a node running as a child process.
type nodeProcess struct {
	URL  string
	cmd  *exec.Cmd
	logs *bytes.Buffer
	once sync.Once
}

// startNode runs a node with the common flags and these; it is killed when
// the test ends, and its log is shown if the test failed.
func startNode(t *testing.T, name, dbURL, redisURL string, flags ...string) *nodeProcess {
	t.Helper()
	args, _ := json.Marshal(append([]string{"-addr", "127.0.0.1:0", "-database-url", dbURL, "-redis-url", redisURL,
		"-data-dir", t.TempDir(), "-rtc-listen-ip", "127.0.0.1", "-rtc-udp-port", "0", "-rtc-tcp-port", "0",
		"-presence-interval", "20ms", "-chat-rate", "1000", "-chat-history", "1000"}, flags...))
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), nodeArgsEnv+"="+string(args))
	n := &nodeProcess{cmd: cmd, logs: &bytes.Buffer{}}
	cmd.Stderr = n.logs
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		n.Kill()
		if t.Failed() {
			t.Logf("node %s log:\n%s", name, n.logs)
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		n.Kill()
		t.Fatalf("node %s did not start: %q %v\n%s", name, line, err, n.logs)
	}
	n.URL = "http://" + addr
	return n
}

// Kill ends the node with SIGKILL: no goodbye to Redis, no closing frames.
func (n *nodeProcess) Kill() {
	n.once.Do(func() {
		_ = n.cmd.Process.Kill()
		_ = n.cmd.Wait()
	})
}

// faultCluster is a database and a Redis of the test's own, with users and
// a live session made directly in the database.
type faultCluster struct {
	dbURL, redisURL string
	host            string // the host's token
	followers       []string
	session         string
}

func newFaultCluster(t *testing.T, dbURL, redisURL string, followers int) *faultCluster {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dbURL, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := ask2live.NewService(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	svc.Argon2 = ask2live.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	register := func(name string) (*ask2live.User, string) {
		u, cred, err := svc.Register(ctx, ask2live.RegisterInput{Username: name, Password: "password-" + name}, ask2live.TokenBearer)
		if err != nil {
			t.Fatal(err)
		}
		return u, cred.Token
	}
	c := &faultCluster{dbURL: dbURL, redisURL: redisURL}
	host, token := register("host")
	c.host = token
	for i := range followers {
		_, tok := register(fmt.Sprintf("follower%d", i))
		c.followers = append(c.followers, tok)
	}
	s, err := svc.CreateSession(ctx, host, ask2live.SessionInput{Title: "장애 시험", OpenNow: true})
	if err != nil {
		t.Fatal(err)
	}
	c.session = s.ID
	return c
}

// follow starts a follower per token, each trying urls in the given order
// (rotated per follower); stop ends them and waits.
func (c *faultCluster) follow(ctx context.Context, urls ...string) (fs []*livetest.Follower, wait func()) {
	var wg sync.WaitGroup
	for i, tok := range c.followers {
		order := append(append([]string{}, urls[i%len(urls):]...), urls[:i%len(urls)]...)
		f := &livetest.Follower{Name: fmt.Sprintf("follower%d", i), Token: tok, URLs: order}
		fs = append(fs, f)
		wg.Add(1)
		go func() { defer wg.Done(); f.Run(ctx, c.session) }()
	}
	return fs, wg.Wait
}

// check waits for every follower to learn of every acknowledged message and
// fails on anything missing, duplicated or out of sequence.
func check(t *testing.T, fs []*livetest.Follower, acked []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, f := range fs {
		f.Await(ctx, acked)
	}
	for _, f := range fs {
		t.Log(f.Report(acked))
		if err := f.Err(); err != nil {
			t.Error(err)
		}
		if n := f.Missing(acked); n > 0 {
			t.Errorf("%s never learnt of %d acknowledged messages", f.Name, n)
		}
	}
}

func faultDatabase(t *testing.T) string {
	if os.Getenv(storetest.PostgresEnv) != "" {
		return storetest.URL(t, "postgres")
	}
	return storetest.URL(t, "sqlite")
}

// TestNodeKilledMidRoom: two nodes as processes; followers on both; the
// host sends through node a, which is killed with SIGKILL mid-room. The
// followers of node a resume on node b, the host's next messages (and any
// retried one) go through node b, and every acknowledged message reaches
// every follower once.
func TestNodeKilledMidRoom(t *testing.T) {
	rs := storetest.StartRedis(t)
	c := newFaultCluster(t, faultDatabase(t), rs.URL(), 4)
	a := startNode(t, "a", c.dbURL, c.redisURL)
	b := startNode(t, "b", c.dbURL, c.redisURL)

	ctx, stop := context.WithTimeout(context.Background(), 90*time.Second)
	defer stop()
	fs, wait := c.follow(ctx, a.URL, b.URL)
	defer wait()
	defer stop()
	snd := &livetest.Sender{Token: c.host, URLs: []string{a.URL, b.URL}}
	defer snd.Close()
	var acked []string
	send := func(n int) {
		for range n {
			text := fmt.Sprintf("m%03d", len(acked))
			if err := snd.Chat(ctx, c.session, "cid-"+text, text); err != nil {
				t.Fatalf("sending %s: %v", text, err)
			}
			acked = append(acked, text)
		}
	}
	send(20)
	// Killed while a message is on its way: its retry on node b must not
	// run it twice.
	go a.Kill()
	send(20)
	check(t, fs, acked)
	for i, f := range fs {
		// Followers 0 and 2 started on node a (see follow).
		if i%2 == 0 && strings.Contains(f.Report(acked), " 0 resumes") {
			t.Errorf("%s, which was on node a, did not resume on node b", f.Name)
		}
	}
}

// TestPostgresRestartedMidRoom: PostgreSQL of the test's own is stopped
// (immediate shutdown) and started again mid-room. Commands during the
// outage get typed errors and are retried by cid; every acknowledged
// message reaches every follower once.
func TestPostgresRestartedMidRoom(t *testing.T) {
	pg := storetest.StartPostgres(t)
	rs := storetest.StartRedis(t)
	c := newFaultCluster(t, pg.URL(), rs.URL(), 4)
	a := startNode(t, "a", c.dbURL, c.redisURL)
	b := startNode(t, "b", c.dbURL, c.redisURL)

	ctx, stop := context.WithTimeout(context.Background(), 90*time.Second)
	defer stop()
	fs, wait := c.follow(ctx, a.URL, b.URL)
	defer wait()
	defer stop()
	snd := &livetest.Sender{Token: c.host, URLs: []string{a.URL, b.URL}}
	defer snd.Close()
	var acked []string
	send := func(n int) {
		for range n {
			text := fmt.Sprintf("m%03d", len(acked))
			if err := snd.Chat(ctx, c.session, "cid-"+text, text); err != nil {
				t.Fatalf("sending %s: %v", text, err)
			}
			acked = append(acked, text)
		}
	}
	send(15)
	pg.Kill()
	down := make(chan struct{})
	go func() { defer close(down); send(5) }() // refused until PostgreSQL is back, then acknowledged
	select {
	case <-down:
		t.Fatal("messages were acknowledged while the database was down")
	case <-time.After(time.Second): // the outage lasts a second
	}
	pg.Start()
	<-down
	send(15)
	check(t, fs, acked)
}

// TestNodeKilledMidCall: the node hosting a room's audio is killed with
// SIGKILL while the host talks and a guest on the other node listens. The
// guest's node tells the guest to join again within seconds (the dead
// node's claim would have held for 15 s more), and once the host has
// reconnected too, the surviving node hosts the audio and the guest hears
// the host again.
func TestNodeKilledMidCall(t *testing.T) {
	rs := storetest.StartRedis(t)
	c := newFaultCluster(t, faultDatabase(t), rs.URL(), 1)
	a := startNode(t, "a", c.dbURL, c.redisURL)
	b := startNode(t, "b", c.dbURL, c.redisURL)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	host := newVoicePeer(t, ctx, a.URL, c.session, &apiclient.Client{Token: c.host}, sfutest.Options{ID: "host", Mic: true})
	select {
	case <-host.Up():
	case <-ctx.Done():
		t.Fatal("the host's audio did not connect")
	}
	rejoin := make(chan struct{}, 1)
	guest := newVoicePeer(t, ctx, b.URL, c.session, &apiclient.Client{Token: c.followers[0]}, sfutest.Options{ID: "guest"}, func(m *liveclient.Message) {
		if m.Type == live.MsgRTC {
			select {
			case rejoin <- struct{}{}:
			default:
			}
		}
	})
	hears(t, guest, host)

	a.Kill()
	select {
	case <-rejoin:
	case <-ctx.Done():
		t.Fatal("the guest was not told to join again")
	}
	// The guest's page joins again; the host's reconnects to node b.
	guest.Close()
	guest = newVoicePeer(t, ctx, b.URL, c.session, &apiclient.Client{Token: c.followers[0]}, sfutest.Options{ID: "guest"})
	host.Close()
	host = newVoicePeer(t, ctx, b.URL, c.session, &apiclient.Client{Token: c.host}, sfutest.Options{ID: "host", Mic: true})
	hears(t, guest, host)
}
