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

func newTURNServer(t *testing.T, secret string) *sfu.Server {
	t.Helper()
	s, err := sfu.New(sfu.Config{ListenIP: "127.0.0.1", TURN: sfu.TURNConfig{Enable: true, Secret: secret,
		RelayMinPort: 45000, RelayMaxPort: 45999, CredentialTTL: time.Hour}},
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
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
	addr := s.TURNAddr().String()
	allocate := func(user, pass string) (net.PacketConn, error) {
		conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		c, err := turn.NewClient(&turn.ClientConfig{TURNServerAddr: addr, Username: user, Password: pass,
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
