//go:build unix

package live

import (
	"syscall"
	"unsafe"
)

// useRawWrites lets tryWrite write to the socket's descriptor directly.
func (s *wsConn) useRawWrites() {
	sc, ok := s.nc.(syscall.Conn)
	if !ok {
		return
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return
	}
	s.raw = raw
	s.rawWrite = func(fd uintptr) bool {
		for {
			// A raw system call: the socket never blocks, so the runtime
			// need not be told (entersyscall), and its monitor does not
			// hand the processor to another thread while a room writes to
			// thousands of sockets back to back. On one core that monitor
			// and its thread switches took 9 % of the server's time.
			var p unsafe.Pointer
			if len(s.wb) > 0 {
				p = unsafe.Pointer(&s.wb[0])
			}
			r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(p), uintptr(len(s.wb)))
			n, err := int(r), error(nil)
			switch {
			case e == syscall.EINTR:
				continue
			case e == syscall.EAGAIN:
				n = 0
			case e != 0:
				n, err = 0, e
			}
			s.wn, s.werr = n, err
			return true // never wait here: a full socket is the writer's to wait for
		}
	}
}
