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
// Pion's errors stay errors (but see racesClose); everything else it says
// is debug, as Pion's own default logger shows only errors.
type pionLogs struct{ log *slog.Logger }

func (f pionLogs) NewLogger(scope string) logging.LeveledLogger {
	return pionLogger{log: f.log.With(slog.String("pion", scope)), racesClose: racesClose[scope]}
}

// racesClose are the Pion scopes whose failed writes on a closed connection
// are the expected end of a peer connection, not a fault. Pion closes a
// connection's interceptors after its transports, so the TWCC feedback
// ticker may write its last report to a closed transport; the other
// interceptors report the same race as a warning, TWCC as an error.
var racesClose = map[string]bool{"twcc_sender_interceptor": true}

type pionLogger struct {
	log        *slog.Logger
	racesClose bool
}

func (l pionLogger) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if l.racesClose && (strings.Contains(msg, io.ErrClosedPipe.Error()) || strings.Contains(msg, net.ErrClosed.Error())) {
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
