package mediaroute_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/ask2live/ask2live/mediaroute"
	"github.com/ask2live/ask2live/sfu"
)

// TestHostNodeDiesParticipantsRejoin: the node hosting a room's audio dies
// (its Redis connection and media ports go away without a goodbye). The
// other node tells its participants there to join again within the
// liveness window, and their joins are hosted anew by the surviving node,
// where they hear each other.
func TestHostNodeDiesParticipantsRejoin(t *testing.T) {
	c := newCluster(t)
	b := newNode(t, "node-b", c)

	// Node a, built by hand so that it can die: its Redis client is closed
	// instead of the router, so its claims and liveness are not given up.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := sfu.New(sfu.Config{ListenIP: "127.0.0.1"}, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := goredis.ParseURL(c.url)
	if err != nil {
		t.Fatal(err)
	}
	rdbA := goredis.NewClient(opts)
	a, err := mediaroute.New(context.Background(), mediaroute.Config{Prefix: c.prefix, Lease: 30 * time.Second, Alive: 600 * time.Millisecond},
		"node-a", mediaroute.Local(s), rdbA, func(string, string, bool) {}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() }) // after its death: stops what is left of it
	a.SetOnAir("r", "host", true)
	aNode := &node{name: "node-a", sfu: s, router: a}
	connect(t, aNode, "r", "host", true)

	// A listener relayed through node b to node a.
	told := make(chan struct{}, 1)
	if _, err := b.router.Join("r", "listener", func(raw json.RawMessage) {
		var sig sfu.Signal
		if json.Unmarshal(raw, &sig) == nil && sig.Type == "rejoin" {
			told <- struct{}{}
		}
	}, nil); err != nil {
		t.Fatal(err)
	}
	if h, _ := b.router.Host(context.Background(), "r", false); h != "node-a" {
		t.Fatalf("room hosted by %q, want node-a", h)
	}

	rdbA.Close() // node a dies
	s.Close()
	select {
	case <-told:
	case <-time.After(15 * time.Second):
		t.Fatal("the listener on node b was not told to join again")
	}
	b.router.SetOnAir("r", "host", true)
	host := connect(t, b, "r", "host", true)
	listener := connect(t, b, "r", "listener", false)
	if h, _ := b.router.Host(context.Background(), "r", false); h != "node-b" {
		t.Fatalf("room hosted by %q after node a died, want node-b (its claim had 30 s left)", h)
	}
	hears(t, listener, host)
}
