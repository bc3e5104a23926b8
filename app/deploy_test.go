package app

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSystemdUnit checks deploy/ask2live.service with systemd's own tools:
// `systemd-analyze verify` accepts it, and `systemd-analyze security`
// rates its sandbox's exposure at most 2.0 (of 10; "OK").
func TestSystemdUnit(t *testing.T) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("systemd-analyze is not installed: CI must check the unit (apt-get install -y systemd)")
		}
		t.Skip("systemd-analyze is not installed")
	}
	b, err := os.ReadFile("../deploy/ask2live.service")
	if err != nil {
		t.Fatal(err)
	}
	// verify checks that ExecStart's program exists: point it at one that
	// does (this test's binary) in a copy of the unit.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := strings.ReplaceAll(string(b), "/usr/local/bin/ask2live", self)
	if unit == string(b) {
		t.Fatal("the unit no longer starts /usr/local/bin/ask2live; update this test")
	}
	path := filepath.Join(t.TempDir(), "ask2live.service")
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "verify", path).CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	out, err := exec.Command(tool, "security", "--offline=true", "--no-pager", path).CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`Overall exposure level for ask2live.service: ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	if level, _ := strconv.ParseFloat(string(m[1]), 64); level > 2.0 {
		t.Fatalf("the unit's exposure is %.1f, more than 2.0:\n%s", level, out)
	}
}
