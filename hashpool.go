package ask2live

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// hashPool runs password hashes on threads of their own, at a lower
// scheduling priority than the rest of the process: a flood of log-ins
// takes the CPU the live rooms leave, instead of taking turns with them.
// At most size hashes run at once (each holds 19 MiB); more wait their
// turn. A worker locks its goroutine to a fresh OS thread and lowers that
// thread's priority for good; after a second without work it returns and
// the runtime ends the thread, so an idle server keeps none.
type hashPool struct {
	jobs chan hashJob
	size int

	mu      sync.Mutex
	workers int // running, at most size
	waiting int // callers about to hand over a job: no worker may leave
}

type hashJob struct {
	fn   func()
	done chan struct{}
}

const hashWorkerIdle = time.Second

func newHashPool(size int) *hashPool {
	return &hashPool{jobs: make(chan hashJob), size: max(1, size)}
}

// run runs fn on a hashing thread, waiting for one while ctx allows.
func (p *hashPool) run(ctx context.Context, fn func()) error {
	j := hashJob{fn: fn, done: make(chan struct{})}
	select {
	case p.jobs <- j: // an idle worker took it
	default:
		p.mu.Lock()
		if p.workers < p.size {
			p.workers++
			go p.work()
		}
		p.waiting++
		p.mu.Unlock()
		var err error
		select {
		case p.jobs <- j:
		case <-ctx.Done():
			err = Wrap(EUnavailable, ctx.Err(), "the server is busy; try again")
		}
		p.mu.Lock()
		p.waiting--
		p.mu.Unlock()
		if err != nil {
			return err
		}
	}
	<-j.done
	return nil
}

func (p *hashPool) work() {
	// Never unlocked: the thread ends with the goroutine, taking its
	// lowered priority with it.
	runtime.LockOSThread()
	lowerThreadPriority()
	idle := time.NewTimer(hashWorkerIdle)
	defer idle.Stop()
	for {
		select {
		case j := <-p.jobs:
			j.fn()
			close(j.done)
			idle.Reset(hashWorkerIdle)
		case <-idle.C:
			p.mu.Lock()
			if p.waiting > 0 { // someone counts on this worker
				p.mu.Unlock()
				idle.Reset(hashWorkerIdle)
				continue
			}
			p.workers--
			p.mu.Unlock()
			return
		}
	}
}
