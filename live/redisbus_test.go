package live_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/store/storetest"
)

// redisBus is a Redis bus with keys of its own, closed when the test ends,
// and the URL of its Redis.
func redisBus(t *testing.T) (*live.RedisBus, string) {
	t.Helper()
	redis, prefix := storetest.Redis(t)
	bus, err := live.NewRedisBus(context.Background(), redis, prefix, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bus.Close() })
	return bus, redis
}

// TestSubscribeRightAfterANewEpoch: a room that subscribes just after the
// bus started a new epoch (its reader still waiting on the old stream) is
// told where it starts in the new epoch's numbering, so it takes every
// event of the new stream; told the old stream's position, it dropped the
// new stream's first events as already seen.
func TestSubscribeRightAfterANewEpoch(t *testing.T) {
	ctx := context.Background()
	bus, _ := redisBus(t)
	const topic = "room:epoch-test"

	old := make(chan uint64, 16)
	cancelOld, _ := bus.Subscribe(topic, true, func(seq uint64, _ []byte) { old <- seq })
	defer cancelOld()
	for range 5 {
		if _, err := bus.Publish(ctx, topic, []byte("old epoch")); err != nil {
			t.Fatal(err)
		}
	}
	for want := uint64(1); want <= 5; want++ {
		select {
		case got := <-old:
			if got != want {
				t.Fatalf("old subscriber got %d, want %d", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("old subscriber did not get event %d", want)
		}
	}

	bus.Renew()
	type event struct {
		seq uint64
		msg string
	}
	got := make(chan event, 16)
	cancel, after := bus.Subscribe(topic, true, func(seq uint64, msg []byte) { got <- event{seq, string(msg)} })
	defer cancel()
	first, err := bus.Publish(ctx, topic, []byte("new epoch"))
	if err != nil {
		t.Fatal(err)
	}
	if first != 1 {
		t.Fatalf("the new epoch's first event is %d, want 1", first)
	}
	if after >= first {
		t.Fatalf("the subscriber starts after %d, so it would drop the new epoch's event %d", after, first)
	}
	// The first thing it gets is the new epoch's event, not a replay of
	// the old stream (whose numbers would hide the new ones).
	select {
	case ev := <-got:
		if ev.seq != first || ev.msg != "new epoch" {
			t.Fatalf("got %d %q, want %d %q", ev.seq, ev.msg, first, "new epoch")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the new subscriber did not get the new epoch's first event")
	}
}

// TestRefusedWriteStartsANewEpochAtOnce: when Redis lost the epoch (it
// restarted empty), the first write refused for its epoch starts the next
// epoch there and then, and tells the rooms to reload; it used to take the
// watcher's next round, a second in which every write was refused and lost.
func TestRefusedWriteStartsANewEpochAtOnce(t *testing.T) {
	ctx := context.Background()
	bus, redis := redisBus(t)
	reset := make(chan struct{}, 1)
	bus.OnReset(func() { reset <- struct{}{} })
	opt, err := goredis.ParseURL(redis)
	if err != nil {
		t.Fatal(err)
	}
	raw := goredis.NewClient(opt)
	defer raw.Close()

	old := bus.Epoch()
	if err := raw.Del(ctx, bus.EpochKey()).Err(); err != nil { // as after an empty restart
		t.Fatal(err)
	}
	if _, err := bus.Publish(ctx, "room:refused", []byte("lost")); err == nil {
		t.Fatal("a write under a lost epoch was accepted")
	}
	if now := bus.Epoch(); now == old {
		t.Fatalf("the bus still follows epoch %s after a write was refused for it", old)
	}
	select {
	case <-reset:
	case <-time.After(10 * time.Second):
		t.Fatal("the rooms were not told to reload")
	}
	if _, err := bus.Publish(ctx, "room:refused", []byte("kept")); err != nil {
		t.Fatalf("a write in the new epoch: %v", err)
	}
}
