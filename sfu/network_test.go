package sfu_test

import (
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/pion/turn/v5"
	"github.com/pion/webrtc/v4"

	"github.com/ask2live/ask2live/sfu"
	"github.com/ask2live/ask2live/sfu/sfutest"
)

// newTURNServer starts a media server on loopback with the embedded TURN
// server, which may relay to loopback (everything runs on 127.0.0.1) unless
// mutate says otherwise.
func newTURNServer(t *testing.T, secret string, mutate ...func(*sfu.TURNConfig)) *sfu.Server {
	t.Helper()
	cfg := sfu.TURNConfig{Enable: true, Secret: secret, RelayMinPort: 45000, RelayMaxPort: 45999,
		CredentialTTL: time.Hour, AllowLoopback: true}
	for _, m := range mutate {
		m(&cfg)
	}
	s, err := sfu.New(sfu.Config{ListenIP: "127.0.0.1", TURN: cfg}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestTURNRelay: participants allowed only relayed candidates connect
// through the embedded TURN server with the credentials of their first
// offer, and hear the host.
func TestTURNRelay(t *testing.T) {
	s := newTURNServer(t, "")
	s.SetOnAir("r", "host", true)
	host := join(t, s, "r", "host", true)
	listener := startRelayed(t, s, "r", "listener")
	if pair := listensVia(t, listener, host); pair.Local.Typ != webrtc.ICECandidateTypeRelay {
		t.Fatalf("the listener's candidate is %s, want relay", pair.Local.Typ)
	}
}

// listensVia waits until the listener connects and hears the host, and
// returns the candidate pair the connection uses.
func listensVia(t *testing.T, listener, host *client) *webrtc.ICECandidatePair {
	t.Helper()
	listener.waitUp(t)
	listener.heard(t, host, 0)
	pair, err := listener.PC.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		t.Fatalf("no selected candidate pair: %v", err)
	}
	return pair
}

// TestICETCP: a participant that can use only TCP reaches the audio server
// on its ICE-TCP port and hears the host.
func TestICETCP(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s, err := sfu.New(sfu.Config{ListenIP: "127.0.0.1", TCPPort: port}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	s.SetOnAir("r", "host", true)
	host := join(t, s, "r", "host", true)
	listener := startWith(t, s, "r", sfutest.Options{ID: "listener", TCP: true})
	if pair := listensVia(t, listener, host); pair.Local.Protocol != webrtc.ICEProtocolTCP {
		t.Fatalf("the listener connected over %s, want tcp", pair.Local.Protocol)
	}
}

// TestTURNCredentials: the embedded TURN server takes only unexpired
// credentials made with its secret, and relays only to this media server.
func TestTURNCredentials(t *testing.T) {
	const secret = "test-secret"
	s := newTURNServer(t, secret)
	allocate := func(user, pass string) (net.PacketConn, error) { return allocateVia(t, s, credential{user, pass}) }

	user, pass, err := turn.GenerateLongTermTURNRESTCredentials(secret, "alice", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	relay, err := allocate(user, pass)
	if err != nil {
		t.Fatalf("valid credentials refused: %v", err)
	}
	// To this server: allowed. Elsewhere (an address that is not ours):
	// the permission is refused.
	if _, err := relay.WriteTo([]byte("x"), s.UDPAddr()); err != nil {
		t.Fatalf("relaying to the media server: %v", err)
	}
	if _, err := relay.WriteTo([]byte("x"), &net.UDPAddr{IP: net.ParseIP("192.0.2.1"), Port: 9}); err == nil {
		t.Fatal("the relay let a client reach an address that is not the media server")
	}

	expiredUser, expiredPass, _ := turn.GenerateLongTermTURNRESTCredentials(secret, "bob", -time.Minute)
	if _, err := allocate(expiredUser, expiredPass); err == nil {
		t.Fatal("expired credentials were accepted")
	}
	forgedUser, forgedPass, _ := turn.GenerateLongTermTURNRESTCredentials("another-secret", "eve", time.Minute)
	if _, err := allocate(forgedUser, forgedPass); err == nil {
		t.Fatal("credentials made with another secret were accepted")
	}
	if !strings.Contains(user, ":alice") {
		t.Fatalf("username %q does not name the participant", user)
	}
}

// allocateVia asks s's TURN server for a relay from a fresh client socket.
func allocateVia(t *testing.T, s *sfu.Server, cred credential) (net.PacketConn, error) {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: s.TURNAddr().String(), Username: cred.user, Password: cred.pass,
		Realm: "ask2live", Conn: conn, RTO: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	if err := c.Listen(); err != nil {
		t.Fatal(err)
	}
	return c.Allocate()
}

type credential struct{ user, pass string }

func restCredentials(t *testing.T, secret, participant string) credential {
	t.Helper()
	user, pass, err := turn.GenerateLongTermTURNRESTCredentials(secret, participant, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return credential{user, pass}
}

// TestTURNRelaysOnlyToTheMediaPort: TURN permissions are per IP address,
// but a relay to this node reaches its media port and nothing else: a
// datagram to another service on the same address is not delivered, and
// one from it does not come back to the client.
func TestTURNRelaysOnlyToTheMediaPort(t *testing.T) {
	const secret = "test-secret"
	s := newTURNServer(t, secret)
	relay, err := allocateVia(t, s, restCredentials(t, secret, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	service, err := net.ListenPacket("udp4", "127.0.0.1:0") // say, a DNS resolver
	if err != nil {
		t.Fatal(err)
	}
	defer service.Close()
	if _, err := relay.WriteTo([]byte("query"), service.LocalAddr()); err != nil {
		t.Fatalf("write through the relay: %v", err)
	}
	service.SetReadDeadline(time.Now().Add(time.Second))
	if n, from, err := service.ReadFrom(make([]byte, 64)); err == nil {
		t.Fatalf("a local service on another port got %d bytes through the relay (from %s)", n, from)
	}
	if _, err := service.WriteTo([]byte("answer"), relay.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	relay.SetReadDeadline(time.Now().Add(time.Second))
	if n, from, err := relay.ReadFrom(make([]byte, 64)); err == nil {
		t.Fatalf("the client got %d bytes from %s, another port of the node", n, from)
	}
}

// TestTURNRefusesLoopback: by default a relay may not lead to loopback, even
// to the media port.
func TestTURNRefusesLoopback(t *testing.T) {
	const secret = "test-secret"
	s := newTURNServer(t, secret, func(c *sfu.TURNConfig) { c.AllowLoopback = false })
	relay, err := allocateVia(t, s, restCredentials(t, secret, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := relay.WriteTo([]byte("x"), s.UDPAddr()); err == nil {
		t.Fatal("the relay was allowed to a loopback address")
	}
}

// TestTURNAllocationQuota: one credential holds at most its cap of
// allocations, one participant at most theirs over all credentials; a
// released allocation frees its place.
func TestTURNAllocationQuota(t *testing.T) {
	const secret = "test-secret"
	s := newTURNServer(t, secret, func(c *sfu.TURNConfig) {
		c.MaxAllocationsPerCredential = 5
		c.MaxAllocationsPerUser = 6
	})
	first := restCredentials(t, secret, "alice")
	var relays []net.PacketConn
	for i := 0; i < 5; i++ {
		r, err := allocateVia(t, s, first)
		if err != nil {
			t.Fatalf("allocation %d: %v", i+1, err)
		}
		relays = append(relays, r)
	}
	if _, err := allocateVia(t, s, first); err == nil {
		t.Fatal("a sixth allocation on one credential was granted")
	}
	user, pass, err := turn.GenerateLongTermTURNRESTCredentials(secret, "alice", 2*time.Minute) // another expiry: another credential
	if err != nil {
		t.Fatal(err)
	}
	second := credential{user, pass}
	if _, err := allocateVia(t, s, second); err != nil {
		t.Fatalf("alice's sixth allocation, on a new credential: %v", err)
	}
	if _, err := allocateVia(t, s, second); err == nil {
		t.Fatal("a seventh allocation for one participant was granted")
	}
	if _, err := allocateVia(t, s, restCredentials(t, secret, "bob")); err != nil {
		t.Fatalf("another participant: %v", err)
	}
	relays[0].Close() // deallocates
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := allocateVia(t, s, second); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a released allocation did not free its place")
		}
	}
}
