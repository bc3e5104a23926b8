package sfu

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/pion/logging"
)

// pionLogs routes Pion's logs (ICE, DTLS, SRTP, the interceptors, TURN)
// through the program's slog logger, with the Pion scope as an attribute.
// Pion's errors stay errors, but for those that only report a closed
// connection (see closedConn); everything else it says is debug, as Pion's
// own default logger shows only errors.
type pionLogs struct{ log *slog.Logger }

func (f pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{f.log.With(slog.String("pion", scope))}
}

type pionLogger struct{ log *slog.Logger }

// closedConn tells whether a Pion error only reports a read or write on a
// closed connection. Pion's goroutines run into that whenever a connection
// closes under them, and say so as an error: the ICE mux hands a packet to
// a peer connection that has just closed, a TURN allocation relays a packet
// to a client that has just left, the TWCC ticker writes its last report
// after the transport closed (Pion closes a connection's interceptors
// last). Nothing is wrong then. (Closing the media ports in the wrong order
// did produce such errors; closePorts closes them through their muxes.)
func closedConn(msg string) bool {
	return strings.Contains(msg, io.ErrClosedPipe.Error()) || strings.Contains(msg, net.ErrClosed.Error())
}

func (l pionLogger) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if closedConn(msg) {
		l.log.Debug(msg)
		return
	}
	l.log.Error(msg)
}

func (l pionLogger) logf(level slog.Level, format string, args ...any) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, args...))
	}
}

func (l pionLogger) Trace(msg string)                  { l.log.Debug(msg) }
func (l pionLogger) Tracef(format string, args ...any) { l.logf(slog.LevelDebug, format, args...) }
func (l pionLogger) Debug(msg string)                  { l.log.Debug(msg) }
func (l pionLogger) Debugf(format string, args ...any) { l.logf(slog.LevelDebug, format, args...) }
func (l pionLogger) Info(msg string)                   { l.log.Debug(msg) }
func (l pionLogger) Infof(format string, args ...any)  { l.logf(slog.LevelDebug, format, args...) }
func (l pionLogger) Warn(msg string)                   { l.log.Debug(msg) }
func (l pionLogger) Warnf(format string, args ...any)  { l.logf(slog.LevelDebug, format, args...) }
func (l pionLogger) Error(msg string)                  { l.errorf("%s", msg) }
func (l pionLogger) Errorf(format string, args ...any) { l.errorf(format, args...) }
