//go:build !unix

package live

// useRawWrites does nothing here: every frame goes through the writer.
func (s *wsConn) useRawWrites() {}
