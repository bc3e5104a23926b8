package live_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/live/livetest"
	"github.com/ask2live/ask2live/store/storetest"
)

// TestNoEventLostWhenRedisRestarts: two nodes, followers on both, a sender
// acknowledged message by message; Redis restarted empty, then killed for
// a while (messages are sent meanwhile) and started again. Every
// acknowledged message must reach every follower — by event or by the
// snapshot after a resync — and no follower may see a gap in sequence
// numbers within an epoch.
func TestNoEventLostWhenRedisRestarts(t *testing.T) {
	rs := storetest.StartRedis(t)
	dbURL := "sqlite:" + t.TempDir() + "/shared.db"
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbURL = storetest.URL(t, "postgres")
	}
	history := func(c *live.Config) { c.ChatHistory = 1000; c.ChatRate = 1000 }
	a := node(t, dbURL, rs.URL(), "a2l-fault:", history)
	b := node(t, dbURL, rs.URL(), "a2l-fault:", history)
	nodes := []*env{a, b}
	host := a.user("host")
	s := a.liveSession(host)

	ctx, stop := context.WithTimeout(context.Background(), 90*time.Second)
	defer stop()
	var followers []*livetest.Follower
	var wg sync.WaitGroup
	for i := range 4 {
		f := &livetest.Follower{Name: fmt.Sprintf("follower%d", i), Token: a.user(fmt.Sprintf("follower%d", i)).token,
			URLs: []string{nodes[i%2].url, nodes[(i+1)%2].url}}
		followers = append(followers, f)
		wg.Add(1)
		go func() { defer wg.Done(); f.Run(ctx, s.ID) }()
	}
	defer wg.Wait()
	defer stop()

	snd := &livetest.Sender{Token: host.token, URLs: []string{a.url, b.url}}
	defer snd.Close()
	var acked []string
	send := func(n int) {
		for range n {
			text := fmt.Sprintf("m%03d", len(acked))
			if err := snd.Chat(ctx, s.ID, "cid-"+text, text); err != nil {
				t.Fatalf("sending %s: %v", text, err)
			}
			acked = append(acked, text)
		}
	}
	send(15)
	rs.Kill() // restarted empty
	rs.Start()
	send(15)
	rs.Kill() // down for a while, messages sent meanwhile
	down := make(chan struct{})
	go func() { defer close(down); send(5) }()
	select {
	case <-down:
	case <-time.After(time.Second): // the messages are acknowledged from the database; go on either way
	}
	rs.Start()
	<-down
	send(15)

	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	for _, f := range followers {
		f.Await(wait, acked)
	}
	cancel()
	stop()
	wg.Wait()
	for _, f := range followers {
		t.Log(f.Report(acked))
		if err := f.Err(); err != nil {
			t.Error(err)
		}
		if n := f.Missing(acked); n > 0 {
			t.Errorf("%s never learnt of %d acknowledged messages", f.Name, n)
		}
	}
}

// TestNoEventLostWhenRedisGoesBack: Redis comes back with an older state
// (an operator restored a snapshot): the room's counter goes back while the
// epoch key is unchanged. The nodes find the regression, start a new epoch
// and every follower resyncs; nothing acknowledged is lost.
func TestNoEventLostWhenRedisGoesBack(t *testing.T) {
	rs := storetest.StartRedis(t)
	dbURL := "sqlite:" + t.TempDir() + "/shared.db"
	history := func(c *live.Config) { c.ChatHistory = 1000; c.ChatRate = 1000 }
	a := node(t, dbURL, rs.URL(), "a2l-fault:", history)
	b := node(t, dbURL, rs.URL(), "a2l-fault:", history)
	host := a.user("host")
	s := a.liveSession(host)

	ctx, stop := context.WithTimeout(context.Background(), 60*time.Second)
	defer stop()
	var followers []*livetest.Follower
	var wg sync.WaitGroup
	for i := range 2 {
		f := &livetest.Follower{Name: fmt.Sprintf("follower%d", i), Token: a.user(fmt.Sprintf("follower%d", i)).token,
			URLs: []string{[]string{a.url, b.url}[i], []string{a.url, b.url}[1-i]}}
		followers = append(followers, f)
		wg.Add(1)
		go func() { defer wg.Done(); f.Run(ctx, s.ID) }()
	}
	defer wg.Wait()
	defer stop()
	snd := &livetest.Sender{Token: host.token, URLs: []string{a.url, b.url}}
	defer snd.Close()
	var acked []string
	send := func(n int) {
		for range n {
			text := fmt.Sprintf("m%03d", len(acked))
			if err := snd.Chat(ctx, s.ID, "cid-"+text, text); err != nil {
				t.Fatalf("sending %s: %v", text, err)
			}
			acked = append(acked, text)
		}
	}
	send(10)
	// The restore: the room's counter and stream as they were five events
	// ago.
	rdb := goredis.NewClient(&goredis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", rs.Port)})
	defer rdb.Close()
	epoch, err := rdb.Get(ctx, "a2l-fault:epoch").Result()
	if err != nil {
		t.Fatal(err)
	}
	key := "a2l-fault:t:" + epoch + ":room:" + s.ID
	seq, err := rdb.Get(ctx, key+":seq").Uint64()
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.Set(ctx, key+":seq", seq-5, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Del(ctx, key).Err(); err != nil { // the stream as it was: its last entries gone
		t.Fatal(err)
	}
	send(10)

	wait, cancel := context.WithTimeout(ctx, 30*time.Second)
	for _, f := range followers {
		f.Await(wait, acked)
	}
	cancel()
	stop()
	wg.Wait()
	for _, f := range followers {
		t.Log(f.Report(acked))
		if err := f.Err(); err != nil {
			t.Error(err)
		}
		if n := f.Missing(acked); n > 0 {
			t.Errorf("%s never learnt of %d acknowledged messages", f.Name, n)
		}
	}
}
