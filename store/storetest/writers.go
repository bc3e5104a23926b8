package storetest

import (
	"sync"
	"testing"
	"time"
)

// Writers keeps goroutines writing to a database, for tests of what must
// hold while it is being written to (a backup, a copy).
type Writers struct {
	t      testing.TB
	stop   chan struct{}
	failed chan struct{}
	wg     sync.WaitGroup

	stopOnce, failOnce sync.Once

	mu      sync.Mutex
	done    int
	waiters []writersWaiter
}

type writersWaiter struct {
	n  int
	ch chan struct{}
}

// StartWriters starts n goroutines; goroutine w calls write(w, i) for
// i = 0, 1, … until Stop. A failed write fails the test and stops every
// writer. However the test ends, the writers stop before its cleanups
// that ran earlier (closing the database) do.
func StartWriters(t testing.TB, n int, write func(w, i int) error) *Writers {
	ws := &Writers{t: t, stop: make(chan struct{}), failed: make(chan struct{})}
	t.Cleanup(func() { ws.Stop() })
	for w := range n {
		ws.wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-ws.stop:
					return
				case <-ws.failed:
					return
				default:
				}
				if err := write(w, i); err != nil {
					t.Errorf("writer %d, write %d: %v", w, i, err)
					ws.failOnce.Do(func() { close(ws.failed) })
					return
				}
				ws.wrote()
			}
		})
	}
	return ws
}

func (ws *Writers) wrote() {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	ws.done++
	kept := ws.waiters[:0]
	for _, w := range ws.waiters {
		if ws.done >= w.n {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	ws.waiters = kept
}

// Count is how many writes have succeeded so far.
func (ws *Writers) Count() int {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.done
}

// Wait returns once n writes in all have succeeded. It fails the test if a
// writer fails first or the writes take longer than 30 seconds.
func (ws *Writers) Wait(n int) {
	ws.t.Helper()
	ws.mu.Lock()
	if ws.done >= n {
		ws.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	ws.waiters = append(ws.waiters, writersWaiter{n, ch})
	ws.mu.Unlock()
	select {
	case <-ch:
	case <-ws.failed:
		ws.t.Fatalf("a writer failed after %d writes, waiting for %d", ws.Count(), n)
	case <-time.After(30 * time.Second):
		ws.t.Fatalf("the writers made %d writes in 30 s, waiting for %d", ws.Count(), n)
	}
}

// Stop stops the writers, waits for them, and returns how many writes
// succeeded.
func (ws *Writers) Stop() int {
	ws.stopOnce.Do(func() { close(ws.stop) })
	ws.wg.Wait()
	return ws.Count()
}
