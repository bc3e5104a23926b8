package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
)

// promtool finds Prometheus's promtool (Debian's prometheus package). CI
// installs it (.ci/run) and must run these checks.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("promtool is not installed: CI must check the alerts and dashboard (apt-get install -y prometheus)")
		}
		t.Skip("promtool is not installed (apt-get install -y prometheus)")
	}
	return p
}

// TestAlertsAndDashboardMatchTheMetrics checks deploy/ with promtool
// against what the server really exports: the /metrics output of a node
// that served a live room passes promtool's lint; the alert rules load
// and their unit tests pass; and every metric the rules and the Grafana
// dashboard query is one the node exports.
func TestAlertsAndDashboardMatchTheMetrics(t *testing.T) {
	tool := promtool(t)
	url, stop := boot(t, "sqlite:"+t.TempDir()+"/a.db")
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	host := signUp(ctx, t, apiclient.New(url, nil), "host", "호스트")
	s, err := host.CreateSession(ctx, ask2live.SessionInput{Title: "지표", OpenNow: true})
	if err != nil {
		t.Fatal(err)
	}
	lc, err := liveclient.Dial(ctx, url, s.ID, host.Token, liveclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Drop()
	if _, err := lc.Do(ctx, live.Command{Type: live.CmdChat, Text: "안녕하세요"}); err != nil {
		t.Fatal(err)
	}

	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lint := exec.Command(tool, "check", "metrics")
	lint.Stdin = strings.NewReader(string(body))
	if out, err := lint.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	exported := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^# TYPE (\S+) (\S+)`).FindAllStringSubmatch(string(body), -1) {
		exported[m[1]] = true
		if m[2] == "histogram" {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				exported[m[1]+suffix] = true
			}
		}
	}
	for _, name := range []string{"ask2live_live_deliveries_total", "ask2live_live_rooms", "ask2live_media_packets_forwarded_total", "ask2live_database_up"} {
		if !exported[name] {
			t.Errorf("the node does not export %s", name)
		}
	}

	dir := "../deploy/prometheus"
	for _, args := range [][]string{{"check", "rules", "alerts.yml"}, {"test", "rules", "alerts_test.yml"}} {
		cmd := exec.Command(tool, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	rules, err := os.ReadFile(filepath.Join(dir, "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, m := range regexp.MustCompile(`(?s)expr: (\|\n.*?|[^\n]*)\n\s+for:`).FindAllStringSubmatch(string(rules), -1) {
		exprs = append(exprs, m[1])
	}
	if len(exprs) < 8 {
		t.Fatalf("found %d alert expressions", len(exprs))
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	b, err := os.ReadFile("../deploy/grafana/ask2live-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q queries nothing", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	// Names in the queries: metric-like identifiers, less PromQL's own words
	// and the series Prometheus makes itself.
	promql := []string{"sum", "by", "rate", "histogram_quantile", "le", "instance", "job", "status", "db_name", "up"}
	for _, e := range exprs {
		for _, name := range regexp.MustCompile(`\b[a-z][a-z0-9_]*_[a-z0-9_]+\b|\b(?:up|sum|rate)\b`).FindAllString(e, -1) {
			if slices.Contains(promql, name) || strings.HasPrefix(name, "__") {
				continue
			}
			if !exported[name] {
				t.Errorf("%q queries %s, which the node does not export", strings.TrimSpace(e), name)
			}
		}
	}
}
