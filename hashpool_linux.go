package ask2live

import "syscall"

// hashNice is how much lower than the rest of the process a hashing
// thread runs (nice +10: a tenth of the CPU share when both want it).
const hashNice = 10

// lowerThreadPriority raises the calling thread's nice value by hashNice.
// On Linux nice is per thread; a process may always lower its own
// priority. Failure leaves the thread as it was.
func lowerThreadPriority() {
	tid := syscall.Gettid()
	// The raw system call returns 20 - nice.
	raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, tid)
	if err != nil {
		return
	}
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, tid, min(19, 20-raw+hashNice))
}
