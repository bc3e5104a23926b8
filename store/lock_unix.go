//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// LockSQLite takes the lock that says a process is using the SQLite
// database at path: an advisory lock on path+".lock", held until unlock is
// called or the process ends (the kernel drops it, so a crash leaves no
// stale lock). Servers share it (several may use one file on one
// machine); a restore needs it alone, so it fails at once while any
// server runs instead of replacing the file under it.
func LockSQLite(path string, exclusive bool) (unlock func(), err error) {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("locking the database: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("an ask2live process is using %s (it holds %s.lock); stop it first", path, path)
		}
		return nil, fmt.Errorf("locking the database: %w", err)
	}
	return func() { f.Close() }, nil
}
