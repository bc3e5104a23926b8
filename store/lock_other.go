//go:build !unix

package store

// LockSQLite does nothing where advisory file locks are not available.
func LockSQLite(path string, exclusive bool) (unlock func(), err error) { return func() {}, nil }
