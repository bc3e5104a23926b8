package ask2live

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// threadNice reads the calling thread's nice value from /proc.
func threadNice(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/thread-self/stat")
	if err != nil {
		t.Skip("no /proc/thread-self here")
	}
	// The fields after the command's closing parenthesis; nice is field 19.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	n, _ := strconv.Atoi(f[16])
	return n
}

// TestHashingRunsAtLowerPriority: hashes run on threads whose nice value
// is raised by hashNice (Linux), at most size at once, and a caller that
// gives up waiting gets "busy".
func TestHashingRunsAtLowerPriority(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("thread priorities are Linux's")
	}
	runtime.LockOSThread()
	base := threadNice(t)
	runtime.UnlockOSThread()
	p := newHashPool(2)
	var mu sync.Mutex
	nices := map[int]bool{}
	running, most := 0, 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := p.run(context.Background(), func() {
				mu.Lock()
				nices[threadNice(t)] = true
				running++
				most = max(most, running)
				mu.Unlock()
				time.Sleep(5 * time.Millisecond) // a hash's worth of holding the slot
				mu.Lock()
				running--
				mu.Unlock()
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	want := min(19, base+hashNice)
	if len(nices) != 1 || !nices[want] {
		t.Errorf("hashes ran at nice %v, want only %d", nices, want)
	}
	if most > 2 {
		t.Errorf("%d hashes at once, want at most 2", most)
	}
	// The caller's own thread is untouched.
	runtime.LockOSThread()
	if n := threadNice(t); n != base {
		t.Errorf("the caller's thread is at nice %d, was %d", n, base)
	}
	runtime.UnlockOSThread()

	// A full pool makes a caller with a deadline give up with "busy".
	hold, started := make(chan struct{}), make(chan struct{}, 2)
	for range 2 {
		go p.run(context.Background(), func() { started <- struct{}{}; <-hold })
	}
	<-started
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := p.run(ctx, func() {}); ErrorCode(err) != EUnavailable {
		t.Errorf("with every worker busy: %v, want unavailable", err)
	}
	close(hold)
}
