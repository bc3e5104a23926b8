package live

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ask2live/ask2live"
)

const cacheTopic = "cache"

// CacheSyncQueue is how many invalidations may wait to be published before
// the node gives up on them one by one and tells the others to drop
// everything instead.
const CacheSyncQueue = 4096

type cacheMsg struct {
	Node string                `json:"n"`
	Inv  ask2live.Invalidation `json:"i"`
}

// SyncCache passes read-cache invalidations between the nodes that share
// bus: every invalidation this node makes is published, and every other
// node's is applied here. Publishing happens on its own goroutine, so a
// write never waits for the bus; if invalidations cannot be published (the
// queue is full or the bus fails), the next message that gets through tells
// every node to drop its whole cache. While the bus is down, other nodes
// serve what they cached for at most the cache's MaxAge.
//
// With the in-memory bus (one node) nothing needs to travel, but running it
// is harmless. stop ends the subscription and the publisher.
func SyncCache(bus Bus, cache *ask2live.ReadCache, log *slog.Logger) (stop func()) {
	if cache == nil {
		return func() {}
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	node := hex.EncodeToString(b)

	queue := make(chan ask2live.Invalidation, CacheSyncQueue)
	var lost atomic.Bool
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		publish := func(inv ask2live.Invalidation) bool {
			msg, _ := json.Marshal(cacheMsg{Node: node, Inv: inv})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := bus.Publish(ctx, cacheTopic, msg); err != nil {
				// Logged once per outage, not once per write.
				if !lost.Load() {
					log.Warn("publishing a cache invalidation; other nodes will drop their caches when the bus is back", slog.Any("err", err))
				}
				return false
			}
			return true
		}
		for {
			select {
			case <-done:
				return
			case inv := <-queue:
				if lost.Load() {
					if !publish(ask2live.Invalidation{All: true}) {
						continue
					}
					lost.Store(false)
				}
				if !publish(inv) {
					lost.Store(true)
				}
			}
		}
	}()
	cache.SetPublisher(func(inv ask2live.Invalidation) {
		select {
		case queue <- inv:
		default:
			lost.Store(true)
		}
	})
	// A new epoch may have lost other nodes' invalidations.
	bus.OnReset(func() { cache.Apply(ask2live.Invalidation{All: true}) })
	cancel, _ := bus.Subscribe(cacheTopic, false, func(_ uint64, msg []byte) {
		var m cacheMsg
		if err := json.Unmarshal(msg, &m); err != nil {
			cache.Apply(ask2live.Invalidation{All: true})
			return
		}
		if m.Node != node {
			cache.Apply(m.Inv)
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			cache.SetPublisher(nil)
			cancel()
			close(done)
			wg.Wait()
		})
	}
}
