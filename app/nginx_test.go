package app

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ask2live/ask2live"
	"github.com/ask2live/ask2live/apiclient"
	"github.com/ask2live/ask2live/live"
	"github.com/ask2live/ask2live/liveclient"
	"github.com/ask2live/ask2live/sfu/sfutest"
	"github.com/ask2live/ask2live/store/storetest"
)

// nginxBinary finds Debian's nginx. CI installs it (.ci/run) and must run
// this suite; elsewhere the suite says how to get it.
func nginxBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/sbin/nginx", "/usr/bin/nginx"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("nginx is not installed: CI must run the proxy suite (apt-get install -y nginx)")
	}
	t.Skip("nginx is not installed (apt-get install -y nginx); the proxy suite needs it")
	return ""
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool that trusts it.
func selfSigned(t *testing.T, dir string) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ask2live test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return cert, key, pool
}

// nginxConfig turns docs/nginx.conf into a configuration for this test:
// the same server blocks and locations, with the test's nodes, ports and
// certificate in place of the example's. Any line it cannot place fails
// the test, so the example cannot drift from what is tested.
func nginxConfig(t *testing.T, dir string, https, http int, cert, key string, nodes []string) string {
	t.Helper()
	b, err := os.ReadFile("../docs/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(b)
	replace := func(old, new string) {
		t.Helper()
		if !strings.Contains(conf, old) {
			t.Fatalf("docs/nginx.conf no longer has %q; update this test with it", old)
		}
		conf = strings.ReplaceAll(conf, old, new)
	}
	var servers []string
	for _, n := range nodes {
		servers = append(servers, "server "+strings.TrimPrefix(n, "http://")+";")
	}
	replace("server 127.0.0.1:8080;", strings.Join(servers, "\n    "))
	replace("listen 443 ssl", fmt.Sprintf("listen 127.0.0.1:%d ssl", https))
	replace("listen 80;", fmt.Sprintf("listen 127.0.0.1:%d;", http))
	replace("/etc/letsencrypt/live/qa.example.com/fullchain.pem", cert)
	replace("/etc/letsencrypt/live/qa.example.com/privkey.pem", key)
	conf = strings.ReplaceAll(conf, "qa.example.com", "127.0.0.1")
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // workers must write the temp folders under dir
	}
	full := fmt.Sprintf(`%sworker_processes 1;
error_log %s/error.log warn;
pid %s/nginx.pid;
events { worker_connections 256; }
http {
    access_log %s/access.log;
    client_body_temp_path %s/body;
    proxy_temp_path %s/proxy;
    fastcgi_temp_path %s/fastcgi;
    uwsgi_temp_path %s/uwsgi;
    scgi_temp_path %s/scgi;
%s
}
`, user, dir, dir, dir, dir, dir, dir, dir, dir, conf)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startNginx runs nginx in the foreground until the test ends.
func startNginx(t *testing.T, bin, dir, conf string, port int) {
	t.Helper()
	if out, err := exec.Command(bin, "-t", "-p", dir, "-e", dir+"/error.log", "-c", conf).CombinedOutput(); err != nil {
		t.Fatalf("nginx rejects the configuration made from docs/nginx.conf: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-p", dir, "-e", dir+"/error.log", "-c", conf, "-g", "daemon off;")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGQUIT) // graceful: master and workers
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		out.Close()
		if t.Failed() {
			for _, f := range []string{"error.log", "stderr.log"} {
				if b, _ := os.ReadFile(filepath.Join(dir, f)); len(b) > 0 {
					t.Logf("nginx %s:\n%s", f, b)
				}
			}
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("nginx exited: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx does not listen on %d: %v", port, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fromAddress is an HTTPS client whose connections leave from a given
// loopback address (a distinct "client machine" to the proxy) and which
// sets headers on every request, as a client forging them would; "%d" in
// a value is replaced by a number that changes with each request.
func fromAddress(ip string, pool *x509.CertPool, headers map[string]string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	var rt http.RoundTripper = tr
	if len(headers) > 0 {
		rt = addHeaders{tr, headers}
	}
	return &http.Client{Transport: rt, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type addHeaders struct {
	next    http.RoundTripper
	headers map[string]string
}

var forgeries atomic.Int64

func (a addHeaders) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range a.headers {
		if strings.Contains(v, "%d") {
			v = fmt.Sprintf(v, forgeries.Add(1)%250+1)
		}
		r.Header.Set(k, v)
	}
	return a.next.RoundTrip(r)
}

// TestBehindNginx runs two nodes behind Debian's nginx configured from
// docs/nginx.conf: TLS with a generated certificate, plain HTTP redirected,
// the REST API, live rooms over the WebSocket upgrade (host and guest on
// whichever node nginx picks), a session's event stream arriving
// unbuffered, voice signalling over the live socket with the audio going
// straight to the node, and the per-address limits counting the address
// nginx saw — not one a client wrote into X-Forwarded-For.
func TestBehindNginx(t *testing.T) {
	bin := nginxBinary(t)
	backends := storetest.Backends(t)
	if len(backends) < 2 || backends[1] != "postgres" {
		t.Skip("two nodes need a shared database: set " + storetest.PostgresEnv)
	}
	dir := t.TempDir()
	cert, key, pool := selfSigned(t, dir)
	port, redirect := mustAtoi(t, freePort(t)), mustAtoi(t, freePort(t))
	origin := fmt.Sprintf("https://127.0.0.1:%d", port)
	flags := append(cluster(t), "-trusted-proxies", "127.0.0.1", "-cookie-secure", "-allowed-origins", origin,
		"-login-rate", "4")
	db := storetest.URL(t, "postgres")
	node1, stop1 := boot(t, db, flags...)
	defer stop1()
	node2, stop2 := boot(t, db, flags...)
	defer stop2()
	conf := nginxConfig(t, dir, port, redirect, cert, key, []string{node1, node2})
	startNginx(t, bin, dir, conf, port)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// Plain HTTP is sent to HTTPS.
	resp, err := fromAddress("127.0.0.2", pool, nil).Get(fmt.Sprintf("http://127.0.0.1:%d/api/v1/feed", redirect))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != 301 || !strings.HasPrefix(loc, "https://127.0.0.1") {
		t.Fatalf("plain HTTP: %d %q, want a redirect to HTTPS", resp.StatusCode, loc)
	}

	// Two client machines: A forges X-Forwarded-For on every request.
	forged := fromAddress("127.0.0.2", pool, map[string]string{"X-Forwarded-For": "203.0.113.%d"})
	other := fromAddress("127.0.0.3", pool, nil)
	host := signUp(ctx, t, apiclient.New(origin, forged), "host", "호스트")
	guest := signUp(ctx, t, apiclient.New(origin, other), "guest", "손님")

	// A browser log-in over HTTPS gets Secure cookies.
	req, _ := http.NewRequest("POST", origin+"/api/v1/auth/login", strings.NewReader(`{"username":"guest","password":"password-guest"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	resp, err = other.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || len(resp.Cookies()) == 0 {
		t.Fatalf("browser log-in: %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	for _, c := range resp.Cookies() {
		if !c.Secure {
			t.Errorf("cookie %s is not Secure behind TLS", c.Name)
		}
	}

	// The per-address budget (4 a minute, shared by the nodes through
	// Redis) is spent by A whatever A writes in X-Forwarded-For: its
	// registration and three wrong passwords, then 429. B, another address,
	// is untouched.
	var codes []int
	for i := range 4 {
		_, _, err := apiclient.New(origin, forged).Login(ctx, "host", fmt.Sprint("wrong-", i))
		var p *apiclient.Problem
		if !errors.As(err, &p) {
			t.Fatalf("log-in %d: %v", i, err)
		}
		codes = append(codes, p.Status)
	}
	if fmt.Sprint(codes) != "[401 401 401 429]" {
		t.Fatalf("log-ins from one address behind the proxy: %v, want [401 401 401 429]", codes)
	}
	if _, _, err := apiclient.New(origin, other).Login(ctx, "guest", "password-guest"); err != nil {
		t.Fatalf("another address was limited too: %v", err)
	}

	sess, err := host.CreateSession(ctx, ask2live.SessionInput{Title: "프록시 뒤", OpenNow: true})
	if err != nil {
		t.Fatal(err)
	}

	// The session's event stream comes through unbuffered.
	events := make(chan string, 16)
	sreq, _ := http.NewRequestWithContext(ctx, "GET", origin+"/api/v1/sessions/"+sess.ID+"/events", nil)
	sresp, err := other.Do(sreq)
	if err != nil {
		t.Fatal(err)
	}
	defer sresp.Body.Close()
	go func() {
		sc := bufio.NewScanner(sresp.Body)
		for sc.Scan() {
			if ev, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				events <- ev
			}
		}
	}()

	// Live room over the WebSocket upgrade, with voice: the host is on air
	// from the start and the guest hears the host, the audio going
	// straight to a node while signalling goes through nginx.
	lo := func(c *http.Client) liveclient.Options { return liveclient.Options{HTTP: c, Origin: origin} }
	hostVoice := newVoicePeerWith(t, ctx, origin, sess.ID, host, lo(fromAddress("127.0.0.2", pool, nil)), sfutest.Options{ID: "host", Mic: true})
	guestVoice := newVoicePeerWith(t, ctx, origin, sess.ID, guest, lo(other), sfutest.Options{ID: "guest"})
	hears(t, guestVoice, hostVoice)

	// A question asked over REST reaches the host's socket and the event
	// stream.
	hostRoom, err := liveclient.Dial(ctx, origin, sess.ID, host.Token, lo(fromAddress("127.0.0.2", pool, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer hostRoom.Drop()
	if _, err := guest.Ask(ctx, sess.ID, ask2live.QuestionInput{Text: "프록시를 지나도 보이나요?"}); err != nil {
		t.Fatal(err)
	}
	for {
		ev, err := hostRoom.NextEvent(ctx)
		if err != nil {
			t.Fatalf("the question did not reach the host's socket: %v", err)
		}
		if ev.Type == live.EvQuestion {
			break
		}
	}
	select {
	case <-ctx.Done():
		t.Fatal("the question did not come through the event stream")
	case ev := <-events:
		for ev != "question" {
			select {
			case ev = <-events:
			case <-ctx.Done():
				t.Fatal("no question event on the stream")
			}
		}
	}

	// nginx saw the two client machines (and logged them).
	log, _ := os.ReadFile(filepath.Join(dir, "access.log"))
	if n := len(regexp.MustCompile(`(?m)^127\.0\.0\.[23] `).FindAll(log, -1)); n < 5 {
		t.Fatalf("nginx logged %d client requests:\n%s", n, log)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
