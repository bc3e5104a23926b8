package app

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/store/storetest"
)

// cluster returns the flags that join nodes into one cluster over the test
// Redis, under a fresh key prefix cleaned up when the test ends.
func cluster(t *testing.T) []string {
	t.Helper()
	url, prefix := storetest.Redis(t)
	return []string{"-redis-url", url, "-redis-prefix", prefix}
}

// TestLimitsAcrossNodes: with two nodes over one Redis, the log-in budget
// of an address and the chat budget of a user are spent once, not once per
// node.
func TestLimitsAcrossNodes(t *testing.T) {
	flags := append(cluster(t), "-login-rate", "4", "-chat-rate", "2")
	dbURL := "sqlite:" + t.TempDir() + "/shared.db"
	url1, stop1 := boot(t, dbURL, flags...)
	defer stop1()
	url2, stop2 := boot(t, dbURL, flags...)
	defer stop2()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	// Registering (once on each node) counts against the address; then
	// wrong passwords, alternating nodes. The address has four attempts in
	// all.
	host, _, sessionID := liveSession(t, ctx, url1, url2, "두 노드")
	var codes []int
	for i, url := range []string{url2, url1, url2} {
		_, _, err := apiclient.New(url, nil).Login(ctx, "host", fmt.Sprint("guess-", i))
		var p *apiclient.Problem
		if !errors.As(err, &p) {
			t.Fatalf("log-in %d: %v", i, err)
		}
		codes = append(codes, p.Status)
	}
	if fmt.Sprint(codes) != "[401 401 429]" {
		t.Fatalf("log-in statuses across two nodes: %v, want [401 401 429] (one budget of 4 for the address)", codes)
	}

	var socks []*liveclient.Client
	for _, url := range []string{url1, url2} {
		c, err := liveclient.Dial(ctx, url, sessionID, host.Token, liveclient.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Drop()
		socks = append(socks, c)
	}
	for i, c := range []*liveclient.Client{socks[0], socks[1]} {
		if _, err := c.Do(ctx, live.Command{Type: live.CmdChat, Text: fmt.Sprint("안녕 ", i)}); err != nil {
			t.Fatalf("chat %d: %v", i, err)
		}
	}
	_, err := socks[1].Do(ctx, live.Command{Type: live.CmdChat, Text: "한 번 더"})
	var ce *liveclient.CommandError
	if !errors.As(err, &ce) || ce.Code != ask2live.ERateLimited {
		t.Fatalf("third chat line across two nodes: %v, want rate_limited (one budget of 2)", err)
	}
}
