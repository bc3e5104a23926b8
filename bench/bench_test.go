package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ask2live/ask2live/apiclient"
)

func TestPercentile(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond, 1: time.Millisecond} {
		if got := Percentile(s, p); got != want {
			t.Errorf("p%g = %s, want %s", p, got, want)
		}
	}
	if Percentile(nil, 50) != 0 {
		t.Error("empty percentile is not 0")
	}
}

func TestReportFailsOnErrors(t *testing.T) {
	st := NewStats("step")
	st.Record(time.Millisecond, nil)
	st.Record(0, &apiclient.Problem{Status: 500, Code: "internal"})
	var out bytes.Buffer
	err := Report(&out, time.Second, st.Summarize(time.Second))
	if err == nil {
		t.Fatal("a run with a failed request reported success")
	}
	if !strings.Contains(out.String(), "500 internal") {
		t.Fatalf("report does not name the error:\n%s", out.String())
	}
	ok := NewStats("ok")
	ok.Record(time.Millisecond, nil)
	if err := Report(&out, time.Second, ok.Summarize(time.Second)); err != nil {
		t.Fatalf("clean run failed: %v", err)
	}
}

func TestOpenLoopDropsWhenSaturated(t *testing.T) {
	st := NewStats("slow")
	var calls atomic.Int64
	// 20 arrivals in 100 ms, one slot, and each call outlasts the window:
	// every arrival after the first finds the slot busy.
	_, dropped := OpenLoop(context.Background(), 200, 100*time.Millisecond, 1, func(ctx context.Context, i int) (*Stats, error) {
		calls.Add(1)
		time.Sleep(300 * time.Millisecond) // a slow server
		return st, nil
	})
	if calls.Load() != 1 || dropped != 19 {
		t.Fatalf("calls = %d, dropped = %d; want 1 and 19", calls.Load(), dropped)
	}
	if sum := st.Summarize(time.Second); sum.OK != 1 || sum.P50 < 300*time.Millisecond {
		t.Fatalf("latency of the slow call not measured from its scheduled start: %+v", sum)
	}
}

// A server that answers every request with a problem must make the rest
// scenario fail, never report throughput.
// failingServer signs people up, logs them in and creates sessions, and
// answers everything else — the live socket included — with 503.
func failingServer(t *testing.T, calls *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch {
		case r.URL.Path == "/api/v1/auth/register", r.URL.Path == "/api/v1/auth/login":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"user": map[string]string{"username": "u"}, "token": "t"})
			return
		case r.URL.Path == "/api/v1/sessions" && r.Method == "POST":
			json.NewEncoder(w).Encode(map[string]any{"id": "s1"})
			return
		}
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(map[string]any{"status": 503, "code": "unavailable", "detail": "down"})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRunRESTFailsLoudlyOnServerErrors(t *testing.T) {
	var calls atomic.Int64
	srv := failingServer(t, &calls)
	var out bytes.Buffer
	err := RunREST(context.Background(), RESTConfig{
		BaseURL: srv.URL, Mix: "read", Rate: 100, Duration: 200 * time.Millisecond, MaxInFlight: 8, Users: 3, Sessions: 1,
	}, &out)
	if err == nil {
		t.Fatalf("rest run against a failing server succeeded:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "503 unavailable") {
		t.Fatalf("report does not show the server's errors:\n%s", out.String())
	}
	if calls.Load() < 10 {
		t.Fatalf("calls = %d", calls.Load())
	}
}

// The audio scenario in one process: every listener receives the speaker's
// packets, and the report shows the forwarding latency of each.
func TestRunAudioInProcess(t *testing.T) {
	var out bytes.Buffer
	if err := RunAudio(context.Background(), AudioConfig{Speakers: 2, Listeners: 3, Duration: 500 * time.Millisecond}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "forwarding") || !strings.Contains(out.String(), "5 peers connected") {
		t.Fatalf("report:\n%s", out.String())
	}
}

// Against a server that refuses sign-ups, the audio scenario fails with the
// server's error instead of measuring nothing.
func TestRunAudioFailsOnServerErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusTooManyRequests)
		json.NewEncoder(w).Encode(map[string]any{"status": 429, "code": "rate_limited", "detail": "slow down"})
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := RunAudio(context.Background(), AudioConfig{URL: srv.URL, Speakers: 1, Listeners: 2, Duration: time.Second}, &out)
	if err == nil || !strings.Contains(err.Error(), "rate_limited") {
		t.Fatalf("err = %v, want the server's rate_limited\n%s", err, out.String())
	}
}

// A server whose live rooms refuse every socket must make the room
// scenario fail at joining, not measure an empty room.
func TestRunRoomFailsWhenSocketsAreRefused(t *testing.T) {
	var calls atomic.Int64
	srv := failingServer(t, &calls)
	var out bytes.Buffer
	err := RunRoom(context.Background(), RoomConfig{URLs: []string{srv.URL}, Participants: 5, Accounts: 2,
		JoinRate: 50, Rate: 5, Duration: time.Second}, &out)
	if err == nil || !strings.Contains(err.Error(), "joining failed") {
		t.Fatalf("err = %v, want a joining failure\n%s", err, out.String())
	}
}

// The flow fails with the server's errors when its steps fail.
func TestRunFlowFailsLoudlyOnServerErrors(t *testing.T) {
	var calls atomic.Int64
	srv := failingServer(t, &calls)
	var out bytes.Buffer
	err := RunFlow(context.Background(), FlowConfig{BaseURL: srv.URL, Users: 3, Duration: 300 * time.Millisecond, Think: 20 * time.Millisecond}, &out)
	if err == nil {
		t.Fatalf("a flow against a failing server succeeded:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "503 unavailable") {
		t.Fatalf("report does not show the server's errors:\n%s", out.String())
	}
}

// The meter takes the server's CPU from its /metrics and divides it over
// the operations of the window.
func TestMeterReportsServerCPUPerOperation(t *testing.T) {
	var cpu atomic.Int64 // milliseconds
	cpu.Store(1000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total " +
			strconv.FormatFloat(float64(cpu.Load())/1000, 'f', 3, 64) + "\n"))
	}))
	defer srv.Close()
	m := StartMeter(srv.URL)
	cpu.Add(250) // a quarter of a second of server CPU
	c := m.Stop()
	if c.ServerCPU != 250*time.Millisecond {
		t.Fatalf("server CPU %v, want 250ms", c.ServerCPU)
	}
	var out bytes.Buffer
	c.Report(&out, 100_000, "delivery")
	if !strings.Contains(out.String(), "server CPU 2.50 µs per delivery") || !strings.Contains(out.String(), "load generator on cores ") {
		t.Fatalf("report: %q", out.String())
	}
	if c.Idle > 1 || (c.Idle < 0 && c.Idle != -1) {
		t.Fatalf("idle share %v", c.Idle)
	}
}
