package sfu

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestPionLogLevels: Pion's errors are errors, but those that only report a
// closed connection are debug, as are Pion's warnings.
func TestPionLogLevels(t *testing.T) {
	var buf bytes.Buffer
	logs := pionLogs{slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	for _, c := range []struct {
		scope string
		log   func(scope string)
		want  string
	}{
		{"twcc_sender_interceptor", func(s string) { logs.NewLogger(s).Error("io: read/write on closed pipe") }, "level=DEBUG"},
		{"twcc_sender_interceptor", func(s string) { logs.NewLogger(s).Errorf("%v", "something else") }, "level=ERROR"},
		{"turn", func(s string) {
			logs.NewLogger(s).Errorf("Failed to send ChannelData from allocation %v", "write udp: use of closed network connection")
		}, "level=DEBUG"},
		{"ice", func(s string) { logs.NewLogger(s).Errorf("Failed to handle %v", "a packet") }, "level=ERROR"},
		{"ice", func(s string) { logs.NewLogger(s).Warnf("a %s", "warning") }, "level=DEBUG"},
	} {
		buf.Reset()
		c.log(c.scope)
		if got := buf.String(); !strings.Contains(got, c.want) || !strings.Contains(got, "pion="+c.scope) {
			t.Errorf("logged %q, want %s with pion=%s", got, c.want, c.scope)
		}
	}
}
