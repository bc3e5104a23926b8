package mediaroute_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	goredis "github.com/redis/go-redis/v9"

	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/mediaroute"
	"github.com/ask2live/ask2live/sfu"
	"github.com/ask2live/ask2live/sfu/sfutest"
	"github.com/ask2live/ask2live/store/storetest"
)

// cluster is what a test's nodes share: the test Redis and a key prefix
// of the test's own, emptied when the test ends.
type cluster struct{ url, prefix string }

func newCluster(t *testing.T) cluster {
	url, prefix := storetest.Redis(t)
	return cluster{url, prefix}
}

// node is one server of a cluster: its own audio server and router.
type node struct {
	name   string
	sfu    *sfu.Server
	router *mediaroute.Router
	mu     sync.Mutex
	heard  []string // speaking indicators delivered to this node's rooms
}

func newNode(t *testing.T, name string, c cluster) *node {
	t.Helper()
	opts, err := goredis.ParseURL(c.url)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	n := &node{name: name}
	var router *mediaroute.Router
	s, err := sfu.New(sfu.Config{ListenIP: "127.0.0.1"}, log, func(room, peer string, on bool) { router.Speaking(room, peer, on) })
	if err != nil {
		t.Fatal(err)
	}
	router, err = mediaroute.New(context.Background(), mediaroute.Config{Prefix: c.prefix, Lease: 3 * time.Second}, name,
		mediaroute.Local(s), goredis.NewClient(opts), func(room, peer string, on bool) {
			n.mu.Lock()
			n.heard = append(n.heard, fmt.Sprintf("%s/%s:%v", room, peer, on))
			n.mu.Unlock()
		}, log)
	if err != nil {
		t.Fatal(err)
	}
	n.sfu, n.router = s, router
	t.Cleanup(func() { n.close() })
	return n
}

func (n *node) close() {
	n.router.Close()
	n.sfu.Close()
}

func (n *node) speaking() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.heard...)
}

// participant is a Pion client whose signalling goes through a node's
// router as JSON, as the live socket carries it.
type participant struct {
	*sfutest.Client
	mp     live.MediaPeer
	got    chan string // "from:payload"
	failed chan error  // signalling errors reported later, by the hosting node
	next   int
}

func connect(t *testing.T, n *node, room, id string, mic bool) *participant {
	t.Helper()
	p := &participant{got: make(chan string, 4096), failed: make(chan error, 8)}
	ready := make(chan struct{})
	var err error
	p.Client, err = sfutest.New(sfutest.Options{ID: id, Mic: mic, OnPacket: func(from string, pkt *rtp.Packet) {
		select {
		case p.got <- from + ":" + string(pkt.Payload):
		default:
		}
	}}, func(sig sfu.Signal) error {
		<-ready
		b, err := json.Marshal(sig)
		if err != nil {
			return err
		}
		return p.mp.Signal(b)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	p.mp, err = n.router.Join(room, id, func(raw json.RawMessage) {
		var sig sfu.Signal
		if json.Unmarshal(raw, &sig) == nil {
			p.Handle(sig)
		}
	}, func(err error) { p.failed <- err })
	close(ready)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Up():
	case <-time.After(15 * time.Second):
		t.Fatalf("%s did not connect through %s (signalling error: %v)", id, n.name, p.Err())
	}
	return p
}

func (p *participant) talk(level uint8) {
	p.next++
	_ = p.Send(p.next, []byte(fmt.Sprintf("%s#%d", p.ID, p.next)), level)
}

// hears waits until l receives from speaker, who keeps talking.
func hears(t *testing.T, l, speaker *participant) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case h := <-l.got:
			if strings.HasPrefix(h, speaker.ID+":") {
				return
			}
		case <-tick.C:
			speaker.talk(20)
		case <-deadline:
			t.Fatalf("%s never heard %s", l.ID, speaker.ID)
		}
	}
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTwoNodesOneHost: a room's audio lives on the node that first needed
// it; participants connected to the other node are relayed there, hear and
// are heard, get grants made on their own node, and speaking indicators
// reach both nodes.
func TestTwoNodesOneHost(t *testing.T) {
	c := newCluster(t)
	a, b := newNode(t, "node-a", c), newNode(t, "node-b", c)
	ctx := context.Background()

	// The host is on node B, which therefore hosts the room.
	b.router.SetOnAir("r", "host", true)
	host := connect(t, b, "r", "host", true)
	for _, n := range []*node{a, b} {
		if h, err := n.router.Host(ctx, "r", false); err != nil || h != "node-b" {
			t.Fatalf("%s says the room is hosted by %q (%v), want node-b", n.name, h, err)
		}
	}

	// A guest and a listener on node A: their audio is on node B.
	guest := connect(t, a, "r", "guest", true)
	listener := connect(t, a, "r", "listener", false)
	if got := b.sfu.PeerCount("r"); got != 3 {
		t.Fatalf("node B hosts %d peers, want 3", got)
	}
	if got := a.sfu.PeerCount("r"); got != 0 {
		t.Fatalf("node A hosts %d peers of a room it does not host", got)
	}
	hears(t, guest, host)
	hears(t, listener, host)

	// The grant is made on node A (where the host's command might land).
	a.router.SetOnAir("r", "guest", true)
	hears(t, host, guest)
	hears(t, listener, guest)

	// Speaking, detected on node B, reaches the rooms on both nodes.
	for _, n := range []*node{a, b} {
		eventually(t, n.name+" hears the host speaking", func() bool {
			host.talk(20) // loud, for longer than the attack
			for _, e := range n.speaking() {
				if e == "r/host:true" {
					return true
				}
			}
			return false
		})
	}

	// A relayed participant's bad signal is refused on its own node.
	if err := guest.mp.Signal(json.RawMessage(`{"type":"offer","sdp":"v=0"}`)); err == nil {
		t.Fatal("a client offer was accepted")
	}

	// A well-formed answer the hosting node cannot take comes back as an
	// error for that connection, on the participant's own node.
	if err := guest.mp.Signal(json.RawMessage(`{"type":"answer","sdp":"v=0 not a description"}`)); err != nil {
		t.Fatalf("the shape check refused a well-formed answer: %v", err)
	}
	select {
	case err := <-guest.failed:
		if err == nil || err.Error() == "" {
			t.Fatal("an empty error came back")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the hosting node's refusal never reached the participant's node")
	}

	// The listener's socket on node A closes: its peer on node B goes.
	listener.mp.Leave()
	eventually(t, "the listener's peer is closed on node B", func() bool { return b.sfu.PeerCount("r") == 2 })

	// The session ends: every node closes the room; the claim is released.
	a.router.CloseRoom("r")
	b.router.CloseRoom("r")
	if h, err := a.router.Host(ctx, "r", false); err != nil || h != "" {
		t.Fatalf("after the end the room is hosted by %q (%v)", h, err)
	}
	if got := b.sfu.PeerCount("r"); got != 0 {
		t.Fatalf("%d peers left on node B after the end", got)
	}
}

// TestHostNodeGoes: when the hosting node stops, its claim goes with it and
// the next join on another node hosts the room there.
func TestHostNodeGoes(t *testing.T) {
	c := newCluster(t)
	a, b := newNode(t, "node-a", c), newNode(t, "node-b", c)
	b.router.SetOnAir("r", "host", true)
	connect(t, b, "r", "host", true)
	b.close()

	a.router.SetOnAir("r", "host", true)
	host := connect(t, a, "r", "host", true)
	listener := connect(t, a, "r", "listener", false)
	if h, _ := a.router.Host(context.Background(), "r", false); h != "node-a" {
		t.Fatalf("the room is hosted by %q after node B stopped, want node-a", h)
	}
	hears(t, listener, host)
}

// TestReconnectKeepsTheNewConnection: a participant on the other node
// reconnects; when the old socket's clean-up arrives at the hosting node,
// the new connection keeps its audio.
func TestReconnectKeepsTheNewConnection(t *testing.T) {
	c := newCluster(t)
	a, b := newNode(t, "node-a", c), newNode(t, "node-b", c)
	b.router.SetOnAir("r", "host", true)
	host := connect(t, b, "r", "host", true)
	old := connect(t, a, "r", "guest", false)
	fresh := connect(t, a, "r", "guest", false)
	old.mp.Leave()
	old.Close()
	// The leave is relayed in order before this grant: once the grant has
	// been applied, the leave has been too.
	a.router.SetOnAir("r", "other", false)
	hears(t, fresh, host)
	if got := b.sfu.PeerCount("r"); got != 2 {
		t.Fatalf("node B has %d peers, want the host and the guest's new connection", got)
	}
}
