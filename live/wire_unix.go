//go:build unix

package live

import "syscall"

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
			n, err := syscall.Write(int(fd), s.wb)
			switch {
			case err == syscall.EINTR:
				continue
			case err == syscall.EAGAIN:
				n, err = 0, nil
			case n < 0:
				n = 0
			}
			s.wn, s.werr = n, err
			return true // never wait here: a full socket is the writer's to wait for
		}
	}
}
