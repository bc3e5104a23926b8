//go:build !linux

package ask2live

// lowerThreadPriority does nothing where threads have no priority of
// their own.
func lowerThreadPriority() {}
