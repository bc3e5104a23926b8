package app

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// notLimits are the flags that bound nothing an attacker could use up:
// where things are, how they are logged, which ports media uses.
var notLimits = map[string]bool{
	"addr": true, "database-url": true, "redis-url": true, "redis-prefix": true, "data-dir": true,
	"log-level": true, "log-format": true, "pprof-addr": true, "metrics-addr": true, "sqlite-checkpoint-interval": true,
	"rtc-udp-port": true, "rtc-tcp-port": true, "rtc-listen-ip": true, "rtc-public-ips": true,
	"rtc-ice-servers": true, "turn-port": true, "turn-host": true,
}

// TestSecurityDocListsEveryLimit keeps docs/SECURITY.md true: every flag
// is in its table of limits, or named above as not a limit.
func TestSecurityDocListsEveryLimit(t *testing.T) {
	doc, err := os.ReadFile("../docs/SECURITY.md")
	if err != nil {
		t.Fatal(err)
	}
	var help bytes.Buffer
	ParseConfig([]string{"--help"}, env(nil), &help)
	flags := regexp.MustCompile(`(?m)^  -([a-z0-9-]+)  \[`).FindAllStringSubmatch(help.String(), -1)
	if len(flags) < 30 {
		t.Fatalf("found only %d flags in --help", len(flags))
	}
	for _, f := range flags {
		if !notLimits[f[1]] && !strings.Contains(string(doc), "`-"+f[1]+"`") {
			t.Errorf("docs/SECURITY.md does not list -%s (or add it to notLimits if it bounds nothing)", f[1])
		}
	}
}
